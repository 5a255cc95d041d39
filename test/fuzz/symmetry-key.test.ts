// The explorer's key under symmetry (src/explore/state.ts symmetricKey: each
// group's threads renamed in the order of their signatures) against the
// definition it replaces: the least key over every permutation of the groups.
// Both must split the reachable states into the same classes, and the explorer's
// count under symmetry must be the number of those classes.
import { describe, expect, it } from "vitest";
import { family2 } from "../../bench/family2.js";
import { compile } from "../../src/check.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { ExploreLimitError, type State, explore } from "../../src/explore/index.js";
import { permute, stateKey, symmetricKey } from "../../src/explore/state.js";
import { model } from "../../src/index.js";
import { build, sampleModel } from "./models.js";

/** Every ordering of xs. */
function orderings(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => orderings([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** The least stateKey over every renaming of each group's threads among themselves. */
function leastKey(groups: readonly (readonly number[])[], threadCount: number): (s: State) => string {
  let perms: number[][] = [[...Array(threadCount).keys()]];
  for (const g of groups) {
    perms = perms.flatMap((p) =>
      orderings(g).map((o) => {
        const q = [...p];
        g.forEach((t, i) => {
          q[t] = o[i] as number;
        });
        return q;
      }),
    );
  }
  return (s) => perms.map((p) => stateKey(permute(s, p))).reduce((a, b) => (b < a ? b : a));
}

/** Compares the two keys over every reachable state of def (merged, as the check); the number of classes. */
function sameClasses(def: ModelDef): { classes: number; states: number } | undefined {
  const c = compile(def);
  if (!c.ok || c.symmetry.groups.length === 0) return undefined;
  const ids = c.program.threads.map((t) => t.thread);
  const groups = c.symmetry.groups.map((g) => g.threads.map((t) => ids.indexOf(t)));
  const fast = symmetricKey(groups, ids.length);
  const slow = leastKey(groups, ids.length);
  const fastToSlow = new Map<string, string>();
  const slowToFast = new Map<string, string>();
  let states = 0;
  explore({ model: def.ir, program: c.program }, {
    exhaustive: true,
    maxStates: 20_000,
    observeState: (_w, s) => {
      states++;
      const f = fast(s);
      const l = slow(s);
      expect(fastToSlow.get(f) ?? l).toBe(l);
      expect(slowToFast.get(l) ?? f).toBe(f);
      fastToSlow.set(f, l);
      slowToFast.set(l, f);
    },
  });
  const sym = explore({ model: def.ir, program: c.program }, { exhaustive: true, symmetry: c.symmetry.groups.map((g) => g.threads) });
  expect(sym.distinct).toBe(fastToSlow.size);
  return { classes: fastToSlow.size, states };
}

describe("symmetricKey: one sort per group gives the classes every permutation gives", () => {
  it("family 2 at K2 F2 W2 L1 (mutex owners, readers, writers and queues of two fair rwsems)", () => {
    const r = sameClasses(family2({ k: 2, f: 2, w: 2, l: 1 }, true));
    expect(r?.classes).toBeGreaterThan(100);
    expect(r?.classes).toBeLessThan(r?.states ?? 0);
  });

  it("three readers that read a rwsem twice each (equal signatures: read counts), with a writer queued between", () => {
    const def = model("recursive readers", (m) => {
      const app = m.process("app");
      const S = m.rwsem("S");
      app.threads(3, "reader", (t) => {
        t.downRead(S);
        t.downRead(S);
        t.upRead(S);
        t.upRead(S);
      });
      app.threads(2, "writer", (t) => {
        t.downWrite(S);
        t.upWrite(S);
      });
    });
    const r = sameClasses(def);
    expect(r?.classes).toBeGreaterThan(10);
  });

  it("random models with threads(n, ...) groups", () => {
    let compared = 0;
    for (let i = 0; i < 400 && compared < 25; i++) {
      const def = build(`sym_${i}`, sampleModel(5_150_000, i));
      try {
        if (sameClasses(def)) compared++;
      } catch (err) {
        if (err instanceof ExploreLimitError) continue;
        throw err;
      }
    }
    expect(compared).toBe(25);
  });
});
