// Plain-text rendering of check results for the terminal: verdict, statistics,
// the steps of the counterexample, and the explanation. Colour only on a TTY.

import type { CheckResult } from "../check.js";
import { formatDiagnostic, formatLoc } from "../ir/diagnostics.js";
import { cycleLines, depsLines, evidenceLines } from "../deps/print.js";
import { formatLockdep } from "../trace/lockdep.js";
import type { Finding, Step } from "../trace/translate.js";

export interface Style {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: wrap(1, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), dim: wrap(2, 22) };
}

/** Colour when writing to a terminal, unless NO_COLOR is set (or FORCE_COLOR asks for it). */
export function colourWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined && env["FORCE_COLOR"] !== "0") return true;
  return stream.isTTY === true;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** Findings about particular threads show only their steps by default. */
const FOCUSED: ReadonlySet<string> = new Set(["deadlock", "lock-leak", "bad-unlock", "sleep-in-atomic", "lock-order"]);

function shownSteps(f: Finding, full: boolean): { steps: Step[]; hidden: number } {
  if (full || !FOCUSED.has(f.verdict)) return { steps: [...f.steps], hidden: 0 };
  const focus = new Set(f.focus ?? f.steps.filter((s) => f.involved.includes(s.threadId)).map((s) => s.index));
  // Reclaim (an eviction) explains why a later access faults: shown even outside the focus.
  const steps = f.steps.filter((s) => focus.has(s.index) || s.reclaim === true);
  return { steps, hidden: f.steps.length - steps.length };
}

function stepLines(steps: readonly Step[], full: boolean): string[] {
  const w = String(steps.length).length;
  const tw = Math.max(...steps.map((s) => s.thread.length), 6);
  const ow = Math.min(Math.max(...steps.map((s) => s.operation.length), 10), 44);
  return steps.flatMap((s) => {
    const via = s.via ? `  [${s.via}]` : "";
    const line = `  ${pad(String(s.index), w)}  ${pad(s.thread, tw)}  ${pad(s.operation, ow)}  ${pad(s.effect, 28)}  ${formatLoc(s.loc)}${via}`.trimEnd();
    return full ? [line, ...s.state.map((x) => `  ${" ".repeat(w)}      | ${x}`)] : [line];
  });
}

/** Why a deadlock happens (src/deps/why.ts). */
export function whyLines(w: NonNullable<CheckResult["why"]>): string[] {
  const note = w.unfinished > 0 ? `; ${w.unfinished} did not finish in the time budget` : "";
  return [`why it happens (checked again with variants of the model, ${(w.timeMs / 1000).toFixed(1)} s${note}):`, ...w.lines.map((l) => `  ${l}`)];
}

/** The dependency table and lockdep's potential cycles (src/deps), after the rest. */
function toolkitLines(r: CheckResult): string[] {
  if (!r.insight) return [];
  const cycles = cycleLines(r.insight.cycles, r.insight.shown);
  return ["", ...depsLines(r.insight.deps), ...(cycles.length > 0 ? ["", ...cycles] : [])];
}

export function formatResult(r: CheckResult, source: string, st: Style, opts: { readonly quiet?: boolean; readonly full?: boolean } = {}): string {
  const out: string[] = [];
  const groups = (r.symmetry?.groups ?? []).map((g) => `{${g.join(", ")}}`).join(" ");
  const stats = r.stats
    ? `${r.stats.distinct} distinct states${groups ? ` up to symmetry of ${groups}` : ""}, ${r.stats.generated} generated, depth ${r.stats.depth}, TLC ${(r.stats.timeMs / 1000).toFixed(1)} s, total ${(r.timeMs / 1000).toFixed(1)} s`
    : `total ${(r.timeMs / 1000).toFixed(1)} s`;
  const symmetryNotes = (r.symmetry?.off ?? []).map((o) => `  note: threads {${o.threads.join(", ")}} are checked apart, not as a symmetric group: ${o.why}`);
  const head = `${st.bold(r.model)} (${source})`;
  // Warnings of a model that was checked: under the verdict line.
  const warnings = r.verdict === "invalid" ? [] : (r.diagnostics ?? []).map((d) => `  ${st.yellow(formatDiagnostic(d))}`);
  const sim = r.simulation;
  const simText = sim ? `${sim.behaviours} behaviour${sim.behaviours === 1 ? "" : "s"} of depth up to ${sim.depth}${sim.seed !== undefined ? `, seed ${sim.seed}` : ""}` : "";
  switch (r.verdict) {
    case "no-finding":
      // A sample, not a proof: never "ok".
      out.push(`${head}: ${st.yellow(`no finding in ${simText}`)} (random simulation, not the whole state space; ${sim?.generated ?? 0} states generated, total ${(r.timeMs / 1000).toFixed(1)} s)`);
      return out.join("\n");
    case "ok":
      out.push(`${head}: ${st.green("ok")}, no finding (${stats})`, ...symmetryNotes, ...warnings);
      if (r.insight && !opts.quiet) out.push(...evidenceLines(r.insight.evidence, st.yellow), ...toolkitLines(r));
      return out.join("\n");
    case "invalid":
      out.push(`${head}: ${st.red("invalid model")}`);
      for (const d of r.diagnostics ?? []) out.push(`  ${formatDiagnostic(d)}`);
      return out.join("\n");
    case "error":
    case "timeout":
      out.push(`${head}: ${st.red(r.verdict === "timeout" ? "timeout" : "error")}: ${r.error?.message ?? "unknown failure"}`, ...warnings);
      // What TLC had explored when it was stopped (its last progress report).
      if (r.stats) out.push(`  explored before it stopped: ${stats}`);
      if (r.error?.hint) out.push(`  hint: ${r.error.hint}`);
      return out.join("\n");
    default: {
      const f = r.finding;
      out.push(`${head}: ${st.red(st.bold(r.verdict.toUpperCase()))} (${sim ? `random simulation: found in ${simText}, total ${(r.timeMs / 1000).toFixed(1)} s` : stats})`, ...symmetryNotes, ...warnings);
      if (!f) return out.join("\n");
      out.push(`${f.summary}`);
      if (opts.quiet) return out.join("\n");
      const full = opts.full === true;
      const { steps, hidden } = shownSteps(f, full);
      const note = hidden > 0 ? ` (${hidden} step${hidden === 1 ? "" : "s"} of other threads hidden; --full shows them)` : "";
      out.push("", `trace (${sim ? "a random behaviour, not necessarily the shortest" : "shortest"})${note}:`, ...stepLines(steps, full));
      if (full) for (const n of f.notes ?? []) out.push(`  note: ${n}`);
      if (f.details.length > 0) {
        out.push("", r.verdict === "deadlock" ? "who waits for whom:" : "why:");
        for (const d of f.details) out.push(`  ${d.startsWith("cycle:") ? st.bold(d) : d}`);
      }
      if (f.lockdep && f.lockdep.rows.length > 0) out.push("", ...formatLockdep(f.lockdep));
      if (r.why) out.push("", ...whyLines(r.why));
      out.push(...toolkitLines(r));
      return out.join("\n");
    }
  }
}
