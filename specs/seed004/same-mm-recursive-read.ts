// Seed 004 (userfaultfd), the commit message's single-mm case under a
// recursive read lock: "2) Readlock implementation is recursive and same mm is
// in play (no issue)".
//
// Variant: same-mm-fair.ts with mmap_lock under the "recursive-read" policy.
//
// Expected verdict: ok. The fault's down_read re-enters the lock A1 already
// holds even with A2's writer queued, so the copy finishes, A1 drops the lock
// and A2 gets it. Together with same-mm-fair.ts (deadlock) this is the
// commit message's point: for one mm the verdict depends on the rwsem
// implementation, which is why the fix uses pagefault_disable() instead.
import { model } from "faultline";
import { sameMm } from "./_uffd.js";

export default model("seed004 uffd same mm recursive-read", (m) => {
  sameMm(m, { policy: "recursive-read" });
});
