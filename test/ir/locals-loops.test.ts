// Locals and loops, DSL -> IR -> lowered program (src/ir/program.ts) -> merge
// plan: locals are folded into the pc (only their live values), loops are back
// edges, and merging keeps a pc on every cycle.
import { describe, expect, it } from "vitest";
import { compile } from "../../src/check.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { planMerge } from "../../src/ir/merge.js";
import { DONE, type ThreadProgram, successors } from "../../src/ir/program.js";
import { spellOp } from "../../src/ir/spell.js";
import type { Stmt } from "../../src/ir/types.js";
import type { Body } from "../../src/dsl/body.js";

function lowered(def: ModelDef) {
  const c = compile(def, { symmetry: false });
  if (!c.ok) throw new Error(c.diagnostics.map((d) => `${d.code} ${d.message}`).join("; "));
  return c;
}

/** Does the thread's graph have a cycle? (iterative colouring) */
function cyclic(tp: ThreadProgram): boolean {
  const byPc = new Map(tp.nodes.map((n) => [n.pc, n]));
  const state = new Map<string, number>();
  const visit = (pc: string): boolean => {
    if (pc === DONE) return false;
    if (state.get(pc) === 1) return true;
    if (state.get(pc) === 2) return false;
    state.set(pc, 1);
    const n = byPc.get(pc);
    const found = n ? successors(n.op).some(visit) : false;
    state.set(pc, 2);
    return found;
  };
  return visit(tp.entry);
}

describe("the DSL records locals and loop statements", () => {
  it("a thread local, an assignment, a branch on it, and an access storing its result", () => {
    const def = model("ir", (m) => {
      const p = m.process("p");
      const buf = p.region("buf");
      p.thread("T1", (t) => {
        const ret = t.enum("ret", ["0", "-EFAULT"], "0");
        t.pagefaultDisable();
        t.copyFromUser(buf, { ret });
        t.pagefaultEnable();
        t.if(ret.eq("-EFAULT"), (b) => b.set(ret, "0"));
      });
    });
    const [l] = def.ir.locals;
    expect(l).toMatchObject({ name: "ret", domain: { kind: "enum", values: ["0", "-EFAULT"] }, init: "0", owner: { kind: "thread", id: def.ir.threads[0]?.id } });
    const body = def.ir.threads[0]?.body as Stmt[];
    expect(body.map((s) => s.kind)).toEqual(["pagefault_disable", "access", "pagefault_enable", "if"]);
    expect(body[1]).toMatchObject({ kind: "access", ret: l?.id });
    expect(body[3]).toMatchObject({ kind: "if", cond: { kind: "cmp", left: { kind: "local", local: l?.id } }, then: [{ kind: "assign", local: l?.id, value: { kind: "lit", value: "0" } }] });
  });

  it("while without a bound, loop, break and continue", () => {
    const def = model("loops", (m) => {
      const p = m.process("p");
      const x = m.bool("x", false);
      p.thread("T1", (t) => {
        t.while(x, (b) => b.continue());
        t.loop((b) => b.break(), { bound: 3 });
      });
    });
    const body = def.ir.threads[0]?.body as Stmt[];
    expect(body[0]).toMatchObject({ kind: "while", body: [{ kind: "continue" }] });
    expect(body[0]).not.toHaveProperty("bound");
    expect(body[1]).toMatchObject({ kind: "while", cond: { kind: "lit", value: true }, bound: 3, body: [{ kind: "break" }] });
  });
});

