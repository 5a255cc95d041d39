// Seed 000 "Yet another page fault deadlock" (linux-mm): the parts every variant
// shares. Driver B (encrypted block device under squashfs) decrypts through
// driver A's in-kernel API, which takes A_mutex; a thread of the same process
// reads the mmap'ed squashfs image; another calls mmap (mmap_lock for write).
import type { ModelBuilder } from "faultline";

export function scenario(m: ModelBuilder) {
  const app = m.process("app");
  const aMutex = m.mutex("A_mutex");

  // Driver A's in-kernel API: every operation runs under A_mutex.
  const driverADecrypt = m.proc("driverA_decrypt", (p) => {
    p.lock(aMutex);
    p.unlock(aMutex);
  });
  // squashfs filemap fault -> read request to driver B -> driver A.
  const driverBRead = m.proc("driverB_read", (p) => p.call(driverADecrypt));
  const squashfsFault = m.proc("squashfs_fault", (p) => p.call(driverBRead));
  const image = app.region("squashfs_map", { fault: squashfsFault });

  // Thread 2 reads from the mmap'ed squashfs file: the page fault takes mmap_lock
  // for read, then hangs on A_mutex inside driver A.
  app.thread("T2 reader", (t) => {
    t.load(image);
  });
  // Thread 3: mmap or mprotect, mmap_lock for write.
  app.thread("T3 mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
  return { app, aMutex };
}
