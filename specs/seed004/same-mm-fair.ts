// Seed 004 (userfaultfd), the commit message's single-mm case: "3) Readlock
// implementation is _not_ recursive (issue)". UFFDIO_COPY into the caller's
// own mm holds mmap_read_lock(dst_mm) and copies from its own memory; the
// copy faults and the fault takes the same mmap_lock for read again. Another
// thread of the process calls mmap().
//
// Variant: copy with page faults enabled; mmap_lock is Linux's fair rwsem.
//
// Expected verdict: deadlock, two threads. "The readlock implementation is
// only recursive if nobody else has taken a write lock": the mmap() writer
// queues behind A1's read hold, and A1's second down_read queues behind the
// writer.
import { model } from "faultline";
import { sameMm } from "./_uffd.js";

export default model("seed004 uffd same mm fair", (m) => {
  sameMm(m);
});
