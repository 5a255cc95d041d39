// Seed 001 (MPX): the pieces of Thomas Gleixner's mpx_pre_unmap/mpx_post_unmap
// proposal with mm->bd_sem, as written in his email, shared by the models of
// this directory. The bounds directory (BD) is user memory, so every kernel
// access to it can fault; a fault takes mmap_sem (mmap_lock) for read.
import type { Body, ModelBuilder, RegionRef, RwsemPolicy, RwsemRef, VarRef } from "faultline";

export interface MpxOptions {
  /** mmap_lock policy; the default is Linux's fair rwsem. */
  readonly mmapPolicy?: RwsemPolicy;
  /**
   * Where mpx_pre_unmap() invalidates the BD entries: "under-mmap-read" as in the
   * email (step 1, after down_read(mmap_sem)); "before-mmap-read": under bd_sem
   * alone, before down_read(mmap_sem); "never": the entry is left valid; "nofault-retry": `nofaultRetry` below.
   */
  readonly invalidate?: "under-mmap-read" | "before-mmap-read" | "never" | "nofault-retry";
}

export function mpx(m: ModelBuilder, opts: MpxOptions = {}) {
  const app = m.process("app", opts.mmapPolicy ? { mmapPolicy: opts.mmapPolicy } : {});
  const mmapLock = app.mmapLock;
  const bdSem = app.rwsem("bd_sem");
  const boundsDir = app.region("bounds_dir"); // the bounds directory, in user memory

  // The data area being unmapped, the BD entry that covers it and its bounds table (BT).
  const dataMapped = m.bool("data_mapped", true);
  const bdEntry = m.enum("bd_entry", ["old_bt", "invalid", "new_bt"], "old_bt");
  const oldBt = m.enum("old_bt_vma", ["live", "marked", "unmapped"], "live");
  const bdRemoveVmas = m.int("bd_remove_vmas", { min: 0, max: 1 }, 0);

  const invalidate = opts.invalidate ?? "under-mmap-read";
  const invalidateEntry = m.proc("invalidate_bd_entry", (p) => {
    p.store(boundsDir); // clear the BD entry in user memory: can fault
    p.set(bdEntry, "invalid");
  });

  // int mpx_pre_unmap(...)
  const preUnmap = m.proc("mpx_pre_unmap", (p) => {
    p.downWrite(bdSem);
    if (invalidate === "before-mmap-read") p.call(invalidateEntry);
    if (invalidate !== "nofault-retry") p.downRead(mmapLock);
    else nofaultRetry(p, mmapLock, boundsDir, bdEntry);
    // 1) Invalidate the bounds table entries for the to be unmapped area in the
    //    bounds directory. "This can fault as we only hold mmap sem for read."
    if (invalidate === "under-mmap-read") p.call(invalidateEntry);
    // 2) Mark the corresponding VMAs which should be unmapped and removed;
    //    for each to be removed VMA we increment mm->bd_remove_vmas.
    p.set(oldBt, "marked");
    p.set(bdRemoveVmas, bdRemoveVmas.plus(1));
    p.upRead(mmapLock);
  });

  // void mpx_post_unmap(void)
  const postUnmap = m.proc("mpx_post_unmap", (p) => {
    p.if(bdRemoveVmas.gt(0), (b) => {
      b.downWrite(mmapLock);
      b.set(oldBt, "unmapped"); // cleanup_to_be_removed_vmas()
      b.set(bdRemoveVmas, 0);
      b.upWrite(mmapLock);
    });
    p.upWrite(bdSem);
  });

  /** munmap() of the data area: mpx_pre_unmap; down_write; do_unmap; up_write; mpx_post_unmap. */
  const munmapBody = (t: Body) => {
    t.call(preUnmap);
    t.downWrite(mmapLock);
    t.set(dataMapped, false); // do_unmap(from, len)
    t.upWrite(mmapLock);
    t.call(postUnmap);
  };

  /**
   * #BR with an invalid BD entry: directory entry allocation. down_read(bd_sem);
   * allocate the BT VMA under down_write(mmap_sem); cmpxchg() the entry in user
   * memory (can fault); up_read(bd_sem).
   */
  const bdAllocation = (name: string, entry: VarRef<string>, fresh: string) =>
    m.proc(name, (p) => {
      p.downRead(bdSem);
      p.downWrite(mmapLock); // mpx_mmap(): the new bounds table VMA
      p.upWrite(mmapLock);
      p.store(boundsDir); // user_atomic_cmpxchg on the BD entry: can fault
      p.if(entry.eq("invalid"), (b) => b.set(entry, fresh)); // cmpxchg: only one table per entry
      p.upRead(bdSem);
    });

  /**
   * A user thread maps new data at the range munmap() freed (the range is only
   * free once do_unmap() ran) and accesses it with MPX instructions
   * (bndstx/bndldx): the hardware walks the BD entry. A valid entry means no #BR
   * at all, the hardware uses that bounds table; an invalid one raises #BR and
   * the kernel allocates a table (`allocate`). `reused` records the hardware
   * using the old table after mpx_pre_unmap() marked it for removal.
   */
  const userRemapBody = (allocate: ReturnType<typeof bdAllocation>, reused: VarRef<boolean>, newData: VarRef<boolean>) => (t: Body) => {
    t.downWrite(mmapLock); // mmap(addr, len) at the old address
    t.if(dataMapped.eq(false), (b) => b.set(newData, true));
    t.upWrite(mmapLock);
    t.if(newData, (b) =>
      b.if(
        bdEntry.eq("old_bt"),
        (c) => c.if(oldBt.ne("live"), (d) => d.set(reused, true)), // no #BR: the hardware uses the old table
        (c) => c.if(bdEntry.eq("invalid"), (d) => d.call(allocate)), // #BR: directory entry allocation
      ),
    );
  };

  return { app, mmapLock, bdSem, boundsDir, dataMapped, bdEntry, oldBt, bdRemoveVmas, preUnmap, postUnmap, munmapBody, bdAllocation, userRemapBody };
}

export type Mpx = ReturnType<typeof mpx>;

/**
 * Step 1 with page faults disabled, as the kernel avoids faulting under mmap_sem
 * elsewhere; on -EFAULT drop mmap_sem, fault the directory page in and retry:
 *
 *     retry:
 *             down_read(&mm->mmap_sem);
 *             pagefault_disable(); ret = clear the BD entry; pagefault_enable();
 *             if (ret) { up_read(&mm->mmap_sem); fault it in; goto retry; }
 *
 * Returns holding mmap_sem for read, with the entry invalidated.
 */
function nofaultRetry(p: Body, mmapLock: RwsemRef, boundsDir: RegionRef, bdEntry: VarRef<string>): void {
  const ret = p.enum("ret", ["0", "-EFAULT"], "0");
  p.loop((l) => {
    l.downRead(mmapLock);
    l.pagefaultDisable();
    l.store(boundsDir, { ret }); // clear the BD entry: -EFAULT instead of a fault
    l.pagefaultEnable();
    l.if(ret.eq("0"), (b) => b.break());
    l.upRead(mmapLock);
    l.store(boundsDir); // fault the BD page in, faults enabled: down_read(mmap_sem) in the fault
  });
  p.set(bdEntry, "invalid");
}
