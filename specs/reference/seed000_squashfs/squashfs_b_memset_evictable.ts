// Reference scenario seed000 (b)
// (../shared/reference/seed000_squashfs/squashfs_b_memset_evictable.tla): the
// reporter's workaround, memset() the buffer in user space before the request,
// so its page is mapped; but reclaim may unmap it again (rmap, no mmap_sem)
// before copy_to_user under A_mutex, which then faults. Expected: deadlock.
import { model } from "faultline";
import { squashfs } from "./_squashfs.js";

export default model("squashfs_b_memset_evictable", (m) => {
  const { app, aMutex } = squashfs(m);
  const buf = app.region("user_buf", { tracked: "absent" });

  app.thread("T1 ioctl", (t) => {
    t.store(buf); // memset(buf, 0, len) in user space: faults the page in
    t.lock(aMutex);
    t.copyToUser(buf); // faults iff reclaim unmapped the page since
    t.unlock(aMutex);
  });
  // shrink_page_list() -> try_to_unmap(): may unmap the buffer's page once.
  app.thread("kswapd", (t) => {
    t.evict(buf);
  });
});
