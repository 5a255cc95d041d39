// Seed 002 (DAX), problem 2 of the post: page faults racing truncate. Two
// mappings of the file fault on the same block while truncate(2) shrinks the
// file; shared by truncate-race.ts and truncate-mmaplock.ts.
import { and, type ModelBuilder, not, or, type VarRef } from "faultline";
import { faultingThread } from "./_dax.js";

export function truncateRace(m: ModelBuilder, opts: { readonly mmaplock: boolean }) {
  const app = m.process("app");
  const mmaplock = opts.mmaplock ? m.rwsem("XFS_MMAPLOCK") : undefined;
  const iMmap = m.rwsem("i_mmap_rwsem");
  const inEof = m.bool("block_within_eof", true); // i_size still covers the faulting offset
  const blk = m.enum("block", ["allocated", "freed"], "allocated"); // the file's block at that offset
  const ptes: VarRef<boolean>[] = [];

  for (const who of ["T1 fault", "T2 fault"]) {
    const tag = who.split(" ")[0];
    const pte = m.bool(`pte.${tag}`, false); // this mapping's page table maps the block
    ptes.push(pte);
    faultingThread(m, app, who, (p) => {
      const found = p.bool("bh_mapped", false); // get_block() returned the block (bh on the fault's stack)
      if (mmaplock) p.downRead(mmaplock); // xfs_filemap_fault: XFS_MMAPLOCK_SHARED
      // get_block(inode, block, &bh, 0): look the block up (beyond EOF: SIGBUS)
      p.if(inEof, (b) => b.if(blk.eq("allocated"), (c) => c.set(found, true)));
      // dax_insert_mapping(): map the pfn of the block it found
      p.if(found, (b) => b.set(pte, true));
      if (mmaplock) p.upRead(mmaplock);
    });
  }

  // truncate(2) to 0: xfs_setattr_size()
  app.thread("truncate", (t) => {
    if (mmaplock) t.downWrite(mmaplock); // XFS_MMAPLOCK_EXCL: locks out page faults
    t.set(inEof, false); // i_size_write()
    // truncate_pagecache() -> unmap_mapping_range(): zap every mapping of the range
    t.downWrite(iMmap);
    for (const pte of ptes) t.set(pte, false);
    t.upWrite(iMmap);
    t.set(blk, "freed"); // xfs_itruncate_extents(): the block goes back to the free space
    if (mmaplock) t.upWrite(mmaplock);
  });

  m.invariant("no page table maps a freed block", not(and(blk.eq("freed"), or(...ptes))));
  // mm/filemap.c: ->mmap_lock ->invalidate_lock (XFS_MMAPLOCK's generic form) ->i_mmap_rwsem.
  m.lockOrder(app.mmapLock, ...(mmaplock ? [mmaplock] : []), iMmap);
}
