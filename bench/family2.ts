// Family 2 of issue 18 (../shared/reference/family2/): every lock stays visible
// after step merging. One process with its mmap_lock (fair rwsem), a driver
// mutex M and a second fair rwsem S; K "ioctl" threads, F "reader" threads, W
// "writer" threads, each body run L times:
//   ioctl : mutex_lock(M); down_read(S); up_read(S); mutex_unlock(M);
//           copy_to_user(buf)    [may fault: down_read(mmap_lock); up_read]
//   reader: load(file)           [may fault: down_read(mmap_lock); readpage =
//           mutex_lock(M); down_read(S); up_read(S); mutex_unlock(M); up_read]
//   writer: down_write(S); up_write(S); down_write(mmap_lock); up_write(mmap_lock)
// Fixed: the order mmap_lock -> M -> S everywhere. Buggy: the ioctl's
// copy_to_user moves inside M (M -> mmap_lock): a deadlock.
import { type ModelDef, model } from "../src/index.js";
import type { FamilySize } from "./family.js";

export function family2({ k, f, w, l }: FamilySize, fixed: boolean): ModelDef {
  return model(`family2 ${fixed ? "fixed" : "buggy"} K${k} F${f} W${w} L${l}`, (m) => {
    const app = m.process("app");
    const M = m.mutex("M");
    const S = m.rwsem("S");
    const readpage = m.proc("driver_readpage", (p) => {
      p.lock(M);
      p.downRead(S);
      p.upRead(S);
      p.unlock(M);
    });
    const file = app.region("file_map", { fault: readpage });
    const buf = app.region("user_buf");
    app.threads(k, "ioctl", (t) =>
      t.repeat(l, (b) => {
        b.lock(M);
        b.downRead(S);
        b.upRead(S);
        if (fixed) {
          b.unlock(M);
          b.copyToUser(buf);
        } else {
          b.copyToUser(buf);
          b.unlock(M);
        }
      }),
    );
    app.threads(f, "reader", (t) => t.repeat(l, (b) => b.load(file)));
    app.threads(w, "writer", (t) =>
      t.repeat(l, (b) => {
        b.downWrite(S);
        b.upWrite(S);
        b.downWrite(app.mmapLock);
        b.upWrite(app.mmapLock);
      }),
    );
  });
}
