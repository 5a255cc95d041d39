// Seed 003 (/proc/PID/pagemap): pagemap_read() as in the patch "proc: pagemap:
// Hold mmap_sem during page walk", and the thread that completes every cycle:
// another thread of the reading process calling mmap() (down_write(mmap_sem)).
import type { Body, ProcessBuilder, RegionRef } from "faultline";

export interface PagemapOptions {
  /** get_user_pages() on the output buffer first (the code as merged). */
  readonly gupFirst?: boolean;
  /** The fix: walk into a kernel buffer, copy_to_user() after up_read(). */
  readonly kernelBuffer?: boolean;
}

/**
 * pagemap_read(): `reader` reads /proc/<target>/pagemap into its buffer `buf`.
 * pagemap_pte_range() -> add_to_pagemap() -> put_user() into `buf` for every
 * entry, with the target's mmap_sem held for read over the walk (it uses the
 * vma inside the loop).
 */
export function pagemapRead(reader: ProcessBuilder, target: ProcessBuilder, buf: RegionRef, opts: PagemapOptions = {}) {
  return (t: Body) => {
    if (opts.gupFirst) {
      // get_user_pages(current, current->mm, buf, ..., 1 /* write */, 0, pages, NULL):
      // faults the buffer's pages in (handle_mm_fault under this down_read, not a
      // user access) and pins the physical pages. The ptes can still go away.
      t.downRead(reader.mmapLock);
      t.getUserPages(buf, { write: true });
      t.upRead(reader.mmapLock);
    }
    t.downRead(target.mmapLock); // walk_page_range() over the target mm
    if (opts.kernelBuffer) {
      t.upRead(target.mmapLock); // entries collected in a kmalloc()ed buffer
      t.copyToUser(buf); // copy_to_user() with no mmap_sem held
    } else {
      t.putUser(buf); // add_to_pagemap(): put_user(pfn, pm->out)
      t.upRead(target.mmapLock);
    }
  };
}

/** Another thread of `proc`: mmap()/munmap()/mprotect(), down_write(mmap_sem). */
export function mmapThread(proc: ProcessBuilder, name: string) {
  proc.thread(name, (t) => {
    t.downWrite(proc.mmapLock);
    t.upWrite(proc.mmapLock);
  });
}
