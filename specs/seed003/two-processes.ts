// Seed 003 (/proc/PID/pagemap) with two processes: "The fact that it's a
// separate mm doesn't change the deadlock in _any_ shape or form. [...] it
// would just make the deadlock possible as an ABBA thing across two different
// VM's instead of through a single VM."
//
// Variant: process A reads /proc/B/pagemap while process B reads
// /proc/A/pagemap; each process has a second thread calling mmap(). mmap_lock
// is Linux's fair rwsem.
//
// Expected verdict: deadlock across the two mms (four threads). A's reader
// holds B's mmap_sem for read and its put_user() faults on A's own buffer; B's
// reader holds A's mmap_sem and faults on B's buffer. Each fault's down_read
// queues behind its own process's mmap() writer, and each writer waits for the
// other process's reader to drop the read hold it took as the walk's target.
import { model } from "faultline";
import { mmapThread, pagemapRead } from "./_pagemap.js";

export default model("seed003 pagemap two processes", (m) => {
  const a = m.process("A");
  const b = m.process("B");
  const bufA = a.region("A.buf");
  const bufB = b.region("B.buf");
  a.thread("A pagemap_read(B)", pagemapRead(a, b, bufA));
  b.thread("B pagemap_read(A)", pagemapRead(b, a, bufB));
  mmapThread(a, "A mmap");
  mmapThread(b, "B mmap");
});
