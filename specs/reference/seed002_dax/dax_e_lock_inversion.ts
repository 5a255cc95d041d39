// Reference scenario seed002 (e), /work/shared/reference/seed002_dax/
// dax_e_lock_inversion.tla, issue 7 of the thread: __dax_fault calls the
// filesystem's get_block() with mapping->i_mmap_rwsem held for write (the v4.3-rc
// hole path), and get_block takes a filesystem lock (ext4 i_data_sem, XFS ILOCK).
// Another path takes the filesystem lock first and then i_mmap_rwsem (extent
// manipulation calling unmap_mapping_range() while holding it).
//
//     fault:  i_mmap_lock_write(mapping);            other:  down_write(&ei->i_data_sem);
//             get_block(): down_write(&i_data_sem);           i_mmap_lock_write(mapping);
//             ...                                             ...
//
// Expected verdict: deadlock (AB-BA between i_mmap_rwsem and the filesystem lock).
import { model } from "faultline";

export default model("reference dax_e lock inversion", (m) => {
  const app = m.process("app");
  const iMmap = m.rwsem("i_mmap_rwsem");
  const fsLock = m.rwsem("i_data_sem");
  app.thread("F fault", (t) => {
    t.downWrite(iMmap); // i_mmap_lock_write(mapping)
    t.downWrite(fsLock); // get_block()
    t.upWrite(fsLock);
    t.upWrite(iMmap); // insert; i_mmap_unlock_write(mapping)
  });
  app.thread("T extent op", (t) => {
    t.downWrite(fsLock);
    t.downWrite(iMmap); // unmap_mapping_range()
    t.upWrite(iMmap);
    t.upWrite(fsLock);
  });
});
