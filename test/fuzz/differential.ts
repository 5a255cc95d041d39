// Differential check of one model: the generated spec (merged, the default) under
// real TLC against the reference explorer (src/explore), and merged against
// unmerged exploration (step merging must not change what can be found), and the
// lock dependency table (src/deps) against TLC's on the unmerged spec (deps.ts), and a
// model with threads(n, ...) groups under TLC's symmetry too. Used by
// the fixed-seed CI batch, the regression tests and `npm run fuzz`.

import { compile } from "../../src/check.js";
import type { ModelDef } from "../../src/dsl/model.js";
import type { SpecCheck } from "../../src/gen/index.js";
import type { Program } from "../../src/ir/program.js";
import { type ExploreResult, type Violation, ExploreLimitError, explore, violationKey } from "../../src/explore/index.js";
import type { Toolchain } from "../../src/tlc/locate.js";
import { runTlc } from "../../src/tlc/run.js";
import { diffEdges, explorerEdges, symmetryObservationDiff, tlcEdges } from "./deps.js";

/** Models with more distinct states than this are skipped (TLC would take too long). */
export const MAX_STATES = 20_000;
/** Unmerged exploration may have this many states before merged-vs-unmerged is skipped. */
export const MAX_UNMERGED_STATES = 200_000;

export type Comparison =
  | {
      readonly kind: "agree";
      readonly verdict: string;
      readonly distinct: number;
      /** Distinct states without merging (explorer), or undefined when too many to compare. */
      readonly unmerged?: number;
      /** Lock dependency edges (thread, acquire, held lock) compared with TLC's; undefined when not compared. */
      readonly depEdges?: number;
      /** Distinct states with TLC's symmetry (a model with threads(n, ...) groups), compared with the explorer's. */
      readonly symmetric?: number;
    }
  | { readonly kind: "disagree"; readonly why: string; readonly explorer?: ExploreResult; readonly tlc?: string }
  | { readonly kind: "skipped"; readonly why: string };

export async function differential(def: ModelDef, toolchain: Toolchain, maxStates = MAX_STATES): Promise<Comparison> {
  const verdicts = await verdictDifferential(def, toolchain, maxStates);
  if (verdicts.kind !== "agree") return verdicts;
  const sym = await symmetryDifferential(def, toolchain, maxStates);
  if (typeof sym === "object") return sym;
  const deps = await depsDifferential(def, toolchain);
  if (typeof deps === "string") return { kind: "disagree", why: deps };
  return { ...verdicts, ...(deps !== undefined ? { depEdges: deps } : {}), ...(sym !== undefined ? { symmetric: sym } : {}) };
}

/**
 * A model with threads(n, ...) groups TLC may permute: the spec with its SYMMETRY
 * against the explorer counting one state per permutation class. The same verdict,
 * the same depth, and for a clean run the same distinct states (states generated
 * differ: the spec lets only the first of twins standing together move). The
 * symmetric distinct count when they agree, a disagreement, or undefined when the
 * model has no group to use or is too large.
 */
async function symmetryDifferential(def: ModelDef, toolchain: Toolchain, maxStates: number): Promise<Comparison | number | undefined> {
  const c = compile(def);
  if (!c.ok || c.symmetry.groups.length === 0) return undefined;
  let ex: ExploreResult;
  try {
    ex = explore({ model: def.ir, program: c.program }, { maxStates, ties: true, symmetry: c.symmetry.groups.map((g) => g.threads) });
  } catch (err) {
    if (err instanceof ExploreLimitError) return undefined;
    throw err;
  }
  const run = await runTlc({ spec: c.spec.tla, cfg: c.spec.cfg, module: c.spec.module, toolchain, timeoutMs: 120_000, jvmArgs: ["-XX:TieredStopAtLevel=1"] });
  const disagree = (why: string): Comparison => ({ kind: "disagree", why: `with symmetry: ${why}`, explorer: ex, tlc: run.output });
  switch (run.outcome) {
    case "ok":
      if (ex.verdict !== "ok") return disagree(`tlc: ok, explorer: ${describe(ex)}`);
      if (run.stats.distinct !== ex.distinct) return disagree(`distinct states: tlc ${run.stats.distinct}, explorer ${ex.distinct}`);
      if (run.stats.depth !== ex.depth) return disagree(`depth: tlc ${run.stats.depth}, explorer ${ex.depth}`);
      return ex.distinct;
    case "invariant": {
      const check = c.spec.names.checks.get(run.invariant);
      if (!check) return disagree(`tlc: unknown invariant ${run.invariant}`);
      if (!ex.violation || !(sameCheck(check, ex.violation) || ex.tied?.includes(checkKey(check)))) return disagree(`tlc: ${run.invariant} (${JSON.stringify(check)}), explorer: ${describe(ex)}`);
      if (run.trace.states.length !== ex.depth) return disagree(`trace length: tlc ${run.trace.states.length}, explorer ${ex.depth}`);
      return ex.distinct;
    }
    case "timeout":
      return undefined;
    default:
      return disagree(`tlc: ${run.outcome}${"message" in run ? `: ${run.message}` : ""}`);
  }
}

