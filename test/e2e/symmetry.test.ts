// TLC symmetry over threads(n, ...) groups: fewer states, the same verdicts, and
// traces that still name the threads (model values print like strings).
import { describe, expect, it } from "vitest";
import { family } from "../../bench/family.js";
import { family2 } from "../../bench/family2.js";
import { check, compile } from "../../src/check.js";
import { not } from "../../src/dsl/expr.js";
import { model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { toolchain } from "../helpers/toolchain.js";

describe("symmetry", () => {
  it("declares a group's threads as model values and the product of the groups' permutations", () => {
    const c = compile(family({ k: 2, f: 2, w: 1, l: 1 }, true));
    if (!c.ok) throw new Error("invalid");
    expect(c.spec.tla).toContain("EXTENDS Integers, Sequences, FiniteSets, Bags, TLC");
    expect(c.spec.tla).toContain("CONSTANTS ioctl1, ioctl2, reader1, reader2");
    expect(c.spec.tla).toContain("Threads == {ioctl1, ioctl2, reader1, reader2, \"mmap1\"}");
    expect(c.spec.tla).toMatch(/Symmetry == \{\[x \\in \{ioctl1, ioctl2\} \\cup \{reader1, reader2\} \|-> IF x \\in \{ioctl1, ioctl2\} THEN p1\[x\] ELSE p2\[x\]\] :\n {8}p1 \\in Permutations\(\{ioctl1, ioctl2\}\), p2 \\in Permutations\(\{reader1, reader2\}\)\}/);
    expect(c.spec.cfg).toContain("CONSTANTS\n    ioctl1 = ioctl1\n    ioctl2 = ioctl2\n    reader1 = reader1\n    reader2 = reader2\nSYMMETRY Symmetry\n");
    // Twins: of two group threads at the same pc (holding what it implies, not
    // queued) only the first moves; a rwsem acquire asks whether the first is queued.
    expect(c.spec.tla).toContain('reader2_p2 ==\n    /\\ pc[reader2] = "p2"\n    /\\ ~(pc[reader1] = "p2" /\\ ~Queued("app_mmap_lock", reader1))  \\* a twin ahead stands here: it moves instead (symmetry)\n');
    expect(c.spec.tla).not.toMatch(/^reader1_p2 ==\n.*\n.*twin/m);
    const buggy = compile(family({ k: 2, f: 1, w: 1, l: 1 }, false));
    if (!buggy.ok) throw new Error("invalid");
    expect(buggy.spec.tla).toContain('ioctl2_p1 ==\n    /\\ pc[ioctl2] = "p1"\n    /\\ pc[ioctl1] # "p1"  \\* a twin ahead stands here: it moves instead (symmetry)\n');
    const off = compile(family({ k: 2, f: 2, w: 1, l: 1 }, true), { symmetry: false });
    if (!off.ok) throw new Error("invalid");
    expect(off.spec.tla).toContain("EXTENDS Integers, Sequences, FiniteSets, Bags\n");
    expect(off.spec.cfg).not.toContain("SYMMETRY");
    expect(off.spec.tla).not.toContain("twin");
  });

  it("checks the fixed family with fewer states and the same verdict", async () => {
    const tc = await toolchain();
    const def = family({ k: 2, f: 2, w: 2, l: 1 }, true);
    const [sym, plain] = await Promise.all([check(def, { toolchain: tc }), check(def, { toolchain: tc, symmetry: false })]);
    expect([sym.verdict, plain.verdict]).toEqual(["ok", "ok"]);
    expect(plain.stats?.distinct).toBe(64);
    expect(sym.stats?.distinct).toBe(27);
    // The twin guards only spare TLC successors it would identify anyway.
    expect(sym.stats?.generated).toBeLessThan(98);
    // The explorer, counting one state per permutation class, reaches as many (and
    // every state without symmetry); the fuzzer compares the two on random groups.
    const groups = compile(def);
    if (!groups.ok) throw new Error("invalid");
    expect(explore(def, { symmetry: groups.symmetry.groups.map((g) => g.threads) }).distinct).toBe(27);
    expect(explore(def).distinct).toBe(64);
  });

  it("the explorer's symmetric count matches TLC's on family 2 as well", async () => {
    const def = family2({ k: 1, f: 2, w: 2, l: 1 }, true);
    const c = compile(def);
    if (!c.ok) throw new Error("invalid");
    const r = await check(def, { toolchain: await toolchain(), deps: false });
    const ex = explore(def, { symmetry: c.symmetry.groups.map((g) => g.threads) });
    expect([ex.verdict, ex.distinct, ex.depth]).toEqual([r.verdict, r.stats?.distinct, r.stats?.depth]);
    expect(ex.distinct).toBe(371);
  });

  it("finds the buggy family's deadlock and names the threads in the cycle", async () => {
    const r = await check(family({ k: 2, f: 1, w: 1, l: 1 }, false), { toolchain: await toolchain() });
    expect(r.verdict).toBe("deadlock");
    const cycle = r.finding?.cycle ?? [];
    expect(cycle.length).toBe(4);
    expect(cycle.map((t) => t.replace(/[0-9]+$/, "")).slice(0, 3).sort()).toEqual(["ioctl", "mmap", "reader"]);
    expect(r.finding?.details.some((d) => /waits for &app->mmap_lock \(write\).*held for read by reader1/.test(d))).toBe(true);
  });

  it("is not used when an invariant names a thread of the group", async () => {
    const def = model("named", (m) => {
      const app = m.process("app");
      const M = m.mutex("M");
      const [first] = app.threads(2, "ioctl", (t) => {
        t.lock(M);
        t.unlock(M);
      });
      m.invariant("first never holds M", not(m.held(M, first)));
    });
    const c = compile(def);
    if (!c.ok) throw new Error("invalid");
    expect(c.spec.cfg).not.toContain("SYMMETRY");
    expect(c.symmetry.off.map((o) => o.why)).toEqual(["an expression names 'ioctl1', which tells the threads apart"]);
    const r = await check(def, { toolchain: await toolchain() });
    expect(r.verdict).toBe("invariant");
  });
});
