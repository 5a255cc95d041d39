// Reference scenario seed004 (a), /work/shared/reference/seed004_userfaultfd/
// uffd_a_cross_process.tla: Matthew Wilcox's four threads from the userfaultfd
// kmap_local_page conversion. A1 holds A's mmap_lock for read and copies from B's
// memory with page faults enabled (mcopy_atomic_pte(): copy_from_user under
// mmap_read_lock(dst_mm)); the fault takes B's mmap_lock for read. B1 is
// symmetric; A2 and B2 call mmap() in A and B.
//
// Expected verdict: deadlock.
import { type Body, type ProcessBuilder, type RegionRef, model } from "faultline";

function copyUnderReadLock(locked: ProcessBuilder, src: RegionRef) {
  return (t: Body) => {
    t.downRead(locked.mmapLock); // mmap_read_lock(dst_mm)
    t.copyFromUser(src); // copy_from_user(page_kaddr, src_addr): may fault on the other mm
    t.upRead(locked.mmapLock);
  };
}

function mmapThread(proc: ProcessBuilder, name: string) {
  proc.thread(name, (t) => {
    t.downWrite(proc.mmapLock);
    t.upWrite(proc.mmapLock);
  });
}

export default model("reference uffd_a cross process", (m) => {
  const a = m.process("A");
  const b = m.process("B");
  const srcInB = b.region("B.src");
  const srcInA = a.region("A.src");
  a.thread("A1 UFFDIO_COPY", copyUnderReadLock(a, srcInB));
  b.thread("B1 UFFDIO_COPY", copyUnderReadLock(b, srcInA));
  mmapThread(a, "A2 mmap");
  mmapThread(b, "B2 mmap");
});
