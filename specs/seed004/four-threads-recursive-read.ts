// Seed 004 (userfaultfd), Matthew Wilcox's four-thread scenario with a
// recursive read lock.
//
// Variant: four-threads.ts with every mmap_lock under the "recursive-read"
// policy (a thread that already holds it for read re-enters at once, even
// past a queued writer).
//
// Expected verdict: deadlock, unchanged. Recursion does not help here: each
// copying thread's fault wants the *other* process's mmap_lock, which it does
// not hold, so it queues behind that process's mmap() writer like any other
// reader. This is the commit message's "Even if it's a different process that
// you're trying to acquire the mmap read lock on, you can still get into a
// deadly embrace."
import { model } from "faultline";
import { fourThreads } from "./_uffd.js";

export default model("seed004 uffd 4 threads recursive-read", (m) => {
  fourThreads(m, { policy: "recursive-read" });
});
