// Reference scenario seed003 (b), /work/shared/reference/seed003_pagemap/
// pagemap_b_two_mms_abba.tla: Linus's point that with a target mm other than
// current's the same bug is an ABBA deadlock across two VMs. RP (in P) reads
// /proc/Q/pagemap: it holds Q's mmap_sem for read across put_user() into its own
// buffer, which may fault and take P's mmap_sem for read; RQ (in Q) reads
// /proc/P/pagemap. WP and WQ call mmap() in P and Q.
//
// Expected verdict: deadlock (RP holds Q and waits for P behind WP; RQ holds P and
// waits for Q behind WQ).
import { type Body, type ModelBuilder, type ProcessBuilder, type RegionRef, model } from "faultline";

function pagemapRead(target: ProcessBuilder, buf: RegionRef) {
  return (t: Body) => {
    t.downRead(target.mmapLock); // walk_page_range() over the target mm
    t.putUser(buf); // add_to_pagemap(): put_user() into the reader's own buffer
    t.upRead(target.mmapLock);
  };
}

function mmapThread(proc: ProcessBuilder, name: string) {
  proc.thread(name, (t) => {
    t.downWrite(proc.mmapLock);
    t.upWrite(proc.mmapLock);
  });
}

export default model("reference pagemap_b two mms ABBA", (m: ModelBuilder) => {
  const p = m.process("P", { mmapLock: "mmap_sem" });
  const q = m.process("Q", { mmapLock: "mmap_sem" });
  const pBuf = p.region("P.buf");
  const qBuf = q.region("Q.buf");
  p.thread("RP reads /proc/Q/pagemap", pagemapRead(q, pBuf));
  q.thread("RQ reads /proc/P/pagemap", pagemapRead(p, qBuf));
  mmapThread(p, "WP mmap");
  mmapThread(q, "WQ mmap");
});
