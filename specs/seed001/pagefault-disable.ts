// Seed 001 (MPX), the workaround in the posted patch: munmap() still frees the
// bounds table at the end of the unmap with mmap_sem held for write, but
// touches the bounds directory entry with page faults disabled, so a fault
// makes the access fail (-EFAULT) instead of taking mmap_sem.
//
// Variant: pagefault_disable() around the bounds directory access, with the
// patch's fallback: on -EFAULT give up freeing the table ("This keeps us from
// being able to free the tables in this case").
//
// Expected verdict: assertion. There is no deadlock any more: with page faults
// disabled the fault path takes no lock. But the bounds directory page can be
// absent whenever munmap runs, and then the bounds table that covered the
// unmapped data stays mapped for good: the assertion that munmap leaves no
// orphaned bounds table fails on the trace where the access faults. The
// workaround trades the deadlock for a leak, which is what tglx calls
// "retrofitting" and asks to be replaced by a proper design.
import { model, not } from "faultline";

export default model("seed001 MPX pagefault_disable", (m) => {
  const app = m.process("app");
  const boundsDir = app.region("bounds_dir"); // the MPX bounds directory, in user memory
  const dataMapped = m.bool("data_mapped", true); // the data mapping being unmapped
  const btMapped = m.bool("bt_mapped", true); // the bounds table covering it

  app.thread("munmap", (t) => {
    const ret = t.enum("ret", ["0", "-EFAULT"], "0"); // the directory access's result
    t.downWrite(app.mmapLock);
    t.set(dataMapped, false); // unmap_region() of the data area
    // mpx_notify_unmap(): read and clear the directory entry, faults disabled
    t.pagefaultDisable();
    t.load(boundsDir, { ret }); // ret = get_user(bd_entry, ...)
    t.if(ret.eq("0"), (b) => b.store(boundsDir, { ret })); // ret = user_atomic_cmpxchg(...)
    t.pagefaultEnable();
    t.if(ret.eq("0"), (b) => b.set(btMapped, false)); // unmap_single_bt(), skipped on -EFAULT
    t.upWrite(app.mmapLock);
    t.assert(not(btMapped), "munmap frees the bounds table covering the unmapped data");
  });
});
