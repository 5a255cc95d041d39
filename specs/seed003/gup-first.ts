// Seed 003 (/proc/self/pagemap), Matt Mackall's defence: "the get_user_pages
// is there to force all the output pages to be guaranteed present before we
// later fill them". Linus: "Why would get_user_pages() guarantee that the
// pages don't get swapped out in the meantime, and you end up with a page
// fault _anyway_?"
//
// Variant: same-process.ts with get_user_pages() on the output buffer before
// the walk, as in the code then merged; the 2014 kernel calls the lock mmap_sem.
//
// Expected verdict: deadlock, the same one as same-process.ts. get_user_pages()
// pins the physical pages but not the page table entries: reclaim
// (try_to_unmap, here kswapd) can leave the pte absent again, so the put_user()
// under mmap_sem can still fault. The buffer's residency is tracked, so the
// trace shows get_user_pages faulting the page in, kswapd unmapping it, and
// put_user faulting. Reference: ../shared/reference/seed003_pagemap/pagemap_c_gup_reclaim.tla.
import { model } from "faultline";
import { mmapThread, pagemapRead } from "./_pagemap.js";

export default model("seed003 pagemap get_user_pages first", (m) => {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const buf = app.region("app.buf", { tracked: "absent" });
  app.thread("pagemap_read", pagemapRead(app, app, buf, { gupFirst: true }));
  mmapThread(app, "mmap");
  app.thread("kswapd", (t) => t.evict(buf)); // shrink_page_list() -> try_to_unmap()
});
