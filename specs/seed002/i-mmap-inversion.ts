// Seed 002 (DAX), issue 7 of Ross Zwisler's list: "In both __dax_fault() and
// __dax_pmd_fault() we call the filesystem's get_block() and
// complete_unwritten() functions while holding mapping->i_mmap_rwsem. There is
// a concern that this could potentially lead to a lock inversion".
//
// Variant: the v4.3-rc write fault on a hole takes i_mmap_lock_write() and
// calls get_block(create=1), which takes the filesystem's allocation lock
// (ext4's i_data_sem for write, in ext4_map_blocks()). Beside it, a path
// that takes the two locks the other way round: an ext4 block allocation
// holding i_data_sem allocates memory, enters direct reclaim, and the rmap
// walk of a mapped page of the same file takes i_mmap_rwsem for read. (The
// post leaves the second path open, "more investigation needed"; this is one
// candidate, chosen to show what the concern means, not a claim that this
// exact path is reachable in v4.3.)
//
// Expected verdict: deadlock, ABBA: the fault holds i_mmap_rwsem and waits
// for i_data_sem; the allocation holds i_data_sem and waits for
// i_mmap_rwsem. Any path with the fs-lock -> i_mmap_rwsem order completes the
// cycle, which is why Ross proposes not calling get_block() under
// i_mmap_rwsem at all.
import { model } from "faultline";
import { daxFile, faultOn } from "./_dax.js";

export default model("seed002 DAX i_mmap_rwsem vs i_data_sem", (m) => {
  const app = m.process("app");
  const iMmap = m.rwsem("i_mmap_rwsem");
  const iDataSem = m.rwsem("i_data_sem");

  const getBlock = m.proc("ext4_get_block(create)", (p) => {
    p.downWrite(iDataSem); // ext4_map_blocks(): allocate the block
    p.upWrite(iDataSem);
  });

  const file = daxFile(m, app, (p) => {
    p.downWrite(iMmap); // i_mmap_lock_write(mapping)
    p.call(getBlock);
    p.upWrite(iMmap); // i_mmap_unlock_write(mapping)
  });
  faultOn(app, "T1 write fault", file);

  // Another ext4 allocation in the same file (write(2) into a hole).
  app.thread("T2 write(2)", (t) => {
    t.downWrite(iDataSem); // ext4_map_blocks()
    // kmalloc -> direct reclaim -> page_referenced()/try_to_unmap() -> rmap_walk_file()
    t.downRead(iMmap); // i_mmap_lock_read(mapping)
    t.upRead(iMmap);
    t.upWrite(iDataSem);
  });
  m.lockOrder(app.mmapLock, iMmap); // mm/filemap.c: ->mmap_lock ->i_mmap_rwsem
});
