// Seed 000 "Yet another page fault deadlock", as reported: driver A's ioctl holds
// A_mutex across copy_to_user; a squashfs page fault reads through driver B into
// driver A (A_mutex) with mmap_lock held for read; a third thread calls mmap.
import { model } from "faultline";

export default model("seed000 as reported", (m) => {
  const app = m.process("app");
  const aMutex = m.mutex("A_mutex");

  // Driver A's in-kernel API, called by driver B while decrypting a block.
  const driverADecrypt = m.proc("driverA_decrypt", (p) => {
    p.lock(aMutex);
    p.unlock(aMutex);
  });
  // squashfs readpage -> driver B -> driver A.
  const squashfsFault = m.proc("squashfs_readpage", (p) => p.call(driverADecrypt));

  const image = app.region("squashfs_map", { fault: squashfsFault });
  const buf = app.region("user_buf");

  app.thread("T1 ioctl", (t) => {
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
  app.thread("T2 reader", (t) => {
    t.load(image);
  });
  app.thread("T3 mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
});
