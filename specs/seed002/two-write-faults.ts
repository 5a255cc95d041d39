// Seed 002 (DAX), problem 1 of the post: "If two threads write-fault on the
// same hole at the same time". Each fault asks the filesystem's get_block()
// to allocate (create=1); the filesystem allocates under its own allocation
// lock (XFS_ILOCK_EXCL here) and reports buffer_new; DAX then zeroes the new
// block (dax_clear_blocks()) and maps it into the page tables
// (dax_insert_mapping()), with nothing serialising the two faults.
//
// Variant: no serialisation between the faults; zeroing done by DAX after
// get_block() returns.
//
// Expected verdict: invariant ("no stale data"). Allocation itself is
// serialised by the filesystem, so the block is never allocated twice; but the
// second fault's get_block() finds the block the first fault has just
// allocated, not new and not yet zeroed, and maps it into user space: the
// process sees whatever the block held before (stale data exposure). (The same
// window also lets the first fault's zeroing wipe data the second one has
// written; that is not modelled here.)
import { model, not } from "faultline";
import { daxFile, faultOn } from "./_dax.js";

export default model("seed002 DAX two write faults on a hole", (m) => {
  const app = m.process("app");
  const ilock = m.rwsem("XFS_ILOCK");
  const blk = m.enum("block", ["hole", "unzeroed", "zeroed"], "hole"); // the file block at the faulting offset
  const allocs = m.int("allocations", { min: 0, max: 2 }, 0);
  const stale = m.bool("stale_data_mapped", false);

  const file = daxFile(m, app, (p) => {
    const isNew = p.bool("buffer_new", false); // struct buffer_head bh: on the fault's stack
    // get_block(inode, block, &bh, 1): allocate the hole
    p.downWrite(ilock);
    p.if(blk.eq("hole"), (b) => {
      b.set(blk, "unzeroed");
      b.set(allocs, allocs.plus(1));
      b.set(isNew, true); // set_buffer_new(bh)
    });
    p.upWrite(ilock);
    // if (buffer_new(&bh)) dax_clear_blocks(): zero the new block
    p.if(isNew, (b) => b.set(blk, "zeroed"));
    // dax_insert_mapping(): the user now reads the block directly
    p.if(blk.eq("unzeroed"), (b) => b.set(stale, true));
  });
  faultOn(app, "T1 write fault", file);
  faultOn(app, "T2 write fault", file);

  m.invariant("block allocated at most once", allocs.le(1));
  m.invariant("no stale data mapped into user space", not(stale));
  m.lockOrder(app.mmapLock, ilock); // xfs_inode.c: page faults (mmap_lock) -> ... -> XFS_ILOCK
});
