// Step merging of invisible locks (src/ir/merge.ts): a mutex or spinlock that no
// state can show held has its acquires absorbed too, and only then.
import { describe, expect, it } from "vitest";
import { family } from "../../bench/family.js";
import { compile } from "../../src/check.js";
import { and, implies, not, or } from "../../src/dsl/expr.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { planMerge } from "../../src/ir/merge.js";
import type { Node } from "../../src/ir/program.js";
import gupFaultIn from "../fuzz/regressions/merge-gup-fault-in.js";
import invariantBetweenWrites from "../fuzz/regressions/merge-invariant-between-writes.js";

/** The nodes merging absorbs, per thread name. */
function absorbedNodes(def: ModelDef): Record<string, Node[]> {
  const c = compile(def, { symmetry: false });
  if (!c.ok) throw new Error("invalid model");
  const plan = planMerge(def.ir, c.program);
  return Object.fromEntries(
    c.program.threads.map((tp) => [def.ir.threads.find((t) => t.id === tp.thread)?.name as string, tp.nodes.filter((n) => plan.absorbed.get(tp.thread)?.has(n.pc))]),
  );
}

/** Per thread name, what `pick` says of each absorbed node it keeps (undefined: skipped). */
const absorbed = <T>(def: ModelDef, pick: (n: Node) => T | undefined): Record<string, T[]> =>
  Object.fromEntries(Object.entries(absorbedNodes(def)).map(([name, ns]) => [name, ns.map(pick).filter((x): x is T => x !== undefined)]));

/** The locks whose acquires merging absorbs, per thread name. */
const absorbedAcquires = (def: ModelDef) => absorbed(def, (n) => (n.op.kind === "acquire" ? n.op.lock : undefined));

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

/** The shared-variable operations (set, branch on a variable) merging absorbs, per thread name. */
const absorbedVarOps = (def: ModelDef) => absorbed(def, (n) => (n.op.kind === "set" || n.op.kind === "branch" ? n.op.kind : undefined));

/**
 * Two threads that touch `count` only under mmap_lock (held for write), a third that
 * queues on it, so that one continuation runs woken inside another thread's release.
 */
function guarded(opts: { reader?: "locked" | "unlocked"; invariant?: boolean } = {}) {
  return model("guarded", (m) => {
    const app = m.process("app");
    const state = m.enum("state", ["idle", "busy", "done"], "idle");
    const seen = m.bool("seen", false);
    app.thread("W1", (t) => {
      t.downWrite(app.mmapLock);
      t.if(state.eq("idle"), (b) => b.set(state, "busy"), (b) => b.set(state, "done"));
      t.upWrite(app.mmapLock);
    });
    app.thread("W2", (t) => {
      t.downWrite(app.mmapLock);
      t.if(state.eq("busy"), (b) => b.set(state, "done"));
      t.upWrite(app.mmapLock);
    });
    app.thread("R", (t) => {
      if (opts.reader === "unlocked") t.if(state.eq("done"), (b) => b.set(seen, true));
      else {
        t.downRead(app.mmapLock);
        t.if(state.eq("done"), (b) => b.set(seen, true));
        t.upRead(app.mmapLock);
      }
    });
    if (opts.invariant) m.invariant("never busy", not(state.eq("busy")));
  });
}

