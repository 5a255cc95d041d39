// Seed 002 (DAX), issue 5 of Ross Zwisler's list: "In __dax_fault() we rely
// on the presence of a page pointer to know whether [we hold i_mmap_rwsem]"
// -- "fail to release i_mmap_lock_write() on racing read faults".
//
// Variant: the v4.3-rc __dax_fault() as the post describes it, one fault
// handler for one file mapping, which tells a write fault from a read fault
// by FAULT_FLAG_WRITE. A write fault looks for a page cache page over the
// hole; with none, it takes i_mmap_lock_write(). Once the block is allocated
// it checks again ("we didn't race with a read fault installing a new page"),
// and if a read fault meanwhile put a zero page over the hole it takes that
// page into `page` and removes it from the page cache. On the way out it
// decides what to release by `page`: unlock and put the page if there is one,
// i_mmap_unlock_write() otherwise. A read fault of the hole maps a zero page
// from the page cache (dax_load_hole()) without i_mmap_rwsem.
//
// Expected verdict: lock-leak: the write fault returns to user space still
// holding i_mmap_rwsem for write, on the path where the read fault installed
// its page between the write fault's two lookups. The page pointer stands in
// for "I took i_mmap_rwsem", and the race makes it lie; every later fault or
// truncate of the file would then block on i_mmap_rwsem.
// Reference: ../shared/reference/seed002_dax/dax_f_lock_leak.tla.
import { FAULT_FLAG_WRITE, model, not } from "faultline";

export default model("seed002 DAX read fault race leaks i_mmap", (m) => {
  const app = m.process("app");
  const iMmap = m.rwsem("i_mmap_rwsem");
  const zeroPage = m.bool("hole_page_in_cache", false); // a page cache page over the hole

  const daxFault = m.proc("__dax_fault", (p) => {
    const page = p.bool("page", false); // struct page *page: set only by a write fault that finds one
    p.if(
      FAULT_FLAG_WRITE,
      (w) => {
        w.if(zeroPage, (b) => b.set(page, true)); // page = find_get_page(mapping, pgoff)
        w.if(not(page), (b) => b.downWrite(iMmap)); // no page: i_mmap_lock_write(mapping)
        // get_block(inode, block, &bh, 1): the hole gets a block
        // "Check we didn't race with a read fault installing a new page"
        w.if(not(page), (b) => b.if(zeroPage, (c) => c.set(page, true))); // page = find_lock_page()
        w.if(page, (b) => b.set(zeroPage, false)); // unmap_mapping_range(); delete_from_page_cache(page)
        // dax_insert_mapping()
        // out:
        w.if(page, (b) => b.set(page, false), (b) => b.upWrite(iMmap)); // unlock_page + page_cache_release, or i_mmap_unlock_write
      },
      (r) => {
        // hole, read fault: dax_load_hole() -> find_or_create_page()
        r.set(zeroPage, true);
      },
    );
  });
  const file = app.region("dax_file", { fault: daxFault });

  app.thread("T1 write fault", (t) => t.store(file));
  app.thread("T2 read fault", (t) => t.load(file));
  m.lockOrder(app.mmapLock, iMmap); // mm/filemap.c: ->mmap_lock ->i_mmap_rwsem
});
