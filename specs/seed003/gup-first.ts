// Seed 003 (/proc/self/pagemap), Matt Mackall's defence: "the get_user_pages
// is there to force all the output pages to be guaranteed present before we
// later fill them". Linus: "Why would get_user_pages() guarantee that the
// pages don't get swapped out in the meantime, and you end up with a page
// fault _anyway_?"
//
// Variant: same-process.ts with get_user_pages() on the output buffer before
// the walk, as in the code then merged.
//
// Expected verdict: deadlock, the same one as same-process.ts. get_user_pages()
// pins the physical pages but not the page table entries: reclaim
// (try_to_unmap), munmap, or software-managed accessed/dirty bits can leave the
// pte absent again, so the put_user() under mmap_sem can still fault. The
// model does not treat the buffer as pinned (only mlock would), so the checker
// finds the same cycle, just one that is rarer in practice.
import { model } from "faultline";
import { mmapThread, pagemapRead } from "./_pagemap.js";

export default model("seed003 pagemap get_user_pages first", (m) => {
  const app = m.process("app");
  const buf = app.region("app.buf");
  app.thread("pagemap_read", pagemapRead(app, app, buf, { gupFirst: true }));
  mmapThread(app, "mmap");
});
