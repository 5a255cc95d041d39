// Seed 004 (userfaultfd), the commit's fix: "using pagefault_disable() ensures
// that no matter what locking implementation is used a deadlock will not
// occur." mcopy_atomic_pte() copies with page faults disabled; if the copy
// faults it returns -ENOENT, and __mcopy_atomic() drops mmap_read_lock(dst_mm),
// does the copy with page faults enabled, and retries under the lock.
//
// Variant: four-threads.ts with pagefault_disable() around the copy (explicit
// now that kmap_local_page() replaces kmap_atomic()) and the
// drop-the-lock-and-retry fallback; fair mmap_lock.
//
// Expected verdict: ok. Under the read lock the copy can only fail, never
// wait; the copy that may fault runs with no mmap_lock held, so it waits at
// most for the other process's writer, which waits at most for a read hold
// that will be dropped.
import { model } from "faultline";
import { fourThreads } from "./_uffd.js";

export default model("seed004 uffd pagefault_disable", (m) => {
  fourThreads(m, { pagefaultDisable: true });
});
