// Verdict: ok. `continue` and `break` in a retry loop with a local counter:
//
//   int tries = 0;
//   for (;;) {
//           if (!mutex_trylock(&sb->s_umount_lock)) {
//                   if (tries++ == 2)
//                           break;          /* give up */
//                   continue;
//           }
//           ...                             /* the work */
//           mutex_unlock(&sb->s_umount_lock);
//           break;
//   }
import { model } from "faultline";

export default model("break and continue", (m) => {
  const app = m.process("app");
  const umount = m.mutex("s_umount_lock");
  const work = m.int("work_done", { min: 0, max: 1 }, 0);
  app.thread("T1 writeback", (t) => {
    const tries = t.int("tries", { min: 0, max: 2 }, 0);
    t.loop((b) => {
      b.trylock(
        umount,
        (ok) => {
          ok.set(work, 1);
          ok.unlock(umount);
          ok.break();
        },
        (busy) => {
          busy.if(tries.eq(2), (giveUp) => giveUp.break());
          busy.set(tries, tries.plus(1));
          busy.continue();
        },
      );
    });
  });
  app.thread("T2 umount", (t) => {
    t.lock(umount);
    t.unlock(umount);
  });
});
