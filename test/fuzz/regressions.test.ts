// Every disagreement differential fuzzing found, kept as a named model: the
// generated spec under TLC and the reference explorer agree on it.
import { describe, expect, it } from "vitest";
import type { ModelDef } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { toolchain } from "../helpers/toolchain.js";
import { differential } from "./differential.js";

const cases: [file: string, verdict: string, unmerged?: string][] = [
  ["held-by-thread-in-action", "deadlock"],
  ["constant-false-invariant", "invariant"],
  ["constant-local-invariant", "invariant"],
  ["rwsem-generated-count", "ok"],
  ["hostile-index-in-invariant", "invariant"],
  ["retry-stutter-livelock", "termination"],
  ["await-disjunction-generated-count", "ok"],
  ["guard-disjunction-generated-count", "ok"],
  ["guard-same-way-generated-count", "ok"],
  ["termination-lock-starvation", "termination"],
  // Unsound merges found by review and kept: merged and unmerged must agree (differential).
  ["merge-trylock-sees-transient-hold", "assertion"],
  ["merge-position-read", "invariant"],
  ["merge-invariant-between-writes", "invariant"],
  ["merge-gup-fault-in", "deadlock"],
  // Unmerged exploration meets the bad unlock first; either is a shortest finding.
  ["tied-first-findings", "loop-bound", "bad-unlock"],
  ["typed-model-value-name", "invariant"],
];

describe.each(cases)("regression %s", (file, verdict, unmerged = verdict) => {
  it(`is ${verdict} for TLC and the explorer alike`, async () => {
    const def = (await import(`./regressions/${file}.ts`)).default as ModelDef;
    expect(explore(def).verdict).toBe(verdict);
    expect(explore(def, { merge: false }).verdict).toBe(unmerged);
    const r = await differential(def, await toolchain());
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });
});

it("tied-first-findings: both rules broken in the initial states are listed as ties", async () => {
  const def = (await import("./regressions/tied-first-findings.ts")).default as ModelDef;
  const ex = explore(def, { ties: true });
  expect(ex.depth).toBe(1);
  expect(ex.tied?.map((k) => k.split(":")[0])).toEqual(["bad-unlock", "loop-bound"]);
});
