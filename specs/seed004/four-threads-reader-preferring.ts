// Seed 004 (userfaultfd), Matthew Wilcox's four-thread scenario with readers
// that do not queue behind waiting writers.
//
// Variant: four-threads.ts with every mmap_lock "reader-preferring" (readers
// enter whenever no writer holds the lock). Not how Linux's rwsem behaves.
//
// Expected verdict: ok. The deadly embrace needs each copying thread's fault
// to queue behind a *waiting* writer; if readers may pass waiting writers, the
// faults get their read locks, the copies finish, and the writers go after.
// So across two mms the verdict depends on the rwsem's fairness, not on
// read recursion.
import { model } from "faultline";
import { fourThreads } from "./_uffd.js";

export default model("seed004 uffd 4 threads reader-preferring", (m) => {
  fourThreads(m, { policy: "reader-preferring" });
});
