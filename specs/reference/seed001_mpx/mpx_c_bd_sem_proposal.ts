// Reference scenario seed001 (c), tglx's bd_sem proposal
// (../shared/reference/seed001_mpx/mpx_c_bd_sem_proposal.tla): munmap's
// mpx_pre_unmap takes bd_sem for write and mmap_sem for read and invalidates
// the bounds directory entries, which may fault, and the fault takes mmap_sem
// for read again; beside it a plain mmap(), the bounds-violation #BR handler and
// a bounds table allocation. Expected: deadlock (munmap holds mmap_sem for read,
// mmap() queues for write, munmap's fault queues behind it).
import { model } from "faultline";
import { proposal } from "./_proposal.js";

export default model("mpx_c_bd_sem_proposal", (m) => {
  const { app, mmapSem, bdSem, boundsDir, unmapAndPost } = proposal(m);

  app.thread("U munmap", (t) => {
    // mpx_pre_unmap()
    t.downWrite(bdSem);
    t.downRead(mmapSem);
    t.store(boundsDir); // 1) invalidate the directory entries: may fault
    t.upRead(mmapSem); // 2) the bounds table VMAs were marked
    unmapAndPost(t);
  });
});
