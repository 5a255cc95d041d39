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
  readonly waits: readonly { thread: string; lock: string | null; mode: string | null; file: string; line: number; reasons: readonly string[]; text: string }[];
  readonly cycle: readonly string[];
  readonly details: readonly string[];
  readonly lockdep: { header: string; chain: readonly string[]; columns: readonly string[]; rows: readonly { column: number; text: string }[]; footer: string | null } | null;
  readonly diagnostics: readonly { code: string; message: string; file: string; line: number }[];
  readonly error: { message: string; hint: string } | null;
  /** Only for `--simulate`: what TLC's random simulation sampled. */
  readonly simulation?: { behaviours: number; depth: number; seed: string | null };
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
    waits: (f?.waits ?? []).map((w) => ({ thread: w.thread, lock: w.lock ?? null, mode: w.mode ?? null, file: w.loc.file, line: w.loc.line, reasons: w.reasons, text: w.text })),
    cycle: f?.cycle ?? [],
    details: f?.details ?? [],
    lockdep: f?.lockdep ? { ...f.lockdep, footer: f.lockdep.footer ?? null } : null,
    diagnostics: (r.diagnostics ?? []).map((d) => ({ code: d.code, message: d.message, file: d.loc.file, line: d.loc.line })),
    error: r.error ? { message: r.error.message, hint: r.error.hint } : null,
    ...(r.simulation && { simulation: { behaviours: r.simulation.behaviours, depth: r.simulation.depth, seed: r.simulation.seed ?? null } }),
  };
}