describe("lowering", () => {
  it("an unbounded loop is a cycle, not unrolled: the node count does not grow with iterations", () => {
    const mk = (n: number) =>
      model("retry", (m) => {
        const p = m.process("p");
        const a = m.mutex("a");
        const tries = m.int("tries", { min: 0, max: n }, 0);
        p.thread("T1", (t) => t.while(tries.lt(n), (b) => { b.lock(a); b.set(tries, tries.plus(1)); b.unlock(a); }));
        p.thread("T2", (t) => { t.lock(a); t.unlock(a); });
      });
    const small = lowered(mk(2)).program.threads[0] as ThreadProgram;
    const big = lowered(mk(5)).program.threads[0] as ThreadProgram;
    expect(cyclic(small)).toBe(true);
    expect(big.nodes.length).toBe(small.nodes.length);
  });

  it("a local's value is in the pc only where it is still read", () => {
    const def = model("live", (m) => {
      const p = m.process("p");
      const a = m.mutex("a");
      p.thread("T1", (t) => {
        const ret = t.bool("ret", false);
        t.either((b) => b.set(ret, true), (b) => b.set(ret, false));
        t.lock(a); // two nodes: ret is read below
        t.if(ret, (b) => b.unlock(a), (b) => b.unlock(a));
        t.lock(a); // one node: ret is dead here
        t.unlock(a);
      });
    });
    const tp = lowered(def).program.threads[0] as ThreadProgram;
    const ret = def.ir.locals[0]?.id as string;
    const locks = tp.nodes.filter((n) => n.op.kind === "acquire").map((n) => [n.loc.line, n.locals] as const);
    const [first, second] = [...new Set(locks.map(([line]) => line))].sort((a, b) => a - b);
    // ret = false is its initial value: a pc carries only values other than the initial one.
    expect(locks.filter(([line]) => line === first).map(([, v]) => v)).toEqual(expect.arrayContaining([{ [ret]: true }, {}]));
    expect(locks.filter(([line]) => line === first)).toHaveLength(2);
    expect(locks.filter(([line]) => line === second)).toEqual([[second, {}]]);
  });

  it("procedure locals start fresh at every call", () => {
    const def = model("fresh", (m) => {
      const p = m.process("p");
      const seen = m.int("seen", { min: 0, max: 2 }, 0);
      const f = m.proc("f", (b) => {
        const n = b.int("n", { min: 0, max: 1 }, 0);
        b.if(n.eq(0), (x) => x.set(seen, seen.plus(1)));
        b.set(n, 1);
      });
      p.thread("T1", (t) => { t.call(f); t.call(f); t.assert(seen.eq(2), "n is fresh at each call"); });
    });
    expect(explore(def).verdict).toBe("ok");
  });

  it("merging keeps one pc on a cycle made of thread-local nodes only", () => {
    const def = model("spin", (m) => {
      const p = m.process("p");
      p.thread("T1", (t) => {
        const k = t.bool("k", false);
        t.loop((b) => b.set(k, k.eq(false)));
      });
    });
    const c = lowered(def);
    const tp = c.program.threads[0] as ThreadProgram;
    const kept = tp.nodes.filter((n) => !planMerge(def.ir, c.program).absorbed.get(tp.thread)?.has(n.pc));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((n) => spellOp(def.ir, n.op).startsWith("while"))).toBe(true);
    // It never finishes, but it never deadlocks either.
    expect(explore(def).verdict).toBe("ok");
  });
});

