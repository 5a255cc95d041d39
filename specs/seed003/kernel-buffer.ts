// Seed 003 (/proc/PID/pagemap), the fix: pagemap_read() walks the target's
// page tables under its mmap_sem into a kernel buffer, drops mmap_sem, and
// only then copies the entries to user space (copy_to_user() after up_read()),
// chunk by chunk.
//
// Variant: two-processes.ts (A reads /proc/B/pagemap, B reads
// /proc/A/pagemap, both processes also calling mmap()) with the kernel
// buffer.
//
// Expected verdict: ok. The user copy may still fault, and the fault still
// takes the reader's own mmap_sem for read, but the reader holds no mmap_sem
// at that point, so it only waits for its own process's mmap() writer, which
// can always finish. No thread waits for anything while holding the target's
// mmap_sem, so there is no cycle, within one mm or across two.
import { model } from "faultline";
import { mmapThread, pagemapRead } from "./_pagemap.js";

export default model("seed003 pagemap kernel buffer", (m) => {
  const a = m.process("A");
  const b = m.process("B");
  const bufA = a.region("A.buf");
  const bufB = b.region("B.buf");
  a.thread("A pagemap_read(B)", pagemapRead(a, b, bufA, { kernelBuffer: true }));
  b.thread("B pagemap_read(A)", pagemapRead(b, a, bufB, { kernelBuffer: true }));
  mmapThread(a, "A mmap");
  mmapThread(b, "B mmap");
});
