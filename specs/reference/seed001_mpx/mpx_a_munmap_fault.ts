// Reference scenario seed001 (a), the original MPX design
// (../shared/reference/seed001_mpx/mpx_a_munmap_fault.tla): munmap frees the
// bounds tables at the end of the unmap with mmap_sem held for write; touching
// the bounds directory entry (user memory) can fault, and the fault handler
// takes mmap_sem for read: a self-deadlock. One thread. Expected: deadlock.
import { model } from "faultline";

export default model("mpx_a_munmap_fault", (m) => {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const boundsDir = app.region("bounds_dir"); // the bounds directory, user memory

  app.thread("munmap", (t) => {
    t.downWrite(app.mmapLock);
    // do_munmap(): unmap the data, then mpx_notify_unmap(): clear the bounds
    // directory entry (may fault) and free the bounds table
    t.store(boundsDir);
    t.upWrite(app.mmapLock);
  });
});
