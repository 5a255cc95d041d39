// Idiom: a fault procedure that tells a write fault from a read fault, as
// __dax_fault() and every ->page_mkwrite path do:
//
//     static int foo_fault(struct vm_area_struct *vma, struct vm_fault *vmf)
//     {
//             if (vmf->flags & FAULT_FLAG_WRITE) {
//                     mutex_lock(&foo->alloc_mutex);   /* allocate backing store */
//                     ...
//                     mutex_unlock(&foo->alloc_mutex);
//             }
//             ...                                      /* map the page */
//     }
//
// copy_from_user/get_user/load read user memory (a read fault); copy_to_user/
// put_user/store write it (a write fault). The ioctl below holds alloc_mutex
// across both copies: the read is harmless, the write faults into foo_fault's
// write branch and takes alloc_mutex again.
//
// Expected verdict: deadlock (the ioctl waits for itself, through the write
// fault at the copy_to_user line; the copy_from_user before it never does).
import { FAULT_FLAG_WRITE, model } from "faultline";

export default model("idiom FAULT_FLAG_WRITE", (m) => {
  const app = m.process("app");
  const alloc = m.mutex("alloc_mutex");
  const fooFault = m.proc("foo_fault", (p) => {
    p.if(FAULT_FLAG_WRITE, (w) => {
      w.lock(alloc);
      w.unlock(alloc);
    });
  });
  const map = app.region("foo_map", { fault: fooFault });

  app.thread("ioctl", (t) => {
    t.lock(alloc);
    t.copyFromUser(map); // read fault: foo_fault takes nothing
    t.copyToUser(map); // write fault: foo_fault takes alloc_mutex again
    t.unlock(alloc);
  });
});
