// Step merging of invisible locks (src/ir/merge.ts): a mutex or spinlock that no
// state can show held has its acquires absorbed too, and only then.
import { describe, expect, it } from "vitest";
import { family } from "../../bench/family.js";
import { compile } from "../../src/check.js";
import { not } from "../../src/dsl/expr.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { planMerge } from "../../src/ir/merge.js";

/** The operations whose nodes merging absorbs, per thread name: `lock(M)`-style. */
function absorbedAcquires(def: ModelDef): Record<string, string[]> {
  const c = compile(def, { symmetry: false });
  if (!c.ok) throw new Error("invalid model");
  const plan = planMerge(def.ir, c.program);
  const out: Record<string, string[]> = {};
  for (const tp of c.program.threads) {
    const name = def.ir.threads.find((t) => t.id === tp.thread)?.name as string;
    out[name] = tp.nodes.filter((n) => n.op.kind === "acquire" && plan.absorbed.get(tp.thread)?.has(n.pc)).map((n) => (n.op.kind === "acquire" ? n.op.lock : ""));
  }
  return out;
}

const verdicts = (def: ModelDef) => [explore(def).verdict, explore(def, { merge: false }).verdict];

describe("invisible locks", () => {
  it("absorbs the acquires of a mutex whose every critical section fits in one step", () => {
    const def = family({ k: 1, f: 1, w: 1, l: 1 }, true);
    const m = def.ir.locks.find((l) => l.name === "M")?.id;
    expect(absorbedAcquires(def)).toEqual({ ioctl1: [m], reader1: [m], mmap1: [] });
    expect(verdicts(def)).toEqual(["ok", "ok"]);
  });

  it("keeps them when a critical section may fault into the fault path (the buggy family)", () => {
    const def = family({ k: 1, f: 1, w: 1, l: 1 }, false);
    expect(absorbedAcquires(def)).toEqual({ ioctl1: [], reader1: [], mmap1: [] });
    expect(verdicts(def)).toEqual(["deadlock", "deadlock"]);
  });

  it("keeps them when a critical section takes another lock: AB-BA still deadlocks", () => {
    const def = model("ab-ba", (m) => {
      const a = m.mutex("A");
      const b = m.mutex("B");
      const p = m.process("p");
      p.thread("T1", (t) => {
        t.lock(a);
        t.lock(b);
        t.unlock(b);
        t.unlock(a);
      });
      p.thread("T2", (t) => {
        t.lock(b);
        t.lock(a);
        t.unlock(a);
        t.unlock(b);
      });
    });
    expect(absorbedAcquires(def)).toEqual({ T1: [], T2: [] });
    expect(verdicts(def)).toEqual(["deadlock", "deadlock"]);
  });

  it("keeps a mutex_lock under a spinlock, where sleeping in atomic context is found", () => {
    const def = model("sleep in atomic", (m) => {
      const s = m.spinlock("S");
      const mu = m.mutex("M");
      m.process("p").thread("T", (t) => {
        t.lock(s);
        t.lock(mu);
        t.unlock(mu);
        t.unlock(s);
      });
    });
    expect(absorbedAcquires(def)).toEqual({ T: [] });
    expect(verdicts(def)).toEqual(["sleep-in-atomic", "sleep-in-atomic"]);
  });

  it("keeps them when an expression reads the lock, or a thread may end holding it", () => {
    const read = model("held read", (m) => {
      const mu = m.mutex("M");
      const p = m.process("p");
      p.thread("T", (t) => {
        t.lock(mu);
        t.unlock(mu);
      });
      m.invariant("M is never held", not(m.held(mu)));
    });
    expect(absorbedAcquires(read)).toEqual({ T: [] });
    expect(verdicts(read)).toEqual(["invariant", "invariant"]);

    const leak = model("leak", (m) => {
      const mu = m.mutex("M");
      const err = m.bool("err", false);
      m.process("p").thread("T", (t) => {
        t.lock(mu);
        t.either((b) => b.set(err, true), () => {});
        t.if(err, (b) => b.return());
        t.unlock(mu);
      });
    });
    expect(absorbedAcquires(leak)).toEqual({ T: [] });
    expect(verdicts(leak)).toEqual(["lock-leak", "lock-leak"]);
  });
});
