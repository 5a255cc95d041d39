// Reference scenario seed000 (a), as reported
// (../shared/reference/seed000_squashfs/squashfs_a_reported.tla): driver A's
// request holds A_mutex across copy_to_user, whose fault takes mmap_sem for
// read; the squashfs fault holds mmap_sem for read and reaches A_mutex through
// driver B; mmap() queues for write between them. Expected: deadlock.
import { model } from "faultline";
import { squashfs } from "./_squashfs.js";

export default model("squashfs_a_reported", (m) => {
  const { app, aMutex } = squashfs(m);
  const buf = app.region("user_buf");

  app.thread("T1 ioctl", (t) => {
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
});
