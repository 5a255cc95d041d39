// Seed 000, the fix the reporter proposes: driver A makes every copy_from_user
// and copy_to_user without A_mutex held (copy in, work under the mutex, copy out).
// Expected: no deadlock.
import { model } from "faultline";
import { scenario } from "./_scenario.js";

export default model("seed000 copy outside lock", (m) => {
  const { app, aMutex } = scenario(m);
  const buf = app.region("user_buf");

  app.thread("T1 ioctl", (t) => {
    t.copyFromUser(buf);
    t.lock(aMutex);
    t.unlock(aMutex);
    t.copyToUser(buf);
  });
});
