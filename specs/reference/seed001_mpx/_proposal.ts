// Seed 001 (MPX), Thomas Gleixner's bd_sem proposal as the reference specs
// mpx_c_bd_sem_proposal.tla and mpx_d_proposal_nofault_inval.tla have it: the
// threads other than munmap, and munmap's do_unmap and mpx_post_unmap. Both
// rwsems are fair. Only locks and faults are modelled: the specs have no data.
import type { Body, ModelBuilder } from "faultline";

export function proposal(m: ModelBuilder) {
  const app = m.process("app", { mmapLock: "mmap_sem" });
  const mmapSem = app.mmapLock;
  const bdSem = app.rwsem("bd_sem");
  const boundsDir = app.region("bounds_dir"); // the bounds directory, user memory
  const insn = app.region("user_insn"); // what the #BR handler copies from user space

  // M: plain mmap()/mprotect() in another thread.
  app.thread("M mmap", (t) => {
    t.downWrite(mmapSem);
    t.upWrite(mmapSem);
  });
  // V: bounds-violation #BR handler.
  app.thread("V bounds violation", (t) => {
    t.downRead(bdSem);
    t.copyFromUser(insn); // may fault: down_read(mmap_sem)
    t.upRead(bdSem);
  });
  // A: #BR with an invalid directory entry: bounds table allocation.
  app.thread("A bd allocation", (t) => {
    t.downRead(bdSem);
    t.downWrite(mmapSem); // mpx_mmap() of the new bounds table
    t.upWrite(mmapSem);
    t.store(boundsDir); // user_atomic_cmpxchg() of the entry: may fault
    t.upRead(bdSem);
  });

  /** munmap after mpx_pre_unmap's part under mmap_sem for read: do_unmap, then mpx_post_unmap. */
  const unmapAndPost = (t: Body) => {
    t.downWrite(mmapSem);
    t.upWrite(mmapSem); // do_unmap()
    t.downWrite(mmapSem);
    t.upWrite(mmapSem); // mpx_post_unmap(): remove the marked bounds table VMAs
    t.upWrite(bdSem);
  };
  return { app, mmapSem, bdSem, boundsDir, unmapAndPost };
}
