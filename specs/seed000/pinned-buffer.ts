// Seed 000 with the user buffer pinned in memory (mlock): copy_to_user can
// never fault, so T1 never needs mmap_lock while holding A_mutex.
// Expected: no deadlock.
import { model } from "faultline";
import { scenario } from "./_scenario.js";

export default model("seed000 pinned buffer", (m) => {
  const { app, aMutex } = scenario(m);
  const buf = app.region("user_buf", { pinned: true });

  app.thread("T1 ioctl", (t) => {
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
});
