// Seed 001 (MPX), Thomas Gleixner's proposal with one change: mpx_pre_unmap()
// invalidates the bounds directory entries (step 1) under bd_sem alone, before
// down_read(mmap_sem), and only marks the VMAs (step 2, no user memory access)
// under mmap_sem. This is not in the email; it is the smallest change after
// which no kernel path touches user memory while holding mmap_sem.
//
// Variant: tglx-bd-sem.ts with step 1 moved; mmap_lock is Linux's fair rwsem.
// (The area to invalidate is known from (from, len) before the unmap, and
// bd_sem held for write already keeps the #BR allocation path from inserting
// entries, so step 1 does not need mmap_sem.)
//
// Expected verdict: ok. The page fault in step 1 now takes mmap_sem for read
// while munmap holds only bd_sem, so a queued mmap() writer just waits its
// turn; the remaining nestings are bd_sem -> mmap_sem only.
import { model } from "faultline";
import { proposal } from "./_proposal.js";

export default model("seed001 MPX tglx bd_sem invalidate first", (m) => {
  proposal(m, { invalidate: "before-mmap-read" });
});