describe("variables only their lock's holders touch", () => {
  it("absorbs sets of and branches on a variable every accessor touches under one lock", () => {
    // `seen` is R's alone; `state` is touched under mmap_lock everywhere.
    expect(absorbedVarOps(guarded())).toEqual({ W1: ["branch", "set", "set"], W2: ["branch", "set"], R: ["branch", "set"] });
    expect(explore(guarded()).distinct).toBeLessThan(explore(guarded(), { merge: false }).distinct);
  });

  it("keeps them when one access is outside the lock, or an invariant reads the variable", () => {
    // R reads `state` without the lock: state is no longer guarded (seen still is: R alone touches it).
    expect(absorbedVarOps(guarded({ reader: "unlocked" }))).toEqual({ W1: [], W2: [], R: ["set"] });
    expect(absorbedVarOps(guarded({ invariant: true }))).toEqual({ W1: [], W2: [], R: ["set"] });
  });

  it("gives the same findings as one step per operation", () => {
    for (const def of [guarded(), guarded({ reader: "unlocked" }), guarded({ invariant: true })]) {
      const merged = explore(def, { exhaustive: true });
      const unmerged = explore(def, { exhaustive: true, merge: false });
      expect(merged.reachable).toEqual(unmerged.reachable);
    }
    expect(explore(guarded({ invariant: true })).verdict).toBe("invariant");
  });

  it("TLC counts what the explorer counts, woken continuations included (Continue)", async () => {
    const { toolchain } = await import("../helpers/toolchain.js");
    const { runTlc } = await import("../../src/tlc/run.js");
    const { onlyChecks } = await import("../../src/check.js");
    const tc = await toolchain();
    const def = guarded();
    const c = compile(def, { symmetry: false });
    if (!c.ok) throw new Error("invalid model");
    expect(c.spec.tla).toContain("Continue(w, k) ==");
    const run = await runTlc({ spec: c.spec.tla, cfg: onlyChecks(c.spec, []), module: c.spec.module, toolchain: tc });
    if (run.outcome !== "ok") throw new Error(run.outcome);
    const all = explore(def, { exhaustive: true });
    expect(run.stats.distinct).toBe(all.distinct);
    expect(run.stats.generated).toBe(all.generated);
  }, 180_000);
});

describe("positions read by invariants", () => {
  /** How many pcs merging absorbs, per thread name. */
  const absorbedCount = (def: ModelDef): Record<string, number> =>
    Object.fromEntries(Object.entries(absorbedNodes(def)).map(([name, ns]) => [name, ns.length]));
  /** T decides locally whether to zero the block and then writes it; done(T) is read by `inv`. */
  const zeroing = (inv: "negative" | "positive" | "branch") =>
    model(`done ${inv}`, (m) => {
      const blk = m.enum("block", ["hole", "stale", "zeroed"], "hole");
      const p = m.process("p");
      const t = p.thread("T", (b) => {
        const zero = b.bool("zero", false);
        b.either((x) => x.set(zero, true), () => {});
        b.if(zero, (x) => x.set(blk, "zeroed"), (x) => x.set(blk, "stale"));
      });
      const u = p.thread("U", (b) => {
        if (inv === "branch") b.if(m.done(t), (x) => x.set(blk, "hole"));
        else b.set(blk, "hole");
      });
      void u;
      if (inv === "negative") m.invariant("mapped zeroed", implies(m.done(t), blk.eq("zeroed")));
      if (inv === "positive") m.invariant("T done or hole", or(m.done(t), blk.eq("hole")));
    });

  it("lets a thread absorb when invariants read its position only negatively (done(t) => ...)", () => {
    const def = zeroing("negative");
    expect(absorbedCount(def).T).toBeGreaterThan(0);
    const merged = explore(def, { exhaustive: true });
    const unmerged = explore(def, { exhaustive: true, merge: false });
    expect(merged.reachable).toEqual(unmerged.reachable);
    expect(merged.reachable).toEqual(["invariant:inv1"]);
    expect(merged.distinct).toBeLessThan(unmerged.distinct);
  });

  it("keeps every node of a thread whose position an invariant reads positively or a branch reads", () => {
    for (const inv of ["positive", "branch"] as const) {
      const def = zeroing(inv);
      expect(absorbedCount(def).T).toBe(0);
      expect(explore(def, { exhaustive: true }).reachable).toEqual(explore(def, { exhaustive: true, merge: false }).reachable);
    }
  });
});

