// Step merging (src/ir/merge.ts): get_user_pages' residency test and its install
// run in one step with the down_read before them (a fault-in is one write), and
// the put_user after a second down_read runs through its own test; reclaim between
// them still leads to the fault under mmap_lock that deadlocks with a queued writer.
import { model } from "../../../src/dsl/model.js";

export default model("merge gup fault-in", (m) => {
  const app = m.process("app");
  const buf = app.region("buf", { tracked: "absent" });
  app.thread("R", (t) => {
    t.downRead(app.mmapLock);
    t.getUserPages(buf, { write: true });
    t.upRead(app.mmapLock);
    t.downRead(app.mmapLock);
    t.putUser(buf);
    t.upRead(app.mmapLock);
  });
  app.thread("W", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
  app.thread("K", (t) => t.evict(buf));
});
