// Seed 002 (DAX), Dave Chinner's fix for problem 1: "fixed by pushing block
// zeroing into get_blocks()" (as ext2 already does with dax_clear_blocks() in
// ext2_get_blocks()). The filesystem allocates and zeroes the block under its
// allocation lock, so a block is never visible allocated-but-unzeroed.
//
// Variant: two write faults on the same hole, zeroing inside get_block()
// under XFS_ILOCK_EXCL; no other serialisation between the faults.
//
// Expected verdict: ok. Whichever fault allocates also zeroes before dropping
// the allocation lock; the other fault's get_block() sees either the hole (and
// then allocates and zeroes it itself, under the lock) or a zeroed block.
import { model, not } from "faultline";
import { daxFile, faultOn } from "./_dax.js";

export default model("seed002 DAX zeroing in get_block", (m) => {
  const app = m.process("app");
  const ilock = m.rwsem("XFS_ILOCK");
  const blk = m.enum("block", ["hole", "unzeroed", "zeroed"], "hole");
  const allocs = m.int("allocations", { min: 0, max: 2 }, 0);
  const stale = m.bool("stale_data_mapped", false);

  const file = daxFile(m, app, (p) => {
    // get_block(inode, block, &bh, 1): allocate and zero under the allocation lock
    p.downWrite(ilock);
    p.if(blk.eq("hole"), (b) => {
      b.set(blk, "unzeroed");
      b.set(allocs, allocs.plus(1));
      b.set(blk, "zeroed"); // dax_clear_blocks() inside get_block
    });
    p.upWrite(ilock);
    // dax_insert_mapping()
    p.if(blk.eq("unzeroed"), (b) => b.set(stale, true));
  });
  faultOn(app, "T1 write fault", file);
  faultOn(app, "T2 write fault", file);

  m.invariant("block allocated at most once", allocs.le(1));
  m.invariant("no stale data mapped into user space", not(stale));
  m.lockOrder(app.mmapLock, ilock); // xfs_inode.c: page faults (mmap_lock) -> ... -> XFS_ILOCK
});