describe("an acquire running on through one shared access", () => {
  /** Acquire pcs whose step runs on, per thread name. */
  const through = (def: ModelDef): Record<string, number> => {
    const c = compile(def, { symmetry: false });
    if (!c.ok) throw new Error("invalid model");
    const plan = planMerge(def.ir, c.program);
    return Object.fromEntries(c.program.threads.map((tp) => [def.ir.threads.find((t) => t.id === tp.thread)?.name as string, plan.through?.get(tp.thread)?.size ?? 0]));
  };
  /** get_block(): allocate the hole under the allocation lock, zero it outside (seed002's first race). */
  const getBlock = (opts: { trylock?: boolean; held?: boolean; rwsem?: boolean }) =>
    model("get_block", (m) => {
      const p = m.process("p");
      const blk = m.enum("block", ["hole", "allocated", "zeroed"], "hole");
      const mu = m.mutex("alloc");
      const sem = m.rwsem("alloc_sem");
      for (const name of ["F1", "F2"]) {
        p.thread(name, (t) => {
          const isNew = t.bool("new", false);
          if (opts.rwsem) t.downWrite(sem);
          else t.lock(mu);
          t.if(blk.eq("hole"), (b) => {
            b.set(blk, "allocated");
            b.set(isNew, true);
          });
          if (opts.rwsem) t.upWrite(sem);
          else t.unlock(mu);
          t.if(isNew, (b) => b.set(blk, "zeroed"));
          t.assert(blk.eq("zeroed"), "mapped block is zeroed");
        });
      }
      if (opts.trylock) p.thread("T", (t) => t.trylock(mu, (ok) => ok.unlock(mu)));
      if (opts.held) m.invariant("alloc free or block not hole", or(not(m.held(mu)), not(blk.eq("zeroed"))));
    });

  it("runs the branch on the block inside the acquire's step (mutex and rwsem), with the findings of one step per operation", () => {
    for (const rwsem of [false, true]) {
      const def = getBlock({ rwsem });
      expect(through(def)).toEqual({ F1: 1, F2: 1 });
      const merged = explore(def, { exhaustive: true });
      const unmerged = explore(def, { exhaustive: true, merge: false });
      expect(merged.reachable).toEqual(unmerged.reachable);
      expect(merged.reachable?.some((k) => k.startsWith("assertion"))).toBe(true);
      expect(merged.distinct).toBeLessThan(explore(def, { exhaustive: true, merge: false }).distinct);
    }
  });

  it("does not when another thread trylocks the lock or an expression reads it held", () => {
    for (const opts of [{ trylock: true }, { held: true }]) {
      const def = getBlock(opts);
      expect(through(def)).toMatchObject({ F1: 0, F2: 0 });
      expect(explore(def, { exhaustive: true }).reachable).toEqual(explore(def, { exhaustive: true, merge: false }).reachable);
    }
  });
});

