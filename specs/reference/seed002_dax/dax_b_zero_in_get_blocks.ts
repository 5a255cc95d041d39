// Reference scenario seed002 (b), /work/shared/reference/seed002_dax/
// dax_b_zero_in_get_blocks.tla: Dave Chinner's fix for (a). Zeroing moves into
// get_blocks(): the block is allocated and zeroed under the filesystem's
// allocation lock (ext2_get_blocks() calling dax_clear_blocks()), so a fault
// that finds the block sees it zeroed. Same two write faults as (a).
//
//     error = get_block(inode, block, &bh, 1);      /* allocates and zeroes */
//     dax_insert_mapping(inode, &bh, vma, vmf);
//
// Expected verdict: ok.
import { and, implies, model } from "faultline";

export default model("reference dax_b zero in get_blocks", (m) => {
  const app = m.process("app");
  const allocLock = m.mutex("fs_alloc_lock");
  const blk = m.enum("block", ["hole", "allocated", "zeroed"], "hole");
  const daxFault = m.proc("__dax_fault", (p) => {
    // get_block(inode, block, &bh, 1): a new block is zeroed before it is returned
    p.lock(allocLock);
    p.if(blk.eq("hole"), (b) => b.set(blk, "zeroed"));
    p.unlock(allocLock);
    // dax_insert_mapping(): user space now reads the block
  });
  const f1 = app.thread("F1 write fault", (t) => t.call(daxFault));
  const f2 = app.thread("F2 write fault", (t) => t.call(daxFault));
  // A fault that has mapped the block sees it zeroed.
  m.invariant("NoStaleMap", and(implies(m.done(f1), blk.eq("zeroed")), implies(m.done(f2), blk.eq("zeroed"))));
});
