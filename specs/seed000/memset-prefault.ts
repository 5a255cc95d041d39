// Seed 000, the reporter's workaround: memset() the whole user buffer before
// the ioctl so that it is mapped. Expected: still a deadlock. The page can be
// reclaimed again between the memset and copy_to_user (SEMANTICS: prefaulting
// does not change whether an access may fault).
//
// The buffer's residency is tracked, so the trace shows why: the memset faults
// the page in, reclaim (kswapd, through rmap: no mmap_lock) unmaps it again,
// and the copy under A_mutex faults after all. Reference:
// ../shared/reference/seed000_squashfs/squashfs_b_memset_evictable.tla.
import { model } from "faultline";
import { scenario } from "./_scenario.js";

export default model("seed000 memset prefault", (m) => {
  const { app, aMutex } = scenario(m);
  const buf = app.region("user_buf", { tracked: "absent" });

  app.thread("T1 ioctl", (t) => {
    t.store(buf); // memset(buf, 0, len) in user space, before the syscall
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
  // shrink_page_list() -> try_to_unmap(): the buffer's page may go at any time.
  app.thread("kswapd", (t) => {
    t.evict(buf);
  });
});
