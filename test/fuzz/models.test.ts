// The random model generator reaches the constructs the differential fuzzing is
// meant to compare: arrays of shared variables, with elements named by constants and
// by locals, in conditions, sets and invariants (and every model it builds is valid).
import { expect, it } from "vitest";
import { validate } from "../../src/ir/validate.js";
import type { Expr, Stmt } from "../../src/ir/types.js";
import { subexprs } from "../../src/ir/types.js";
import { build, sampleModel } from "./models.js";

it("generates arrays of shared variables: elements by constant and by local, set, read in conditions and in invariants", () => {
  const seen = { arrays: 0, setByLocal: 0, setByConstant: 0, condByLocal: 0, invariantByLocal: 0, invalid: 0 };
  for (let i = 0; i < 200; i++) {
    const def = build(`m${i}`, sampleModel(31337, i));
    if (!validate(def.ir, def.diagnostics).program) seen.invalid++;
    const elements = new Set(def.ir.vars.filter((v) => v.element).map((v) => v.id));
    if (elements.size > 0) seen.arrays++;
    const hasElem = (e: Expr) => [...subexprs(e)].some((x) => x.kind === "elem");
    const walk = (ss: readonly Stmt[]): void => {
      for (const s of ss) {
        if (s.kind === "set" && s.byLocal) seen.setByLocal++;
        if (s.kind === "set" && !s.byLocal && elements.has(s.variable)) seen.setByConstant++;
        if ((s.kind === "if" || s.kind === "await" || s.kind === "assert" || s.kind === "while") && hasElem(s.cond)) seen.condByLocal++;
        const nested = s.kind === "trylock" || s.kind === "if" ? [s.then, s.else] : s.kind === "either" ? s.branches : s.kind === "repeat" || s.kind === "while" ? [s.body] : s.kind === "access" && s.onFault ? [s.onFault] : s.kind === "fault_retry" ? [s.body] : [];
        nested.forEach(walk);
      }
    };
    for (const t of [...def.ir.threads, ...def.ir.procs]) walk(t.body);
    if (def.ir.invariants.some((inv) => hasElem(inv.cond))) seen.invariantByLocal++;
  }
  expect(seen.invalid).toBeLessThan(30);
  expect(seen.arrays).toBeGreaterThan(100);
  for (const k of ["setByLocal", "setByConstant", "condByLocal", "invariantByLocal"] as const) expect(seen[k], k).toBeGreaterThan(5);
});