/**
 * The dependency table three ways: the explorer with one step per operation (what
 * src/deps reports), the explorer with merged steps, and TLC on the unmerged spec.
 * The number of edges when they agree, a disagreement, or undefined when the
 * unmerged space is too large to compare.
 */
export async function depsDifferential(def: ModelDef, toolchain: Toolchain): Promise<string | number | undefined> {
  const un = explorerEdges(def, false, MAX_UNMERGED_STATES);
  if (!un.complete) return undefined;
  const merged = explorerEdges(def, true, MAX_UNMERGED_STATES);
  const m = diffEdges(merged.edges, un.edges);
  if (m) return `dependencies: merged vs unmerged explorer: ${m}`;
  const sym = symmetryObservationDiff(def, un.observation, MAX_UNMERGED_STATES);
  if (sym) return `dependencies: ${sym}`;
  const tlc = await tlcEdges(def, toolchain);
  if (typeof tlc === "string") return `dependencies: ${tlc}`;
  const t = diffEdges(tlc, un.edges);
  return t ? `dependencies: tlc vs explorer: ${t}` : un.edges.size;
}

async function verdictDifferential(def: ModelDef, toolchain: Toolchain, maxStates: number): Promise<Comparison> {
  // No symmetry: the explorer counts every state, not one per permutation class.
  const c = compile(def, { symmetry: false });
  if (!c.ok) return { kind: "skipped", why: `invalid model: ${c.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}` };
  let ex: ExploreResult;
  try {
    // ties: several states at the finding's depth may break rules; which one a
    // breadth-first search meets first depends on its order (e.g. TLC's order of
    // initial states), so any of them is a correct first finding.
    ex = explore({ model: def.ir, program: c.program }, { maxStates, ties: true });
  } catch (err) {
    if (err instanceof ExploreLimitError) return { kind: "skipped", why: `too large: ${err.message}` };
    throw err;
  }
  const vsUnmerged = mergedVsUnmerged(def, c.program, ex);
  if (typeof vsUnmerged === "string") return { kind: "disagree", why: vsUnmerged, explorer: ex };
  const unmerged = vsUnmerged === undefined ? {} : { unmerged: vsUnmerged };
  // C1 only: these runs are short, so JIT warm-up costs more than it gains (~0.3 s a run).
  // Termination is checked on the whole state graph: TLC's checks while it explores
  // run on a clock, and one that finds the livelock early stops it after a number of
  // distinct states that depends on the load (model 1140820: 10,264 and 10,480 of 11,348).
  const run = await runTlc({ spec: c.spec.tla, cfg: c.spec.cfg, module: c.spec.module, toolchain, timeoutMs: 120_000, jvmArgs: ["-XX:TieredStopAtLevel=1"], checkLiveness: "final" });
  const disagree = (why: string): Comparison => ({ kind: "disagree", why, explorer: ex, tlc: run.output });
  switch (run.outcome) {
    case "ok":
      if (ex.verdict !== "ok") return disagree(`tlc: ok, explorer: ${describe(ex)}`);
      if (run.stats.distinct !== ex.distinct) return disagree(`distinct states: tlc ${run.stats.distinct}, explorer ${ex.distinct}`);
      if (run.stats.generated !== ex.generated) return disagree(`states generated: tlc ${run.stats.generated}, explorer ${ex.generated}`);
      if (run.stats.depth !== ex.depth) return disagree(`depth: tlc ${run.stats.depth}, explorer ${ex.depth}`);
      return { kind: "agree", verdict: "ok", distinct: ex.distinct, ...unmerged };
    case "invariant": {
      const check = c.spec.names.checks.get(run.invariant);
      if (!check) return disagree(`tlc: unknown invariant ${run.invariant}`);
      if (!ex.violation || !(sameCheck(check, ex.violation) || ex.tied?.includes(checkKey(check)))) return disagree(`tlc: ${run.invariant} (${JSON.stringify(check)}), explorer: ${describe(ex)}`);
      if (run.trace.states.length !== ex.depth) return disagree(`trace length: tlc ${run.trace.states.length}, explorer ${ex.depth}`);
      return { kind: "agree", verdict: ex.verdict, distinct: ex.distinct, ...unmerged };
    }
    case "liveness":
      if (ex.verdict !== "termination") return disagree(`tlc: liveness ${run.property}, explorer: ${describe(ex)}`);
      if (run.stats.distinct !== ex.distinct) return disagree(`distinct states: tlc ${run.stats.distinct}, explorer ${ex.distinct}`);
      return { kind: "agree", verdict: "termination", distinct: ex.distinct, ...unmerged };
    case "parse-error":
      return disagree(`the spec does not parse: ${run.message}`);
    case "deadlock":
      return disagree("tlc checked for deadlock");
    case "timeout":
      return { kind: "skipped", why: "tlc timed out" };
    case "failed":
      return disagree(`tlc failed: ${run.message}`);
    case "simulated":
      return disagree("tlc simulated instead of checking every state");
  }
}

