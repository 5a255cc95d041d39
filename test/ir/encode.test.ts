// src/ir/encode.ts: merged, a rwsem the model never takes for read is encoded as
// a mutex. Which rwsems qualify, what the spec and the explorer make of them, and
// that the unmerged spec (SEMANTICS' encoding) and the merged one agree.
import { describe, expect, it } from "vitest";
import { check, compile } from "../../src/check.js";
import { type ModelBuilder, type ModelDef, model } from "../../src/dsl/model.js";
import type { RwsemRef } from "../../src/dsl/refs.js";
import { not, or } from "../../src/dsl/expr.js";
import { explore } from "../../src/explore/index.js";
import { writeOnlyRwsems } from "../../src/ir/encode.js";
import { validate } from "../../src/ir/validate.js";
import { toolchain } from "../helpers/toolchain.js";

function chosen(def: ModelDef): string[] {
  const v = validate(def.ir, def.diagnostics);
  if (!v.program) throw new Error("invalid model");
  const names = new Map(def.ir.locks.map((l) => [l.id, l.name]));
  return [...writeOnlyRwsems(def.ir, v.program)].map((id) => names.get(id) ?? id).sort();
}

/** AB-BA over two rwsems taken for write; `extra` adds to the model. */
const abba = (extra: (m: ModelBuilder, a: RwsemRef, b: RwsemRef) => void = () => {}) =>
  model("abba", (m) => {
    const app = m.process("app");
    const a = m.rwsem("A");
    const b = m.rwsem("B");
    app.thread("T1", (t) => {
      t.downWrite(a);
      t.downWrite(b);
      t.upWrite(b);
      t.upWrite(a);
    });
    app.thread("T2", (t) => {
      t.downWrite(b);
      t.downWrite(a);
      t.upWrite(a);
      t.upWrite(b);
    });
    extra(m, a, b);
  });

describe("which rwsems are encoded as mutexes", () => {
  it("those taken only for write, and a process's mmap_lock nobody takes", () => {
    expect(chosen(abba())).toEqual(["A", "B", "app.mmap_lock"]);
  });

  it("not one taken for read anywhere, by a down_read, a trylock or a page fault", () => {
    expect(chosen(abba((m, a) => m.process("p").thread("R", (t) => {
      t.downRead(a);
      t.upRead(a);
    })))).toEqual(["B", "app.mmap_lock", "p.mmap_lock"]);
    expect(chosen(abba((m, _a, b) => m.process("p").thread("R", (t) => t.downReadTrylock(b, (x) => x.upRead(b)))))).toEqual(["A", "app.mmap_lock", "p.mmap_lock"]);
    // A user access may fault: the fault path takes the owner's mmap_lock for read.
    expect(chosen(model("fault", (m) => {
      const app = m.process("app");
      const buf = app.region("buf");
      app.thread("T", (t) => t.copyToUser(buf));
    }))).toEqual([]);
  });

  it("a down_write_trylock counts as a write", () => {
    expect(chosen(abba((m, a) => m.process("p").thread("W", (t) => t.downWriteTrylock(a, (x) => x.upWrite(a)))))).toEqual(["A", "B", "app.mmap_lock", "p.mmap_lock"]);
  });

  it("not one a held() names with a mode, nor any under checkTermination()", () => {
    expect(chosen(abba((m, a) => m.invariant("I", not(m.held(a, undefined, "write")))))).toEqual(["B", "app.mmap_lock"]);
    expect(chosen(abba((m, a) => m.invariant("I", or(m.held(a), true))))).toEqual(["A", "B", "app.mmap_lock"]);
    expect(chosen(abba((m) => m.checkTermination()))).toEqual([]);
  });
});

describe("the encoding", () => {
  it("merged: owner variables, no rw; unmerged: fair rwsems; the same deadlock, reported in rwsem words", async () => {
    const tc = await toolchain();
    const merged = await check(abba(), { toolchain: tc });
    const plain = await check(abba(), { toolchain: tc, merge: false });
    expect(merged.spec?.tla).toMatch(/^Mutexes == \{"app_mmap_lock", "A", "B"\}$/m);
    expect(merged.spec?.tla).toMatch(/^VARIABLES pc, owner$/m);
    expect(merged.spec?.tla).toContain("\\* T1: down_write(&A)");
    expect(plain.spec?.tla).toMatch(/^FairRwsems == \{"app_mmap_lock", "A", "B"\}$/m);
    expect(merged.verdict).toBe("deadlock");
    expect(plain.verdict).toBe("deadlock");
    expect(merged.finding?.steps.map((s) => `${s.operation} ${s.effect}`)).toEqual(["down_write(&A) acquired for write", "down_write(&B) acquired for write"]);
    expect(merged.finding?.steps[1]?.state).toContain("&B: write-held by T2");
    expect(merged.finding?.waits?.map((w) => w.text)).toEqual([
      expect.stringMatching(/^T1 waits for &B \(write\) at .*: held for write by T2$/),
      expect.stringMatching(/^T2 waits for &A \(write\) at .*: held for write by T1$/),
    ]);
    // The dependency table reads the model's own modes, and knows the deadlock for the cycle it closes.
    expect(merged.insight?.deps.edges.map((e) => `${e.from.lock} (${e.from.mode}) -> ${e.to.lock} (${e.to.mode})`).sort()).toEqual(["&A (write) -> &B (write)", "&B (write) -> &A (write)"]);
    expect(merged.insight?.shown).toEqual([true]);
  });

  it("the explorer encodes as the generator does: the same states as TLC", async () => {
    const tc = await toolchain();
    // A before B everywhere (no deadlock: TLC explores every state), and a trylock.
    const ordered = (trylock: boolean) =>
      model("ordered", (m) => {
        const app = m.process("app");
        const a = m.rwsem("A");
        const b = m.rwsem("B");
        for (const name of ["T1", "T2"]) {
          app.thread(name, (t) => {
            t.downWrite(a);
            t.downWrite(b);
            t.upWrite(b);
            t.upWrite(a);
          });
        }
        if (trylock) app.thread("W", (t) => t.downWriteTrylock(b, (x) => x.upWrite(b)));
      });
    for (const def of [ordered(false), ordered(true)]) {
      const r = await check(def, { toolchain: tc, deps: false });
      expect(r.verdict).toBe("ok");
      expect(r.spec?.tla).not.toContain("VARIABLES pc, owner, rw");
      const e = explore(def, { exhaustive: true });
      expect([e.distinct, e.generated]).toEqual([r.stats?.distinct, r.stats?.generated]);
      expect(e.distinct).toBeLessThan(explore(def, { exhaustive: true, encode: false }).distinct);
    }
    const c = compile(abba());
    expect(c.ok && c.encoded.model.locks.filter((l) => l.writeOnly).map((l) => l.name).sort()).toEqual(["A", "B", "app.mmap_lock"]);
  });
});
