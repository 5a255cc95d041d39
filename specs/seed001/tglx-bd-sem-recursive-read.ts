// Seed 001 (MPX), Thomas Gleixner's proposal under the assumption his email
// makes: that taking mmap_sem for read again, in the fault of step 1, while
// mpx_pre_unmap() already holds it for read, is harmless.
//
// Variant: tglx-bd-sem.ts with mmap_lock given the "recursive-read" policy (a
// reader that already holds it re-enters at once, even with a writer queued).
// Linux's rwsem does not behave like this; the model shows what the design
// would give if it did.
//
// Expected verdict: ok. With the nested read no longer queueing behind mmap()'s
// writer, what is left are the email's nestings #1-#4, all bd_sem -> mmap_sem,
// and the mmap() thread that takes mmap_sem alone: no cycle is possible, and
// the invariants (bounds table removed only after its data, the removal mark
// only changed under bd_sem, marked tables unreachable from the directory)
// hold. So the design is sound except for the one nesting the email does not
// list, mmap_sem read inside mmap_sem read.
import { model } from "faultline";
import { proposal } from "./_proposal.js";

export default model("seed001 MPX tglx bd_sem recursive-read", (m) => {
  proposal(m, { mmapPolicy: "recursive-read" });
});