/**
 * Merged and unmerged exploration must give the same verdict. When the first
 * finding differs (breadth-first search meets another violating state first in
 * fewer steps), both must still reach the same set of broken rules. Returns the
 * unmerged distinct count, a disagreement, or undefined when unmerged is too large.
 */
function mergedVsUnmerged(def: ModelDef, program: Program, merged: ExploreResult): number | string | undefined {
  let un: ExploreResult;
  try {
    un = explore({ model: def.ir, program }, { maxStates: MAX_UNMERGED_STATES, merge: false });
  } catch (err) {
    if (err instanceof ExploreLimitError) return undefined;
    throw err;
  }
  if (un.verdict === merged.verdict && sameViolation(un.violation, merged.violation)) return un.distinct;
  const all = (merge: boolean) => explore({ model: def.ir, program }, { maxStates: MAX_UNMERGED_STATES, merge, exhaustive: true }).reachable ?? [];
  let a: readonly string[];
  let b: readonly string[];
  try {
    a = all(true);
    b = all(false);
  } catch (err) {
    if (err instanceof ExploreLimitError) return undefined;
    throw err;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) return `merged vs unmerged: reachable findings ${JSON.stringify(a)} vs ${JSON.stringify(b)} (first: ${describe(merged)} vs ${describe(un)})`;
  return un.distinct;
}

function sameViolation(a: Violation | undefined, b: Violation | undefined): boolean {
  return (a === undefined) === (b === undefined) && (a === undefined || violationKey(a) === violationKey(b as Violation));
}

/** The check as the explorer's violationKey() spells the rule it checks. */
function checkKey(c: SpecCheck): string {
  switch (c.kind) {
    case "assertion":
      return `${c.bound !== undefined ? "loop-bound" : "assertion"}:${c.thread}/${c.pc}`;
    case "invariant":
      return `invariant:${c.invariant}`;
    case "domain":
      return `domain:${c.variable}`;
    default:
      return c.kind;
  }
}

function sameCheck(c: SpecCheck, v: Violation): boolean {
  switch (c.kind) {
    case "assertion":
      return v.kind === (c.bound !== undefined ? "loop-bound" : "assertion") && v.thread === c.thread && v.pc === c.pc;
    case "invariant":
      return v.kind === "invariant" && v.invariant === c.invariant;
    case "domain":
      return v.kind === "domain" && v.variable === c.variable;
    default:
      return v.kind === c.kind;
  }
}

function describe(ex: ExploreResult): string {
  return ex.violation ? `${ex.verdict} ${JSON.stringify(ex.violation)} at depth ${ex.depth}` : `${ex.verdict} (${ex.distinct} distinct)`;
}
