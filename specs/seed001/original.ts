// Seed 001 (MPX, Intel bounds tables), the original design of the patch set:
// when a data mapping goes away, munmap() also unmaps the bounds table that
// covers it, at the end of the unmap, still holding mmap_sem for write. To find
// and clear the table it reads and writes the bounds directory entry, and the
// bounds directory is ordinary user memory.
//
// Variant: as first posted, without pagefault_disable().
//
// Expected verdict: deadlock, one thread. The bounds directory page may not be
// present (it may never have been touched, or was reclaimed); the access then
// faults and the page fault handler takes down_read(mm->mmap_sem), which can
// never succeed while the same task holds it for write. This is exactly what
// the patch comment says ("If we fault, the page fault handler will attempt to
// acquire mmap_sem for read and we will deadlock").
import { model } from "faultline";

export default model("seed001 MPX original", (m) => {
  const app = m.process("app");
  const boundsDir = app.region("bounds_dir"); // the MPX bounds directory, in user memory
  const dataMapped = m.bool("data_mapped", true); // the data mapping being unmapped
  const btMapped = m.bool("bt_mapped", true); // the bounds table covering it

  app.thread("munmap", (t) => {
    t.downWrite(app.mmapLock); // do_munmap() runs with mmap_sem held for write
    t.set(dataMapped, false); //  unmap_region() of the data area
    // mpx_notify_unmap() -> unmap the covering bounds table: read the bounds
    // directory entry to find it, then clear the entry (user memory: may fault)
    t.load(boundsDir);
    t.store(boundsDir);
    t.set(btMapped, false); //   unmap_single_bt()
    t.upWrite(app.mmapLock);
  });
});
