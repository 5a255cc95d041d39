// Reference scenario seed000 (c)
// (../shared/reference/seed000_squashfs/squashfs_c_memset_mlocked.tla): the
// buffer is prefaulted by memset and mlock()ed, so nothing unmaps it again and
// copy_to_user under A_mutex never faults. The memset's own fault (no kernel
// lock held) still takes mmap_sem for read. Expected: ok.
import { model } from "faultline";
import { squashfs } from "./_squashfs.js";

export default model("squashfs_c_memset_mlocked", (m) => {
  const { app, aMutex } = squashfs(m);
  // Tracked, and no thread evicts it: once memset has mapped it, it stays.
  const buf = app.region("user_buf", { tracked: "absent" });

  app.thread("T1 ioctl", (t) => {
    t.store(buf); // memset(buf, 0, len); mlock(buf, len)
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
});
