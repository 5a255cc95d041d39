// Seed 001 (MPX), Thomas Gleixner's proposal with step 1 done the way the
// kernel avoids faulting under mmap_sem elsewhere: mpx_pre_unmap() clears the
// bounds directory entries under down_read(mmap_sem) with page faults disabled;
// when that fails (-EFAULT: the directory page is not present) it drops
// mmap_sem, faults the page in with only bd_sem held, and goes back to retry:
//
//     retry:
//             down_read(&mm->mmap_sem);
//             pagefault_disable();
//             ret = clear the BD entries;
//             pagefault_enable();
//             if (ret) {
//                     up_read(&mm->mmap_sem);
//                     fault the BD page in;          /* down_read in the fault */
//                     goto retry;
//             }
//             mark the VMAs; up_read(&mm->mmap_sem);
//
// Variant: tglx-bd-sem.ts with step 1 as this retry loop (a local and a loop as
// the kernel writes them; the page may be reclaimed again before every retry).
//
// Expected verdict: ok (as /work/shared/reference/seed001_mpx/
// mpx_d_proposal_nofault_inval.tla). Under mmap_sem the access can only fail,
// never wait; the fault that takes mmap_sem for read runs with bd_sem alone held,
// so a queued mmap() writer just waits its turn.
import { model } from "faultline";
import { proposal } from "./_proposal.js";

export default model("seed001 MPX tglx bd_sem nofault retry", (m) => {
  proposal(m, { invalidate: "nofault-retry" });
});
