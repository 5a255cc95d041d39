// Which thread groups the checker may treat as interchangeable (src/ir/symmetry.ts).
import { describe, expect, it } from "vitest";
import { not } from "../../src/dsl/expr.js";
import { model } from "../../src/dsl/model.js";
import { symmetry } from "../../src/ir/symmetry.js";
import { validate } from "../../src/ir/validate.js";

function analyse(def: ReturnType<typeof model>) {
  const v = validate(def.ir, def.diagnostics);
  if (!v.program) throw new Error(v.diagnostics.map((d) => d.message).join("; "));
  const s = symmetry(def.ir, v.program);
  const name = (id: string) => def.ir.threads.find((t) => t.id === id)?.name;
  return { groups: s.groups.map((g) => g.threads.map(name)), off: s.off.map((o) => [o.threads.map(name), o.why]) };
}

describe("threads(n, ...)", () => {
  it("names the threads after the group, with a dot when the name ends in a digit", () => {
    const def = model("names", (m) => {
      const app = m.process("app");
      app.threads(2, "ioctl", () => {});
      app.threads(2, "T1", () => {});
    });
    expect(def.ir.threads.map((t) => t.name)).toEqual(["ioctl1", "ioctl2", "T1.1", "T1.2"]);
    expect(new Set(def.ir.threads.slice(0, 2).map((t) => t.group)).size).toBe(1);
    expect(def.ir.threads[0]?.group).not.toBe(def.ir.threads[2]?.group);
  });
});

describe("symmetry", () => {
  it("uses a group of identical threads that nothing tells apart; single threads and groups of one are not groups", () => {
    const def = model("sym", (m) => {
      const app = m.process("app");
      const M = m.mutex("M");
      const x = m.int("x", { min: 0, max: 3 }, 0);
      app.threads(3, "ioctl", (t) => {
        t.lock(M);
        t.set(x, x.plus(1));
        t.unlock(M);
      });
      app.threads(1, "lonely", (t) => t.lock(M));
      app.thread("mmap", (t) => t.downWrite(app.mmapLock));
      m.invariant("bounded", x.le(3));
    });
    expect(analyse(def)).toEqual({ groups: [["ioctl1", "ioctl2", "ioctl3"]], off: [] });
  });

  it("is off for a group an expression names, or when termination is checked", () => {
    const named = model("named", (m) => {
      const app = m.process("app");
      const M = m.mutex("M");
      const [a] = app.threads(2, "ioctl", (t) => {
        t.lock(M);
        t.unlock(M);
      });
      m.invariant("first never holds M", not(m.held(M, a)));
    });
    expect(analyse(named)).toEqual({ groups: [], off: [[["ioctl1", "ioctl2"], "an expression names 'ioctl1', which tells the threads apart"]] });

    const live = model("live", (m) => {
      const app = m.process("app");
      app.threads(2, "w", (t) => {
        t.downWrite(app.mmapLock);
        t.upWrite(app.mmapLock);
      });
      m.checkTermination();
    });
    expect(analyse(live).off).toEqual([[["w1", "w2"], "termination is checked, and symmetry is only sound for safety checks"]]);
  });

  it("is off when the body function builds different bodies", () => {
    let calls = 0;
    const def = model("impure", (m) => {
      const app = m.process("app");
      const M = m.mutex("M");
      app.threads(2, "odd", (t) => {
        calls += 1;
        if (calls === 1) t.lock(M);
        t.downRead(app.mmapLock);
        t.upRead(app.mmapLock);
        if (calls === 1) t.unlock(M);
      });
    });
    expect(analyse(def).off).toEqual([[["odd1", "odd2"], "their bodies differ (the body function built a different body for each thread)"]]);
  });
});
