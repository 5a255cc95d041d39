// The machine-readable result (`faultline check --json`): versioned, documented
// in schema/result.schema.json, for CI and editors. Paths are as given on the command line.

import type { CheckResult } from "../check.js";
import type { Diagnostic } from "../ir/diagnostics.js";

export const JSON_SCHEMA_ID = "faultline.result/1";

export interface JsonReport {
  readonly schema: typeof JSON_SCHEMA_ID;
  readonly results: readonly JsonResult[];
}

export interface JsonResult {
  readonly file: string;
  readonly model: string | null;
  readonly verdict: string;
  readonly stats: { distinct: number; generated: number; depth: number; tlcMs: number } | null;
  readonly timeMs: number;
  readonly summary: string | null;
  readonly steps: readonly { index: number; thread: string; operation: string; file: string; line: number; via: string; effect: string }[];
  readonly waits: readonly { thread: string; lock: string | null; lockName: string | null; mode: string | null; file: string; line: number; via: string; reasons: readonly string[]; text: string }[];
  readonly cycle: readonly string[];
  readonly details: readonly string[];
  readonly notes: readonly string[];
  readonly lockdep: { header: string; chain: readonly string[]; columns: readonly string[]; rows: readonly { column: number; text: string }[]; footer: string | null } | null;
  readonly diagnostics: readonly { code: string; message: string; file: string; line: number; severity?: "warning" }[];
  readonly error: { message: string; hint: string } | null;
  /** The lock dependency table over every reachable state (src/deps); null without one (invalid model, error). */
  readonly dependencies: JsonDeps | null;
  /** Lockdep's potential deadlock cycles over the dependencies. */
  readonly potentialCycles: readonly JsonCycle[];
  /** What the check exercised: never reached, never contended, never blocked, faults never taken. */
  /** Why a deadlock happens: the variants checked (rwsem policies, threads needed) and held locks outside the cycle; null when not run. */
  readonly why: {
    policies: readonly { policy: string; locks: readonly string[]; verdict: string }[];
    policyText: string | null;
    threads: { needed: readonly string[]; unneeded: readonly string[]; verified: boolean } | null;
    heldNotInCycle: readonly string[];
    lines: readonly string[];
    unfinished: number;
    timeMs: number;
  } | null;
  readonly evidence: { complete: boolean; items: readonly { kind: string; text: string; file: string | null; line: number | null; threads: readonly string[] }[] } | null;
  /** Only for `--simulate`: what TLC's random simulation sampled. */
  readonly simulation?: { behaviours: number; depth: number; seed: string | null };
}

interface JsonEnd {
  lock: string;
  mode: string;
}

interface JsonDeps {
  complete: boolean;
  states: number;
  mergedSteps: boolean;
  /** states counts classes of states equal up to a permutation of each threads(n, ...) group */
  upToSymmetry: boolean;
  edges: readonly {
    from: JsonEnd;
    to: JsonEnd;
    sites: readonly {
      thread: string;
      heldAt: readonly { file: string; line: number }[];
      file: string;
      line: number;
      fault: { region: string; handler: string | null; calls: readonly string[]; file: string; line: number } | null;
      alongside: readonly string[];
    }[];
  }[];
}

interface JsonCycle {
  text: string;
  edges: readonly { from: JsonEnd; to: JsonEnd }[];
  realised: boolean;
  shownByTrace: boolean;
  needs: readonly string[];
}

/** A model file that did not load: no model name, only its diagnostics. */
export function diagnosticsJson(file: string, ds: readonly Diagnostic[]): JsonResult {
  return { ...resultJson(file, { model: "", verdict: "invalid", diagnostics: ds, timeMs: 0 }), model: null };
}

/** The document `--json` prints, one result per model, as text. */
export function jsonReport(results: readonly JsonResult[]): string {
  const report: JsonReport = { schema: JSON_SCHEMA_ID, results };
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function resultJson(file: string, r: CheckResult): JsonResult {
  const f = r.finding;
  return {
    file,
    model: r.model,
    verdict: r.verdict,
    stats: r.stats ? { distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth, tlcMs: r.stats.timeMs } : null,
    timeMs: r.timeMs,
    summary: f?.summary ?? null,
    steps: (f?.steps ?? []).map((s) => ({ index: s.index, thread: s.thread, operation: s.operation, file: s.loc.file, line: s.loc.line, via: s.via, effect: s.effect })),
    waits: (f?.waits ?? []).map((w) => ({ thread: w.thread, lock: w.lock ?? null, lockName: w.lockName ?? null, mode: w.mode ?? null, file: w.loc.file, line: w.loc.line, via: w.via, reasons: w.reasons, text: w.text })),
    cycle: f?.cycle ?? [],
    details: f?.details ?? [],
    notes: f?.notes ?? [],
    lockdep: f?.lockdep ? { ...f.lockdep, footer: f.lockdep.footer ?? null } : null,
    diagnostics: (r.diagnostics ?? []).map((d) => ({ code: d.code, message: d.message, file: d.loc.file, line: d.loc.line, ...(d.severity ? { severity: d.severity } : {}) })),
    error: r.error ? { message: r.error.message, hint: r.error.hint } : null,
    ...(r.simulation && { simulation: { behaviours: r.simulation.behaviours, depth: r.simulation.depth, seed: r.simulation.seed ?? null } }),
    ...insightJson(r),
    why: r.why
      ? { policies: r.why.policies, policyText: r.why.policyText ?? null, threads: r.why.threads ?? null, heldNotInCycle: r.why.heldNotInCycle, lines: r.why.lines, unfinished: r.why.unfinished, timeMs: r.why.timeMs }
      : null,
  };
}

const end = (e: { lock: string; mode: string }): JsonEnd => ({ lock: e.lock, mode: e.mode });

function insightJson(r: CheckResult): Pick<JsonResult, "dependencies" | "potentialCycles" | "evidence"> {
  const i = r.insight;
  if (!i) return { dependencies: null, potentialCycles: [], evidence: null };
  return {
    dependencies: {
      complete: i.deps.complete,
      states: i.deps.states,
      mergedSteps: i.deps.merged,
      upToSymmetry: i.deps.upToSymmetry,
      edges: i.deps.edges.map((e) => ({
        from: end(e.from),
        to: end(e.to),
        sites: e.sites.map((s) => ({
          thread: s.thread,
          heldAt: s.heldAt.map((l) => ({ file: l.file, line: l.line })),
          file: s.acquireAt.file,
          line: s.acquireAt.line,
          fault: s.fault ? { region: s.fault.region, handler: s.fault.handler ?? null, calls: s.fault.calls, file: s.fault.access.file, line: s.fault.access.line } : null,
          alongside: s.alongside,
        })),
      })),
    },
    potentialCycles: i.cycles.map((c, k) => ({ text: c.text, edges: c.edges.map((e) => ({ from: end(e.from), to: end(e.to) })), realised: c.realised, shownByTrace: i.shown[k] === true, needs: c.needs })),
    evidence: { complete: i.evidence.complete, items: i.evidence.items.map((x) => ({ kind: x.kind, text: x.text, file: x.loc?.file ?? null, line: x.loc?.line ?? null, threads: x.threads })) },
  };
}
