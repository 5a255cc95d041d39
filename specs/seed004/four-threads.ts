// Seed 004 (userfaultfd), Matthew Wilcox's scenario from the commit message:
// two processes, each with a thread that holds its own mmap_lock for read
// (mmap_read_lock(dst_mm) in mcopy_atomic) while copying from memory that
// faults into the other process's mmap_lock, and a thread that calls mmap().
//
// Variant: copy with page faults enabled, as a plain kmap()/kmap_local_page()
// conversion without pagefault_disable() would do (kmap_atomic() used to
// disable page faults implicitly); mmap_lock is Linux's fair rwsem. Holding
// one's own mm while faulting into the other's is the commit message's
// abstraction; a real monitor holds the target's dst_mm and faults on its own
// source buffer, which is the same cycle with the two locks' roles swapped.
//
// Expected verdict: deadlock, all four threads. "A1 takes read lock on own
// mmap_lock; A2 calls mmap, blocks taking write lock; B1 ... read lock on own
// mmap lock; B2 calls mmap, blocks taking write lock; A1 blocks taking read
// lock on process B; B1 blocks taking read lock on process A." A1's fault
// queues behind B2, which waits for B1's read hold; B1's fault queues behind
// A2, which waits for A1's.
import { model } from "faultline";
import { fourThreads } from "./_uffd.js";

export default model("seed004 uffd 4 threads", (m) => {
  fourThreads(m);
});
