// Idiom: VM_FAULT_RETRY. filemap_fault() does not sleep on a locked page while
// it holds mmap_lock: lock_page_or_retry() drops mmap_lock, waits for the page,
// and returns VM_FAULT_RETRY; the arch fault handler then tries the access again
// with FAULT_FLAG_TRIED (and, before Linux 5.7, without FAULT_FLAG_ALLOW_RETRY:
// the second attempt slept on the page lock under mmap_lock; since then it may
// retry again, a loop):
//
//     if (!trylock_page(page)) {
//             if (flags & FAULT_FLAG_ALLOW_RETRY) {
//                     up_read(&mm->mmap_sem);
//                     wait_on_page_locked(page);
//                     return VM_FAULT_RETRY;
//             }
//             __lock_page(page);
//     }
//
// write(2) holds the page lock across a copy_from_user that may fault (the
// order the atomic copy in generic_perform_write exists to avoid), and mmap()
// queues for write. Sleeping on the page lock under mmap_lock in the fault
// (no retry) closes the cycle: fault -> page lock (write(2)) -> mmap_lock read
// (queued behind mmap) -> mmap_lock write (the fault's read hold). With the
// retry, the fault waits for the page without mmap_lock, and its second
// attempt finds the page unlocked.
//
// Expected verdict: ok. (Take the FAULT_FLAG_ALLOW_RETRY branch out and it is
// a deadlock.)
import { FAULT_FLAG_ALLOW_RETRY, model, not } from "faultline";

export default model("idiom VM_FAULT_RETRY", (m) => {
  const app = m.process("app");
  const pageLock = m.mutex("page_lock");
  const filemapFault = m.proc("filemap_fault", (p) => {
    p.trylock(
      pageLock,
      (ok) => ok.unlock(pageLock), // trylock_page(): read the page, unlock_page()
      (busy) =>
        busy.if(
          FAULT_FLAG_ALLOW_RETRY,
          (r) => r.faultRetry((w) => w.await(not(m.held(pageLock)))), // up_read; wait_on_page_locked
          (w) => {
            w.lock(pageLock); // __lock_page() under mmap_lock
            w.unlock(pageLock);
          },
        ),
    );
  });
  const file = app.region("file_map", { fault: filemapFault });
  const buf = app.region("user_buf");

  app.thread("fault", (t) => t.load(file));
  app.thread("write(2)", (t) => {
    t.lock(pageLock); // lock_page(page) in write_begin
    t.copyFromUser(buf); // may fault: down_read(mmap_lock)
    t.unlock(pageLock);
  });
  app.thread("mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
});
