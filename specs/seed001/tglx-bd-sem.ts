// Seed 001 (MPX), Thomas Gleixner's proposal: munmap() no longer touches the
// bounds directory with mmap_sem held for write. mpx_pre_unmap() takes the new
// mm->bd_sem for write, then mmap_sem for read, invalidates the bounds
// directory entries of the area (step 1, "this can fault as we only hold mmap
// sem for read") and marks the bounds table VMAs for removal (step 2);
// mpx_post_unmap() removes them under mmap_sem for write and drops bd_sem.
//
// Variant: the email as written, with all four bd_sem operations of its
// serialization scheme (prctl enable/disable: down_write; bounds violation:
// down_read, may fault in the copy from user space; directory entry
// allocation: down_read, nests down_write(mmap_sem) and may fault in the
// cmpxchg; directory entry removal = munmap: down_write, nests mmap_sem),
// beside a thread of the same process that calls mmap(). mmap_lock is Linux's
// fair rwsem.
//
// Expected verdict: deadlock, munmap against mmap. The four nestings #1-#4 of
// the email are all bd_sem -> mmap_sem and indeed never invert. The one the
// email does not list is the fault in step 1 itself: munmap holds mmap_sem for
// read and the page fault handler takes it for read a second time. That
// nested down_read is only harmless while no writer is queued: once the other
// thread's mmap() has queued its down_write behind munmap's read hold, the
// fault's down_read queues behind that writer, and neither can move.
import { model } from "faultline";
import { proposal } from "./_proposal.js";

export default model("seed001 MPX tglx bd_sem", (m) => {
  proposal(m);
});
