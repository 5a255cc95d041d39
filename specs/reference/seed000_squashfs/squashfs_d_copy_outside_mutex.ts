// Reference scenario seed000 (d)
// (../shared/reference/seed000_squashfs/squashfs_d_copy_outside_mutex.tla): the
// proposed fix, driver A copies from user space before taking A_mutex, so its
// fault never holds A_mutex. Expected: ok.
import { model } from "faultline";
import { squashfs } from "./_squashfs.js";

export default model("squashfs_d_copy_outside_mutex", (m) => {
  const { app, aMutex } = squashfs(m);
  const buf = app.region("user_buf");

  app.thread("T1 ioctl", (t) => {
    t.copyFromUser(buf);
    t.lock(aMutex);
    t.unlock(aMutex); // the request is processed under A_mutex
  });
});
