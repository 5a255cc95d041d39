// futex_wait_setup() (kernel/futex.c, v5.x), the shape shared by the models of
// this directory: read the futex word with page faults disabled under the hash
// bucket lock; on -EFAULT drop the lock, fault the page in, `goto retry`.
//
//   retry:
//           hb = queue_lock(q);                        spin_lock(&hb->lock)
//           ret = get_futex_value_locked(&uval, uaddr); pagefault_disable(); __get_user()
//           if (ret) {
//                   queue_unlock(hb);
//                   ret = get_user(uval, uaddr);        may fault: takes mmap_lock
//                   if (ret)
//                           return ret;
//                   goto retry;
//           }
import type { ModelBuilder } from "faultline";

export interface FutexOptions {
  /** Check that the waiter eventually gets past the retry loop (weak fairness). */
  readonly termination?: boolean;
  /** Explore the retry loop for at most this many rounds (an exploration cut-off). */
  readonly bound?: number;
}

export function futexWait(m: ModelBuilder, opts: FutexOptions = {}) {
  const app = m.process("app");
  const hb = m.spinlock("hb->lock");
  const uaddr = app.region("uaddr");
  const waiter = app.thread("T1 futex_wait", (t) => {
    const ret = t.enum("ret", ["0", "-EFAULT"], "0");
    t.loop(
      (b) => {
        b.lock(hb); // queue_lock
        b.pagefaultDisable();
        b.getUser(uaddr, { ret }); // ret = get_futex_value_locked(&uval, uaddr)
        b.pagefaultEnable();
        b.if(ret.eq("0"), (ok) => ok.break());
        b.unlock(hb); // queue_unlock
        b.getUser(uaddr); // get_user(uval, uaddr): the fault takes mmap_lock
      },
      opts.bound !== undefined ? { bound: opts.bound } : undefined,
    );
    t.unlock(hb); // queue_me() and schedule() elided: the retry is the point
  });
  app.thread("T2 munmap", (t) => {
    t.downWrite(app.mmapLock);
    t.upWrite(app.mmapLock);
  });
  if (opts.termination) m.checkTermination();
  return { app, hb, uaddr, waiter };
}
