// Idiom: get_user_pages() under the caller's mmap_lock, as access_process_vm()
// and the 2014 pagemap code do:
//
//     down_read(&mm->mmap_sem);
//     ret = get_user_pages(tsk, mm, addr, 1, write, 1, &page, &vma);
//     up_read(&mm->mmap_sem);
//
// The fault it may take runs the region's fault procedure (filemap_fault here)
// without taking mmap_lock again: the caller already holds it. Written as a user
// access (`t.getUser(buf)` under down_read) the fault would take mmap_lock for
// read a second time and queue behind the mmap() writer: a deadlock the kernel
// does not have. Calling getUserPages without the owner's mmap_lock held on every
// path is a model error (FL340).
//
// Expected verdict: ok.
import { model } from "faultline";

export default model("idiom get_user_pages", (m) => {
  const app = m.process("app");
  const iMmap = m.rwsem("i_mmap_rwsem");
  const filemapFault = m.proc("filemap_fault", (p) => {
    p.downRead(iMmap);
    p.upRead(iMmap);
  });
  const file = app.region("file_map", { fault: filemapFault });

  app.thread("access_process_vm", (t) => {
    t.downRead(app.mmapLock);
    t.getUserPages(file, { write: false });
    t.upRead(app.mmapLock);
  });
  app.thread("mmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
});
