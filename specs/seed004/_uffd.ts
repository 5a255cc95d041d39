// Seed 004 (userfaultfd, commit "userfaultfd: replace kmap/kmap_atomic with
// kmap_local_page"): the pieces of Matthew Wilcox's scenario. UFFDIO_COPY ends
// in mcopy_atomic_pte(), which copies the source page from user space
// (copy_from_user into the kmap'ed destination page) while holding
// mmap_read_lock(dst_mm).
import type { Body, ModelBuilder, ProcessBuilder, RegionRef, RwsemPolicy } from "faultline";

export interface UffdOptions {
  /** mmap_lock policy of every process (default: Linux's fair rwsem). */
  readonly policy?: RwsemPolicy;
  /** Copy with page faults disabled, falling back to drop-the-lock, copy and `goto retry` on -EFAULT. */
  readonly pagefaultDisable?: boolean;
}

/**
 * A thread of `owner` that takes the read lock on `locked`'s mmap_lock and,
 * holding it, copies from `src` (user memory; a fault takes its owner's
 * mmap_lock for read).
 */
export function copyUnderReadLock(locked: ProcessBuilder, src: RegionRef, opts: UffdOptions) {
  if (!opts.pagefaultDisable) {
    return (t: Body) => {
      t.downRead(locked.mmapLock); // mmap_read_lock(dst_mm)
      t.copyFromUser(src); // mcopy_atomic_pte(): copy_from_user(page_kaddr, src_addr)
      t.upRead(locked.mmapLock);
    };
  }
  // The commit's version, as __mcopy_atomic() writes it:
  //
  //   retry:
  //     mmap_read_lock(dst_mm);
  //     err = mcopy_atomic_pte(..., &page);   /* copy_from_user with page faults
  //                                              disabled, unless *pagep holds the
  //                                              page copied last round */
  //     if (err == -ENOENT) {                 /* the copy faulted */
  //             mmap_read_unlock(dst_mm);
  //             err = copy_from_user(page_kaddr, src_addr, PAGE_SIZE);
  //             goto retry;
  //     }
  //     mmap_read_unlock(dst_mm);
  //
  // `ret` and `page` are the function's locals; the retry is a loop.
  return (t: Body) => {
    const ret = t.enum("ret", ["0", "-EFAULT"], "0"); // -ENOENT from mcopy_atomic_pte()
    const page = t.bool("page", false); // *pagep: the source page, copied with faults enabled
    t.loop((l) => {
      l.downRead(locked.mmapLock); // mmap_read_lock(dst_mm)
      l.if(page, (done) => {
        done.upRead(locked.mmapLock); // the page copied last round: no user access
        done.break();
      });
      l.pagefaultDisable();
      l.copyFromUser(src, { ret }); // kmap_local_page(); copy_from_user() with faults disabled
      l.pagefaultEnable();
      l.if(ret.eq("0"), (done) => {
        done.upRead(locked.mmapLock);
        done.break();
      });
      l.upRead(locked.mmapLock); // mmap_read_unlock(dst_mm)
      l.copyFromUser(src); // copy_from_user() with page faults enabled, no mmap_lock
      l.set(page, true);
    });
  };
}

/** Another thread of `proc` calls mmap(): blocks taking the write lock. */
export function mmapThread(proc: ProcessBuilder, name: string) {
  proc.thread(name, (t) => {
    t.downWrite(proc.mmapLock);
    t.upWrite(proc.mmapLock);
  });
}

/**
 * The commit message's four threads: "process A thread 1 takes read lock on
 * own mmap_lock; process A thread 2 calls mmap, blocks taking write lock;
 * process B thread 1 takes page fault, read lock on own mmap lock; process B
 * thread 2 calls mmap, blocks taking write lock; process A thread 1 blocks
 * taking read lock on process B; process B thread 1 blocks taking read lock
 * on process A". Thread 1 of each process holds its own mmap_lock for read
 * and touches memory of the other process, so its fault takes the other
 * process's mmap_lock.
 */
export function fourThreads(m: ModelBuilder, opts: UffdOptions = {}) {
  const mm = opts.policy ? { mmapPolicy: opts.policy } : {};
  const a = m.process("A", mm);
  const b = m.process("B", mm);
  const srcInB = b.region("B.src"); // memory of B that A's thread 1 copies from
  const srcInA = a.region("A.src"); // memory of A that B's thread 1 copies from
  a.thread("A1 copy", copyUnderReadLock(a, srcInB, opts));
  mmapThread(a, "A2 mmap");
  b.thread("B1 copy", copyUnderReadLock(b, srcInA, opts));
  mmapThread(b, "B2 mmap");
}

/**
 * The commit message's single-threaded case with one mm: UFFDIO_COPY into the
 * caller's own mm (dst_mm == current->mm), copying from its own memory, so
 * the fault takes the mmap_lock the thread already holds for read; plus the
 * other thread of the process that calls mmap().
 */
export function sameMm(m: ModelBuilder, opts: UffdOptions = {}) {
  const a = m.process("A", opts.policy ? { mmapPolicy: opts.policy } : {});
  const src = a.region("A.src");
  a.thread("A1 UFFDIO_COPY", copyUnderReadLock(a, src, opts));
  mmapThread(a, "A2 mmap");
}
