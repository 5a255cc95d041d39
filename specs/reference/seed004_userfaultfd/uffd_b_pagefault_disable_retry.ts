// Reference scenario seed004 (b), /work/shared/reference/seed004_userfaultfd/
// uffd_b_pagefault_disable_retry.tla: the fix the conversion kept. The copy under
// A's mmap_lock runs with pagefault_disable(); on failure __mcopy_atomic() drops
// the lock, copies with page faults enabled (the fault takes B's mmap_lock for
// read with no other lock held), then retakes the lock and installs the page it
// already copied (no user access, cannot fail). B1 symmetric; A2, B2 call mmap().
//
//     mmap_read_lock(dst_mm);
//     pagefault_disable();
//     ret = copy_from_user(page_kaddr, src_addr, PAGE_SIZE);
//     pagefault_enable();
//     if (unlikely(ret)) {
//             mmap_read_unlock(dst_mm);
//             ret = copy_from_user(page_kaddr, src_addr, PAGE_SIZE);
//             mmap_read_lock(dst_mm);          /* retry: the page is ready */
//     }
//     mmap_read_unlock(dst_mm);
//
// Expected verdict: ok.
import { type Body, type ProcessBuilder, type RegionRef, model } from "faultline";

function copyWithRetry(locked: ProcessBuilder, src: RegionRef) {
  return (t: Body) => {
    const ret = t.bool("ret", false);
    t.downRead(locked.mmapLock);
    t.pagefaultDisable();
    t.copyFromUser(src, { ret }); // -EFAULT instead of a fault
    t.pagefaultEnable();
    t.if(ret, (slow) => {
      slow.upRead(locked.mmapLock);
      slow.copyFromUser(src); // page faults enabled, no mmap_lock held
      slow.downRead(locked.mmapLock);
    });
    t.upRead(locked.mmapLock);
  };
}

function mmapThread(proc: ProcessBuilder, name: string) {
  proc.thread(name, (t) => {
    t.downWrite(proc.mmapLock);
    t.upWrite(proc.mmapLock);
  });
}

export default model("reference uffd_b pagefault_disable retry", (m) => {
  const a = m.process("A");
  const b = m.process("B");
  const srcInB = b.region("B.src");
  const srcInA = a.region("A.src");
  a.thread("A1 UFFDIO_COPY", copyWithRetry(a, srcInB));
  b.thread("B1 UFFDIO_COPY", copyWithRetry(b, srcInA));
  mmapThread(a, "A2 mmap");
  mmapThread(b, "B2 mmap");
});
