// Reference scenario seed001 (d)
// (../shared/reference/seed001_mpx/mpx_d_proposal_nofault_inval.tla): the
// proposal of mpx_c_bd_sem_proposal, with the invalidation of the bounds
// directory entries done under pagefault_disable(): on -EFAULT munmap drops
// mmap_sem, faults the directory page in with only bd_sem held, and retries.
// Expected: ok.
import { model } from "faultline";
import { proposal } from "./_proposal.js";

export default model("mpx_d_proposal_nofault_inval", (m) => {
  const { app, mmapSem, bdSem, boundsDir, unmapAndPost } = proposal(m);

  app.thread("U munmap", (t) => {
    const ret = t.bool("ret", false); // -EFAULT
    // mpx_pre_unmap()
    t.downWrite(bdSem);
    t.loop((retry) => {
      retry.downRead(mmapSem);
      retry.pagefaultDisable();
      retry.store(boundsDir, { ret }); // 1) invalidate the directory entries
      retry.pagefaultEnable();
      retry.upRead(mmapSem); // 2) on success, the bounds table VMAs were marked
      retry.if(ret.eq(false), (ok) => ok.break());
      retry.store(boundsDir); // fault the directory page in, then goto retry
    });
    unmapAndPost(t);
  });
});
