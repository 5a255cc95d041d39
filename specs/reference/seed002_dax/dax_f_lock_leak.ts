// Reference scenario seed002 (f), /work/shared/reference/seed002_dax/
// dax_f_lock_leak.tla, issue 5 of the thread: v4.3-rc __dax_fault takes
// i_mmap_lock_write() when find_get_page() finds no page and releases it at the end
// only "if (!page)". A write fault re-looks the page up after allocating; if a
// racing read fault has meanwhile installed a hole page (dax_load_hole(), after it
// dropped i_mmap_rwsem), page is no longer NULL and the write fault returns still
// holding i_mmap_rwsem. One fault procedure tells the two apart by FAULT_FLAG_WRITE.
//
//     page = find_get_page(mapping, vmf->pgoff);
//     if (page) { ...lock_page...; } else { i_mmap_lock_write(mapping); }
//     error = get_block(inode, block, &bh, 0);
//     if (!buffer_written(&bh) && !(vmf->flags & FAULT_FLAG_WRITE)) {
//             i_mmap_unlock_write(mapping);
//             return dax_load_hole(mapping, page, vmf);   /* installs a hole page */
//     }
//     if (!page && major) page = find_lock_page(mapping, vmf->pgoff);
//     ...
//     if (!page) i_mmap_unlock_write(mapping);
//
// The page found is the hole page, which the write fault takes out of the page
// cache (unmap and delete it), as the reference does. The threads call the fault
// path directly: mmap_lock is uncontended here and left out, as in the reference.
//
// Expected verdict: lock-leak (W returns holding i_mmap_rwsem).
import { FAULT_FLAG_WRITE, model, not } from "faultline";

export default model("reference dax_f lock leak", (m) => {
  const app = m.process("app");
  const iMmap = m.rwsem("i_mmap_rwsem");
  const holePage = m.bool("hole_page_cached", false);
  const daxFault = m.proc("__dax_fault", (p) => {
    const page = p.bool("page", false);
    p.if(holePage, (b) => b.set(page, true)); // page = find_get_page(mapping, vmf->pgoff)
    p.if(page, (found) => {
      // lock_page(page): the write fault replaces the hole page
      found.if(FAULT_FLAG_WRITE, (w) => w.set(holePage, false));
      found.return();
    });
    p.downWrite(iMmap); // i_mmap_lock_write(mapping)
    // get_block(inode, block, &bh, 0): a hole; a read fault maps the hole page
    p.if(
      FAULT_FLAG_WRITE,
      (w) => {
        // get_block(inode, block, &bh, 1) allocates; then "if (!page && major)"
        w.if(holePage, (b) => {
          b.set(page, true); // page = find_lock_page(mapping, vmf->pgoff)
          b.set(holePage, false); // unmap_mapping_range(); delete_from_page_cache(page)
        });
        w.if(not(page), (b) => b.upWrite(iMmap)); // if (!page) i_mmap_unlock_write(mapping)
      },
      (r) => {
        r.upWrite(iMmap); // i_mmap_unlock_write(mapping)
        r.set(holePage, true); // dax_load_hole(): find_or_create_page()
      },
    );
  });
  const file = app.region("dax_file", { fault: daxFault });
  app.thread("W write fault", (t) => t.store(file));
  app.thread("R read fault", (t) => t.load(file));
});
