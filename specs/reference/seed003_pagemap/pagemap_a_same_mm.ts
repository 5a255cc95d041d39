// Reference scenario seed003 (a), /work/shared/reference/seed003_pagemap/
// pagemap_a_same_mm.tla: /proc/self/pagemap read with the patch "proc: pagemap:
// Hold mmap_sem during page walk". pagemap_read() holds mmap_sem for read across
// the walk, including add_to_pagemap()'s put_user() into the user buffer, which
// can fault; the fault takes the same mmap_sem for read again. Another thread of
// the process calls mmap() (down_write).
//
//     down_read(&mm->mmap_sem);
//     walk_page_range(...);        /* pagemap_pte_range -> add_to_pagemap -> put_user */
//     up_read(&mm->mmap_sem);
//
// Expected verdict: deadlock (the nested down_read queues behind the mmap writer,
// which waits for the outer read hold).
import { model } from "faultline";

export default model("reference pagemap_a same mm", (m) => {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const buf = app.region("user_buf");
  app.thread("R pagemap_read", (t) => {
    t.downRead(app.mmapLock);
    t.putUser(buf); // add_to_pagemap(): put_user(pfn, pm->out), may fault
    t.upRead(app.mmapLock);
  });
  app.thread("W mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
});
