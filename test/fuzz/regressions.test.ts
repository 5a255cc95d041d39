// Every disagreement differential fuzzing found, kept as a named model: the
// generated spec under TLC and the reference explorer agree on it.
import { describe, expect, it } from "vitest";
import type { ModelDef } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { toolchain } from "../helpers/toolchain.js";
import { differential } from "./differential.js";

const cases: [file: string, verdict: string][] = [
  ["held-by-thread-in-action", "deadlock"],
  ["constant-false-invariant", "invariant"],
  ["rwsem-generated-count", "ok"],
  ["await-disjunction-generated-count", "ok"],
  // Unsound merges found by review and kept: merged and unmerged must agree (differential).
  ["merge-trylock-sees-transient-hold", "assertion"],
  ["merge-position-read", "invariant"],
];

describe.each(cases)("regression %s", (file, verdict) => {
  it(`is ${verdict} for TLC and the explorer alike`, async () => {
    const def = (await import(`./regressions/${file}.ts`)).default as ModelDef;
    expect(explore(def).verdict).toBe(verdict);
    expect(explore(def, { merge: false }).verdict).toBe(verdict);
    const r = await differential(def, await toolchain());
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });
});
