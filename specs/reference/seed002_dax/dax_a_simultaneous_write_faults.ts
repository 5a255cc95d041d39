// Reference scenario seed002 (a), /work/shared/reference/seed002_dax/
// dax_a_simultaneous_write_faults.tla: two threads write-fault on the same DAX
// hole. get_block(create) allocates under the filesystem's allocation lock and
// reports buffer_new; the fault that allocated zeroes the block afterwards,
// outside that lock (dax_clear_blocks() in __dax_fault), then maps it
// (dax_insert_mapping()). A fault that finds the block already allocated maps it
// as it is.
//
//     error = get_block(inode, block, &bh, 1);      /* under the fs allocation lock */
//     if (buffer_new(&bh))
//             dax_clear_blocks(inode, bh.b_blocknr, bh.b_size);
//     dax_insert_mapping(inode, &bh, vma, vmf);
//
// Expected verdict: invariant NoStaleMap (a fault maps a block still holding stale data: the
// second fault finds the block the first one allocated before it is zeroed).
import { and, implies, model } from "faultline";

export default model("reference dax_a simultaneous write faults", (m) => {
  const allocLock = m.mutex("fs_alloc_lock");
  const blk = m.enum("block", ["hole", "allocated", "zeroed"], "hole");
  const daxFault = m.proc("__dax_fault", (p) => {
    const isNew = p.bool("buffer_new", false);
    // get_block(inode, block, &bh, 1)
    p.lock(allocLock);
    p.if(blk.eq("hole"), (b) => {
      b.set(blk, "allocated");
      b.set(isNew, true); // set_buffer_new(bh)
    });
    p.unlock(allocLock);
    p.if(isNew, (b) => b.set(blk, "zeroed")); // dax_clear_blocks()
    // dax_insert_mapping(): user space now reads the block
  });
  const app = m.process("app");
  const f1 = app.thread("F1 write fault", (t) => t.call(daxFault));
  const f2 = app.thread("F2 write fault", (t) => t.call(daxFault));
  // A fault that has mapped the block sees it zeroed.
  m.invariant("NoStaleMap", and(implies(m.done(f1), blk.eq("zeroed")), implies(m.done(f2), blk.eq("zeroed"))));
});