describe("an acquire running on through reads of protected variables and one other access (R* N L*)", () => {
  /** Per thread name: what the nodes its acquires' steps run through do, in program order. */
  const runs = (def: ModelDef): Record<string, string[]> => {
    const c = compile(def, { symmetry: false });
    if (!c.ok) throw new Error("invalid model");
    const plan = planMerge(def.ir, c.program);
    return Object.fromEntries(
      c.program.threads.map((tp) => {
        const pcs = new Set([...(plan.through?.get(tp.thread)?.values() ?? [])].flatMap((s) => [...s]));
        const what = tp.nodes.filter((n) => pcs.has(n.pc)).map((n) => (n.op.kind === "set" ? `set ${def.ir.vars.find((v) => v.id === (n.op as { variable: string }).variable)?.name}` : n.op.kind));
        return [def.ir.threads.find((t) => t.id === tp.thread)?.name as string, what];
      }),
    );
  };
  /** get_blocks() zeroing a new block under the allocation lock (seed002's fix); `unlocked`: a third thread also frees it without the lock. */
  const zeroInGetBlocks = (opts: { unlocked?: boolean }) =>
    model("zero in get_blocks", (m) => {
      const p = m.process("p");
      const blk = m.enum("block", ["hole", "zeroed", "freed"], "hole");
      const mu = m.mutex("alloc");
      const threads = ["F1", "F2"].map((name) =>
        p.thread(name, (t) => {
          t.lock(mu);
          t.if(blk.eq("hole"), (b) => b.set(blk, "zeroed"));
          t.unlock(mu);
        }),
      );
      if (opts.unlocked) p.thread("T", (t) => t.set(blk, "freed"));
      // The invariant reads the block: it is protected, not guarded (its sets are N).
      m.invariant("mapped blocks are zeroed", or(not(m.done(threads[0] as never)), not(blk.eq("hole"))));
    });

  it("runs the branch on the block (a protected read) and the set (its N) in the acquire's step, with the findings of one step per operation", () => {
    const def = zeroInGetBlocks({});
    expect(runs(def)).toEqual({ F1: ["branch", "set block"], F2: ["branch", "set block"] });
    const merged = explore(def, { exhaustive: true });
    const unmerged = explore(def, { exhaustive: true, merge: false });
    expect(merged.reachable).toEqual(unmerged.reachable);
    // Per thread: init, and done; no state stands inside the critical section.
    expect(merged.distinct).toBe(4);
  });

  it("stops after the branch when another thread writes the block without the lock: the read is the N", () => {
    const def = zeroInGetBlocks({ unlocked: true });
    expect(runs(def)).toMatchObject({ F1: ["branch"], F2: ["branch"] });
    expect(explore(def, { exhaustive: true }).reachable).toEqual(explore(def, { exhaustive: true, merge: false }).reachable);
  });

  it("runs get_user_pages' residency test and its install together: a fault-in is one write", () => {
    const def = gupFaultIn;
    const c = compile(def, { symmetry: false });
    if (!c.ok) throw new Error("invalid model");
    const plan = planMerge(def.ir, c.program);
    const tp = c.program.threads[0] as (typeof c.program.threads)[number];
    const first = tp.nodes[0] as Node;
    const ran = tp.nodes.filter((n) => plan.through?.get(tp.thread)?.get(first.pc)?.has(n.pc));
    // down_read's step runs the residency test (the access) and the install (a set of the residency).
    expect(ran.map((n) => (n.op.kind === "access" ? n.op.op : n.op.kind))).toEqual(["get_user_pages", "set"]);
    const merged = explore(def, { exhaustive: true });
    expect(merged.reachable).toEqual(explore(def, { exhaustive: true, merge: false }).reachable);
    expect(merged.reachable).toContain("deadlock");
  });

  /** XFS_MMAPLOCK (seed002's fix): the fault maps the block under the read hold, the punch zaps and frees it under the write hold. */
  const mmaplock = () =>
    model("mmaplock", (m) => {
      const app = m.process("app");
      const sem = m.rwsem("mmaplock");
      const blk = m.enum("block", ["data", "freed"], "data");
      const pte = m.bool("pte", false);
      app.thread("F", (t) => {
        t.downRead(sem);
        t.if(blk.eq("data"), (b) => b.set(pte, true));
        t.upRead(sem);
      });
      app.thread("T", (t) => {
        t.downWrite(sem);
        t.set(pte, false);
        t.set(blk, "freed");
        t.upWrite(sem);
      });
      m.invariant("no map of a freed block", not(and(pte, blk.eq("freed"))));
    });

  it("runs two protected writes in one step when no invariant can be false between them only (pte written under a read hold too)", () => {
    const def = mmaplock();
    expect(runs(def)).toEqual({ F: ["branch", "set pte"], T: ["set pte", "set block"] });
    const merged = explore(def, { exhaustive: true });
    expect(merged.reachable).toEqual(explore(def, { exhaustive: true, merge: false }).reachable);
    // Each thread before or after its one step: no state inside either critical section.
    expect(merged.distinct).toBe(4);
  });

  it("stops after the first write when an invariant is false between the two writes only", () => {
    const def = invariantBetweenWrites;
    expect(runs(def).T).toEqual(["set a"]);
    const merged = explore(def, { exhaustive: true });
    expect(merged.reachable).toEqual(explore(def, { exhaustive: true, merge: false }).reachable);
    expect(merged.reachable?.some((k) => k.startsWith("invariant"))).toBe(true);
  });
});

describe("under checkTermination(), every hold of a lock is a state", () => {
  const section = (termination: boolean) =>
    model("section", (m) => {
      const p = m.process("p");
      const mu = m.mutex("m");
      const S = m.rwsem("S");
      const x = m.bool("x", false);
      p.thread("T", (t) => {
        t.lock(mu);
        t.set(x, true);
        t.unlock(mu);
        t.downRead(S);
        t.upRead(S);
      });
      p.thread("U", (t) => {
        t.lock(mu);
        t.unlock(mu);
        t.downWrite(S);
        t.upWrite(S);
      });
      if (termination) m.checkTermination();
    });
  const ops = (n: Node) => n.op.kind;

  it("absorbs whole critical sections without it", () => {
    expect(absorbed(section(false), ops)).toEqual({ T: ["set", "release", "release"], U: ["release", "release"] });
  });

  it("keeps the mutex's acquires and every release an acquire's own step would reach", () => {
    const a = absorbed(section(true), ops);
    expect(a).toEqual({ T: ["set"], U: [] });
    const def = section(true);
    expect(explore(def).verdict).toBe("ok");
    expect(explore(def).verdict).toBe(explore(def, { merge: false }).verdict);
  });
});
