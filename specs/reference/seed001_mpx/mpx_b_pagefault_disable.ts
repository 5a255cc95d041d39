// Reference scenario seed001 (b), the workaround in the patch
// (../shared/reference/seed001_mpx/mpx_b_pagefault_disable.tla): munmap touches
// the bounds directory entry with page faults disabled under mmap_sem held for
// write. A fault becomes -EFAULT, so no deadlock, but the bounds tables are then
// not freed. TablesFreed: once munmap has returned, the tables are freed.
// Expected: invariant violated: TablesFreed.
import { implies, model } from "faultline";

export default model("mpx_b_pagefault_disable", (m) => {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const boundsDir = app.region("bounds_dir"); // the bounds directory, user memory
  const freed = m.bool("tables_freed", false);

  const munmap = app.thread("munmap", (t) => {
    const ret = t.bool("ret", false); // -EFAULT
    t.downWrite(app.mmapLock);
    t.pagefaultDisable();
    t.store(boundsDir, { ret }); // clear the directory entry
    t.pagefaultEnable();
    t.if(ret.eq(false), (ok) => ok.set(freed, true)); // unmap_single_bt(); skipped on -EFAULT
    t.upWrite(app.mmapLock);
  });

  m.invariant("TablesFreed", implies(m.done(munmap), freed));
});