describe("a local costs no states beyond its values", () => {
  // The same decisions, once through a local and once written on constants.
  const withLocal = model("with local", (m) => {
    const p = m.process("p");
    const a = m.mutex("a");
    const b = m.mutex("b");
    const buf = p.region("buf");
    const x = m.int("x", { min: 0, max: 2 }, 0);
    p.thread("T1", (t) => {
      const ret = t.bool("ret", false);
      t.lock(a);
      t.pagefaultDisable();
      t.copyFromUser(buf, { ret });
      t.pagefaultEnable();
      t.unlock(a);
      t.if(ret, (f) => { f.lock(b); f.set(x, 1); f.unlock(b); }, (o) => { o.set(x, 2); });
      t.lock(a);
      t.unlock(a);
    });
    p.thread("T2", (t) => { t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
  });
  const onConstants = model("on constants", (m) => {
    const p = m.process("p");
    const a = m.mutex("a");
    const b = m.mutex("b");
    const buf = p.region("buf");
    const x = m.int("x", { min: 0, max: 2 }, 0);
    p.thread("T1", (t) => {
      t.lock(a);
      t.pagefaultDisable();
      t.copyFromUser(buf, {
        onFault: (f) => { f.pagefaultEnable(); f.unlock(a); f.lock(b); f.set(x, 1); f.unlock(b); f.lock(a); f.unlock(a); f.return(); },
      });
      t.pagefaultEnable();
      t.unlock(a);
      t.set(x, 2);
      t.lock(a);
      t.unlock(a);
    });
    p.thread("T2", (t) => { t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
  });

  it("has the same distinct states, merged and unmerged, in the explorer", () => {
    for (const merge of [true, false]) {
      const a = explore(withLocal, { merge, exhaustive: true });
      const b = explore(onConstants, { merge, exhaustive: true });
      expect([a.verdict, a.reachable]).toEqual([b.verdict, b.reachable]);
      if (merge) expect(a.distinct).toBe(b.distinct);
    }
  });
});

describe("lock arrays", () => {
  it("make one lock per index; an element named by a local is resolved where its value is known", () => {
    const def = model("arrays", (m) => {
      const p = m.process("p");
      const page = m.pageLocks(["P", "Q"]);
      const i = p.rwsemArray("inode[].i_rwsem", ["A", "B"]);
      p.thread("T1", (t) => {
        const which = t.enum("which", ["P", "Q"], "P");
        t.either(() => {}, (b) => b.set(which, "Q"));
        t.lockPage(page.at(which));
        t.unlockPage(page.at(which));
        t.downRead(i.at("B"));
        t.upRead(i.at("B"));
      });
    });
    expect(def.ir.locks.map((l) => [l.name, l.kind, l.element?.index])).toEqual([
      ["p.mmap_lock", "rwsem", undefined],
      ["page[P]", "mutex", "P"],
      ["page[Q]", "mutex", "Q"],
      ["p.inode[A].i_rwsem", "rwsem", "A"],
      ["p.inode[B].i_rwsem", "rwsem", "B"],
    ]);
    const body = def.ir.threads[0]?.body as Stmt[];
    expect(body[1]).toMatchObject({ kind: "acquire", byLocal: { local: def.ir.locals[0]?.id } });
    const tp = lowered(def).program.threads[0] as ThreadProgram;
    const spelled = tp.nodes.map((n) => spellOp(def.ir, n.op)).filter((x) => !x.startsWith("either") && !x.startsWith("which"));
    expect(new Set(spelled)).toEqual(new Set(["lock_page(P)", "unlock_page(P)", "lock_page(Q)", "unlock_page(Q)", "down_read(&p->inode[B].i_rwsem)", "up_read(&p->inode[B].i_rwsem)"]));
    expect(tp.nodes.every((n) => !("byLocal" in n.op))).toBe(true);
  });
});

describe("arrays of shared variables", () => {
  const perBlock = () =>
    model("var arrays", (m) => {
      const p = m.process("p");
      const blk = m.enumArray("blk", ["A", "B"], ["clean", "dirty"], { A: "clean", B: "dirty" });
      const seen = m.boolArray("inode[].seen", ["A", "B"], false);
      const n = m.intArray("count", ["A", "B"], { min: 0, max: 2 }, 1);
      p.thread("T1", (t) => {
        const i = t.enum("i", ["A", "B"], "A");
        t.either(() => {}, (b) => b.set(i, "B"));
        t.if(blk.at(i).eq("dirty"), (b) => b.set(blk.at(i), "clean"));
        t.set(seen.at("B"), true);
        t.set(n.at(i), n.at(i).plus(1));
      });
      m.invariant("counted", n.at("A").le(2));
    });

  it("make one variable per index, each with its initial value; an element named by a local is an `elem` and a set by local", () => {
    const def = perBlock();
    expect(def.diagnostics).toEqual([]);
    expect(def.ir.vars.map((v) => [v.name, v.init, v.element?.array, v.element?.index])).toEqual([
      ["blk[A]", "clean", "blk", "A"],
      ["blk[B]", "dirty", "blk", "B"],
      ["inode[A].seen", false, "inode[].seen", "A"],
      ["inode[B].seen", false, "inode[].seen", "B"],
      ["count[A]", 1, "count", "A"],
      ["count[B]", 1, "count", "B"],
    ]);
    const [blkA, blkB, , seenB] = def.ir.vars.map((v) => v.id);
    const i = def.ir.locals[0]?.id;
    const body = def.ir.threads[0]?.body as Stmt[];
    expect(body[1]).toMatchObject({
      kind: "if",
      cond: { kind: "cmp", left: { kind: "elem", array: "blk", index: { kind: "local", local: i }, elements: { A: blkA, B: blkB } } },
      then: [{ kind: "set", byLocal: { local: i, elements: { A: blkA, B: blkB } } }],
    });
    expect(body[2]).toMatchObject({ kind: "set", variable: seenB });
    expect(body[2]).not.toHaveProperty("byLocal");
  });

  it("lower to plain variables wherever the local's value is known, and spell as the kernel does", () => {
    const def = perBlock();
    const tp = lowered(def).program.threads[0] as ThreadProgram;
    expect(tp.nodes.every((n) => !("byLocal" in n.op) && !JSON.stringify(n.op.kind === "branch" ? n.op.cond : n.op).includes('"elem"'))).toBe(true);
    const spelled = new Set(tp.nodes.map((n) => spellOp(def.ir, n.op)));
    for (const s of ["blk[A] = clean", "blk[B] = clean", "inode[B].seen = true", "count[A] = count[A] + 1", "count[B] = count[B] + 1", "if (blk[T1.i] == dirty)"]) expect(spelled).toContain(s);
  });

  it("cost exactly the states of the same model written with one variable per element and constants", () => {
    const byLocal = model("by local", (m) => {
      const p = m.process("p");
      const a = m.mutex("a");
      const blk = m.enumArray("blk", ["A", "B"], ["clean", "dirty"], "clean");
      for (const name of ["T1", "T2"]) {
        p.thread(name, (t) => {
          const i = t.enum("i", ["A", "B"], "A");
          t.either(() => {}, (b) => b.set(i, "B"));
          t.lock(a);
          t.if(blk.at(i).eq("clean"), (b) => b.set(blk.at(i), "dirty"), (b) => b.set(blk.at(i), "clean"));
          t.unlock(a);
        });
      }
    });
    const onConstants = model("on constants", (m) => {
      const p = m.process("p");
      const a = m.mutex("a");
      const blk = { A: m.enum("blkA", ["clean", "dirty"], "clean"), B: m.enum("blkB", ["clean", "dirty"], "clean") };
      for (const name of ["T1", "T2"]) {
        p.thread(name, (t) => {
          const critical = (x: (typeof blk)["A"]) => (b: Body) => {
            b.lock(a);
            b.if(x.eq("clean"), (c) => c.set(x, "dirty"), (c) => c.set(x, "clean"));
            b.unlock(a);
          };
          t.either(critical(blk.A), critical(blk.B));
        });
      }
    });
    for (const merge of [true, false]) {
      const a = explore(byLocal, { merge, exhaustive: true });
      const b = explore(onConstants, { merge, exhaustive: true });
      expect(a.verdict).toBe(b.verdict);
      // Unmerged, every assignment of a local is a step of its own (merging absorbs them).
      if (merge) expect(a.distinct).toBe(b.distinct);
    }
  });
});
