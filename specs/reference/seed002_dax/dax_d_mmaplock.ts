// Reference scenario seed002 (d), /work/shared/reference/seed002_dax/
// dax_d_mmaplock.tla: (c) with Dave Chinner's fix. The fault holds the
// filesystem's MMAPLOCK shared from the block lookup to the insert
// (xfs_filemap_fault: XFS_MMAPLOCK_SHARED); the punch holds it exclusive across
// the zap and the free (XFS_MMAPLOCK_EXCL). Fair rwsem.
//
// Expected verdict: ok.
import { and, model, not } from "faultline";

export default model("reference dax_d MMAPLOCK", (m) => {
  const app = m.process("app");
  const mmaplock = m.rwsem("XFS_MMAPLOCK");
  const blk = m.enum("block", ["data", "freed"], "data");
  const pte = m.bool("pte_maps_block", false);
  app.thread("F fault", (t) => {
    const mapped = t.bool("buffer_mapped", false);
    t.downRead(mmaplock); // xfs_ilock(ip, XFS_MMAPLOCK_SHARED)
    t.if(blk.eq("data"), (b) => b.set(mapped, true)); // get_block(inode, block, &bh, 0)
    t.if(mapped, (b) => b.set(pte, true)); // dax_insert_mapping()
    t.upRead(mmaplock);
  });
  app.thread("T punch", (t) => {
    t.downWrite(mmaplock); // xfs_ilock(ip, XFS_MMAPLOCK_EXCL)
    t.set(pte, false); // unmap_mapping_range(): zap the range
    t.set(blk, "freed"); // free the block
    t.upWrite(mmaplock);
  });
  m.invariant("NoMapFreed", not(and(pte, blk.eq("freed"))));
});
