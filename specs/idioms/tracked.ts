// Idiom: tracked residency and reclaim. generic_perform_write() prefaults the
// user page and then copies with page faults disabled, because it holds the
// page cache page locked:
//
//     if (unlikely(iov_iter_fault_in_readable(i, bytes))) ...  /* prefault */
//     ...
//     pagefault_disable();
//     copied = iov_iter_copy_from_user_atomic(page, i, offset, bytes);
//     pagefault_enable();
//     if (unlikely(copied == 0)) goto again;                    /* it can still fail */
//
// The buffer is tracked: it starts absent, the prefault (a user load) faults it
// in, and an access to a present page never faults. Reclaim (kswapd, through
// rmap, no mmap_lock) may unmap it again before the copy, and then the atomic
// copy fails. That is why the kernel retries; the assertion below claims the
// prefault is enough.
//
// Expected verdict: assertion (the trace shows kswapd's eviction between the
// prefault and the copy). Without the kswapd thread the model is ok.
import { model, not } from "faultline";

export default model("idiom tracked residency", (m) => {
  const app = m.process("app");
  const buf = app.region("user_buf", { tracked: "absent" });
  const failed = m.bool("copy_failed", false);

  app.thread("write(2)", (t) => {
    t.load(buf); // iov_iter_fault_in_readable(): faults the page in
    t.pagefaultDisable();
    t.copyFromUser(buf, { onFault: (f) => f.set(failed, true) }); // -EFAULT: copied == 0
    t.pagefaultEnable();
    t.assert(not(failed), "the prefaulted page is still mapped at the atomic copy");
  });
  app.thread("kswapd", (t) => t.evict(buf)); // shrink_page_list() -> try_to_unmap()
});
