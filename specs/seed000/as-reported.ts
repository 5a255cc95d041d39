// Seed 000, as reported: driver A's ioctl holds A_mutex across copy_to_user.
// Expected: deadlock. T1's copy faults and its down_read(mmap_lock) queues
// behind T3's down_write, which waits for T2's read hold, and T2 waits in the
// fault path for A_mutex, held by T1.
import { model } from "faultline";
import { scenario } from "./_scenario.js";

export default model("seed000 as reported", (m) => {
  const { app, aMutex } = scenario(m);
  const buf = app.region("user_buf");

  app.thread("T1 ioctl", (t) => {
    t.lock(aMutex);
    t.copyToUser(buf);
    t.unlock(aMutex);
  });
});
