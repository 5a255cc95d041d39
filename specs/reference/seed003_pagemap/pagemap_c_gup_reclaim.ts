// Reference scenario seed003 (c), /work/shared/reference/seed003_pagemap/
// pagemap_c_gup_reclaim.tla: pagemap_read() first runs get_user_pages() on the
// output buffer (under down_read: fault the page in and pin it), then walks with
// mmap_sem held for read and writes with put_user(). The pin keeps the physical
// page, not the pte: reclaim (try_to_unmap, no mmap_sem) can clear it, so the
// put_user can still fault. The buffer's residency is tracked; another thread
// calls mmap().
//
//     down_read(&mm->mmap_sem);
//     get_user_pages(current, mm, buf, 1, 1 /* write */, 0, pages, NULL);
//     up_read(&mm->mmap_sem);
//     down_read(&mm->mmap_sem);
//     walk_page_range(...);        /* put_user(pfn, pm->out) */
//     up_read(&mm->mmap_sem);
//
// Expected verdict: deadlock (as (a), after kswapd unmaps the pinned page).
import { model } from "faultline";

export default model("reference pagemap_c gup reclaim", (m) => {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const buf = app.region("user_buf", { tracked: "absent" });
  app.thread("R pagemap_read", (t) => {
    t.downRead(app.mmapLock);
    t.getUserPages(buf, { write: true });
    t.upRead(app.mmapLock);
    t.downRead(app.mmapLock);
    t.putUser(buf); // add_to_pagemap(): faults if the pte is gone
    t.upRead(app.mmapLock);
  });
  app.thread("W mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
  app.thread("K kswapd", (t) => t.evict(buf)); // shrink_page_list() -> try_to_unmap()
});
