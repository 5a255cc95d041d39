// Seed 000 (squashfs), the parts the four reference scenarios share: the app's
// mmap_sem (fair rwsem), driver A's A_mutex, the read fault on the mmap'ed
// squashfs image (squashfs -> driver B -> driver A: A_mutex under mmap_sem R),
// and mmap()/mprotect() taking mmap_sem for write. As in
// ../shared/reference/seed000_squashfs/squashfs_a_reported.tla: T2, T3.
import type { ModelBuilder } from "faultline";

export function squashfs(m: ModelBuilder) {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const aMutex = m.mutex("A_mutex");

  // Driver A's in-kernel API, called by driver B while it decrypts a block.
  const driverADecrypt = m.proc("driverA_decrypt", (p) => {
    p.lock(aMutex);
    p.unlock(aMutex);
  });
  const squashfsFault = m.proc("squashfs_readpage", (p) => p.call(driverADecrypt));
  const image = app.region("squashfs_map", { fault: squashfsFault });

  // T2: reads the mmap'ed squashfs image; its fault runs under mmap_sem for read.
  app.thread("T2 reader", (t) => {
    t.load(image);
  });
  // T3: mmap() or mprotect(): mmap_sem for write.
  app.thread("T3 mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
  return { app, aMutex };
}
