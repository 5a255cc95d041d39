// Reference scenario seed003 (d), /work/shared/reference/seed003_pagemap/
// pagemap_d_kernel_buffer.tla: the fix. The walk fills a kernel buffer under the
// target mm's mmap_sem, and the copy to the user buffer happens after up_read.
// Covers both earlier settings: RP (in P) reads the pagemap of P itself or of Q,
// RQ (in Q) of Q or of P; WP and WQ call mmap() in P and Q.
//
//     down_read(&mm->mmap_sem);
//     walk_page_range(...);        /* into a kmalloc()ed buffer */
//     up_read(&mm->mmap_sem);
//     copy_to_user(buf, pm.buffer, len);
//
// Expected verdict: ok.
import { type Body, type ModelBuilder, type ProcessBuilder, type RegionRef, model } from "faultline";

function pagemapRead(self: ProcessBuilder, other: ProcessBuilder, buf: RegionRef) {
  return (t: Body) => {
    // /proc/self/pagemap or /proc/<other>/pagemap
    t.either(
      (b) => {
        b.downRead(self.mmapLock);
        b.upRead(self.mmapLock);
      },
      (b) => {
        b.downRead(other.mmapLock);
        b.upRead(other.mmapLock);
      },
    );
    t.putUser(buf); // copy_to_user() with no mmap_sem held
  };
}

function mmapThread(proc: ProcessBuilder, name: string) {
  proc.thread(name, (t) => {
    t.downWrite(proc.mmapLock);
    t.upWrite(proc.mmapLock);
  });
}

export default model("reference pagemap_d kernel buffer", (m: ModelBuilder) => {
  const p = m.process("P", { mmapLock: "mmap_sem" });
  const q = m.process("Q", { mmapLock: "mmap_sem" });
  const pBuf = p.region("P.buf");
  const qBuf = q.region("Q.buf");
  p.thread("RP pagemap_read", pagemapRead(p, q, pBuf));
  q.thread("RQ pagemap_read", pagemapRead(q, p, qBuf));
  mmapThread(p, "WP mmap");
  mmapThread(q, "WQ mmap");
});
