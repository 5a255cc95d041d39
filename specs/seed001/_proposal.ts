// Seed 001 (MPX): the proposal's four bd_sem operations beside a thread that
// calls mmap(), shared by tglx-bd-sem*.ts (they differ only in MpxOptions).
import { and, implies, type ModelBuilder, not } from "faultline";
import { type MpxOptions, mpx } from "./_mpx.js";

export function proposal(m: ModelBuilder, opts: MpxOptions = {}) {
  const x = mpx(m, opts);
  const { app, mmapLock, bdSem } = x;
  const insn = app.region("user_insn"); // the instruction bytes the #BR handler decodes
  const mpxEnabled = m.bool("mpx_enabled", true);
  const otherEntry = m.enum("bd_entry_other", ["invalid", "new_bt"], "invalid"); // the entry a #BR allocates for
  const allocate = x.bdAllocation("mpx_handle_bd_fault", otherEntry, "new_bt");

  // prctl(PR_MPX_ENABLE_MANAGEMENT / PR_MPX_DISABLE_MANAGEMENT): down_write(bd_sem), no mmap_sem.
  app.thread("prctl", (t) => {
    t.downWrite(bdSem);
    t.either(
      (b) => b.set(mpxEnabled, true),
      (b) => b.set(mpxEnabled, false),
    );
    t.upWrite(bdSem);
  });

  // #BR, bounds violation: down_read(bd_sem); decoding the instruction copies
  // from user space and may fault (down_read(mmap_sem) in the fault).
  app.thread("#BR bounds violation", (t) => {
    t.downRead(bdSem);
    t.if(mpxEnabled, (b) => b.copyFromUser(insn));
    t.upRead(bdSem);
  });

  // #BR, invalid directory entry (of another data area): directory entry allocation.
  app.thread("#BR bd allocation", (t) => t.call(allocate));

  // munmap() of the data area: directory entry removal.
  app.thread("munmap", x.munmapBody);

  // Another thread of the process maps memory: down_write(mmap_sem).
  app.thread("mmap", (t) => {
    t.downWrite(mmapLock);
    t.upWrite(mmapLock);
  });

  m.invariant("bounds table removed only after its data is unmapped", implies(x.oldBt.eq("unmapped"), not(x.dataMapped)));
  m.invariant("removal marks are protected by bd_sem", implies(x.bdRemoveVmas.gt(0), m.held(bdSem, undefined, "write")));
  m.invariant("marked tables are unreachable from the directory", not(and(x.oldBt.ne("live"), x.bdEntry.eq("old_bt"))));
  // The mail's serialization scheme: every nesting (#1-#4) takes bd_sem before mmap_sem.
  m.lockOrder(bdSem, mmapLock);
  return x;
}
