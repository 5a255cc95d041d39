// The reviewer's toolkit over one model: the lock dependency table, lockdep's
// potential cycles and what the check exercised, all from one exhaustive run of
// the reference explorer over the lowered program (observe.ts).

import type { Program } from "../ir/program.js";
import type { Model } from "../ir/types.js";
import type { Finding } from "../trace/translate.js";
import { type PotentialCycle, potentialCycles } from "./cycles.js";
import { type Evidence, evidence } from "./evidence.js";
import { type Observation, observe } from "./observe.js";
import { type DepTable, depTable } from "./table.js";

export type { PotentialCycle } from "./cycles.js";
export type { Evidence, EvidenceItem } from "./evidence.js";
export type { DepEdge, DepSite, DepTable, LockEnd } from "./table.js";
export { depTableText, formatDepTable, lockEndText } from "./table.js";

export interface Insight {
  readonly deps: DepTable;
  readonly cycles: readonly PotentialCycle[];
  readonly evidence: Evidence;
}

export function analyse(model: Model, program: Program, opts: { readonly maxStates?: number } = {}): Insight {
  return insightOf(model, program, observe(model, program, opts));
}

/** What analyse gives from one observation (observe.ts). */
export function insightOf(model: Model, program: Program, obs: Observation): Insight {
  const deps = depTable(model, program, obs);
  return { deps, cycles: potentialCycles(model, program, deps, obs), evidence: evidence(model, program, obs) };
}

/** Does the deadlock TLC reported close this cycle (a stuck thread waits for every edge's second lock)? */
export function shownBy(cycle: PotentialCycle, finding: Finding | undefined): boolean {
  if (finding?.verdict !== "deadlock") return false;
  return cycle.edges.every((e) => (finding.waits ?? []).some((w) => w.lockId === e.to.lockId && (w.mode ?? "excl") === e.to.mode));
}
