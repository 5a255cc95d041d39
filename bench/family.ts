// The parametric family of issue 6: one process, a driver mutex M and mmap_lock;
// K "ioctl" threads (mutex_lock(M); copy_to_user(buf); mutex_unlock(M)), F
// "faulting reader" threads (a fault whose path takes M), W "mmap" threads
// (down_write/up_write), each body run L times. `fixed` moves the copy outside M.
import { type ModelDef, model } from "../src/index.js";

export interface FamilySize {
  readonly k: number;
  readonly f: number;
  readonly w: number;
  readonly l: number;
}

export function family({ k, f, w, l }: FamilySize, fixed: boolean): ModelDef {
  return model(`family ${fixed ? "fixed" : "buggy"} K${k} F${f} W${w} L${l}`, (m) => {
    const app = m.process("app");
    const M = m.mutex("M");
    const readpage = m.proc("driver_readpage", (p) => {
      p.lock(M);
      p.unlock(M);
    });
    const file = app.region("file_map", { fault: readpage });
    const buf = app.region("user_buf");
    // Each kind is one group of identical threads (ioctl1, ioctl2, ...): TLC may use
    // symmetry over each group unless the check turns it off.
    app.threads(k, "ioctl", (t) =>
      t.repeat(l, (b) => {
        if (fixed) {
          b.lock(M);
          b.unlock(M);
          b.copyToUser(buf);
        } else {
          b.lock(M);
          b.copyToUser(buf);
          b.unlock(M);
        }
      }),
    );
    app.threads(f, "reader", (t) => t.repeat(l, (b) => b.load(file)));
    app.threads(w, "mmap", (t) =>
      t.repeat(l, (b) => {
        b.downWrite(app.mmapLock);
        b.upWrite(app.mmapLock);
      }),
    );
  });
}
