// Seed 001 (MPX), question 2 of the thread, as the reference specs
// mpx_e_reuse_proposal.tla and mpx_e2_reuse_deferred_invalidate.tla have it:
// can a bounds table marked for removal be used by user space again before
// mpx_post_unmap? One data region D covered by one bounds table T.
//   bd_entry: the directory entry for D's range: T, none (invalid), or T2 (a
//             table allocated afresh);
//   bt_T:     T's kernel state: live, marked, freed;
//   at_D:     what is mapped at D's address: old, gone, new;
//   reused:   user space used T after it was marked (a history flag).
// X, a user thread: mmap(); if the new mapping lands at D's address, an MPX
// bounds store there: the hardware walks the entry without any lock; a valid
// entry is used as is, an invalid one raises #BR, whose allocation installs T2
// under bd_sem for read (its nested down_write(mmap_sem) only adds blocking and
// is left out, as in the reference). NoReuse: T is never used once marked.
import { and, model, not } from "faultline";

/** `invalidateFirst`: mpx_pre_unmap invalidates the entry before marking (the proposal); else post_unmap clears it. */
export function reuseModel(name: string, invalidateFirst: boolean) {
  return model(name, (m) => {
    const app = m.process("app", { mmapLock: "mmap_sem" });
    const mmapSem = app.mmapLock;
    const bdSem = app.rwsem("bd_sem");
    const entry = m.enum("bd_entry", ["T", "none", "T2"], "T");
    const bt = m.enum("bt_T", ["live", "marked", "freed"], "live");
    const atD = m.enum("at_D", ["old", "gone", "new"], "old");
    const reused = m.bool("reused", false);

    app.thread("U munmap", (t) => {
      // mpx_pre_unmap()
      t.downWrite(bdSem);
      t.downRead(mmapSem);
      if (invalidateFirst) t.set(entry, "none"); // 1) invalidate the entry (cannot fault here)
      t.set(bt, "marked"); // 2) mark T for removal
      t.upRead(mmapSem);
      t.downWrite(mmapSem);
      t.set(atD, "gone"); // do_unmap(D)
      t.upWrite(mmapSem);
      // mpx_post_unmap()
      t.downWrite(mmapSem);
      if (!invalidateFirst) t.if(entry.eq("T"), (b) => b.set(entry, "none")); // clear the entry now
      t.set(bt, "freed");
      t.upWrite(mmapSem);
      t.upWrite(bdSem);
    });

    app.thread("X user", (t) => {
      const here = t.bool("mapped_at_D", false);
      t.downWrite(mmapSem); // mmap()
      t.if(atD.eq("gone"), (b) => {
        b.set(atD, "new");
        b.set(here, true);
      });
      t.upWrite(mmapSem);
      t.if(here, (b) =>
        // bndstx at the new mapping: the hardware reads the entry
        b.if(
          entry.eq("none"),
          (br) => {
            // #BR: bounds table allocation
            br.downRead(bdSem);
            br.set(entry, "T2");
            br.upRead(bdSem);
          },
          (hw) => hw.if(and(entry.eq("T"), bt.ne("live")), (u) => u.set(reused, true)),
        ),
      );
    });

    m.invariant("NoReuse", not(reused));
  });
}
