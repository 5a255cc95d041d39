// Idiom: naming the mm's lock as the kernel version of the report does. Before
// 5.8 it is mmap_sem; `m.process(name, { mmapLock: "mmap_sem" })` makes every
// report say `&app->mmap_sem`. The scenario is seed001's original MPX bug:
//
//     down_write(&mm->mmap_sem);         /* do_munmap() */
//     mpx_notify_unmap(mm, vma, start, end);
//         get_user(bd_entry, bd_entry_addr);  /* bounds directory: may fault */
//
// Expected verdict: deadlock (munmap waits for itself on &app->mmap_sem: the
// fault's down_read while it holds it for write).
import { model } from "faultline";

export default model("idiom mmap_sem", (m) => {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const bd = app.region("bounds_dir");

  app.thread("munmap", (t) => {
    t.downWrite(app.mmapLock);
    t.getUser(bd); // mpx_notify_unmap(): reads the bounds directory entry
    t.upWrite(app.mmapLock);
  });
});
