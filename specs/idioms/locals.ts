// Verdict: ok. A thread local receives an access's result, as the kernel writes it
// (generic_perform_write() before iov_iter_fault_in_readable(), simplified):
//
//   mutex_lock(&inode->i_mutex);
//   pagefault_disable();
//   ret = __copy_from_user_inatomic(page, buf, len);
//   pagefault_enable();
//   if (ret) {                               /* faulted: -EFAULT */
//           mutex_unlock(&inode->i_mutex);
//           ret = copy_from_user(page, buf, len);   /* may fault: mmap_lock */
//           mutex_lock(&inode->i_mutex);
//   }
//   mutex_unlock(&inode->i_mutex);
//
// The user buffer is a mapping of the same file, whose fault path takes i_mutex:
// with a plain copy_from_user under i_mutex this is a self-deadlock; the atomic
// copy with the fallback outside the lock is not. `ret` costs no state of its own.
import { model } from "faultline";

export default model("write with an atomic copy", (m) => {
  const app = m.process("app");
  const iMutex = m.mutex("inode->i_mutex");
  const filemapFault = m.proc("filemap_fault", (p) => {
    p.lock(iMutex); // the page is read in under the inode lock
    p.unlock(iMutex);
  });
  const buf = app.region("user_buf", { fault: filemapFault });
  app.thread("T1 write", (t) => {
    const ret = t.bool("ret", false);
    t.lock(iMutex);
    t.pagefaultDisable();
    t.copyFromUser(buf, { ret }); // __copy_from_user_inatomic
    t.pagefaultEnable();
    t.if(ret, (slow) => {
      slow.unlock(iMutex);
      slow.copyFromUser(buf);
      slow.lock(iMutex);
    });
    t.unlock(iMutex);
  });
  app.thread("T2 mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
});
