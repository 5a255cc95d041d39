// Seed 000, the reporter's workaround: memset() the whole user buffer before
// the ioctl so that it is mapped. Expected: still a deadlock. The page can be
// reclaimed again between the memset and copy_to_user (SEMANTICS: prefaulting
// does not change whether an access may fault).
import { model } from "faultline";
import { scenario } from "./_scenario.js";

export default model("seed000 memset prefault", (m) => {
  const { app, aMutex } = scenario(m);
  const buf = app.region("user_buf");

  app.thread("T1 ioctl", (t) => {
    t.store(buf); // memset(buf, 0, len) in user space, before the syscall
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
});
