// `faultline check --format mail`: the report as plain text for an LKML reply:
// no colour, every line at most 72 columns (long lines wrap with an indent), with
// the trace, who waits for whom, the lockdep-style block, why it happens and the
// lock dependency table.

import type { CheckResult } from "../check.js";
import { formatLoc } from "../ir/diagnostics.js";
import { faultText, lockEndText, scopeText } from "../deps/table.js";
import type { LockdepReport } from "../trace/lockdep.js";
import { formatDiagnostic } from "../ir/diagnostics.js";

export const MAIL_WIDTH = 72;

/** `text` wrapped at `width`: words move to the next line, indented by `cont`; a word too long is cut. */
export function wrap(text: string, cont = "    ", width = MAIL_WIDTH): string[] {
  if (text.length <= width) return [text];
  const lead = /^\s*/.exec(text)?.[0] ?? "";
  const words = text.slice(lead.length).split(/ +/);
  const out: string[] = [];
  let line = lead;
  const room = (prefix: string) => width - prefix.length;
  for (let w of words) {
    const prefix = out.length === 0 ? lead : cont;
    const sep = line.trim() === "" ? "" : " ";
    if (line.length + sep.length + w.length <= width) {
      line += sep + w;
      continue;
    }
    if (line.trim() !== "") out.push(line);
    let p = out.length === 0 ? prefix : cont;
    while (w.length > room(p)) {
      out.push(p + w.slice(0, room(p)));
      w = w.slice(room(p));
      p = cont;
    }
    line = p + w;
  }
  if (line.trim() !== "") out.push(line);
  return out;
}

function lockdepMail(r: LockdepReport): string[] {
  const out: string[] = [...wrap(r.header), ""];
  for (const c of r.chain) out.push(...wrap(` ${c}`, "     "));
  if (r.rows.length === 0) return out;
  out.push("", " Possible unsafe locking scenario:", "");
  const width = Math.max(...r.columns.map((c) => c.length + 2), ...r.rows.map((x) => x.text.length + 2));
  if (7 + width * r.columns.length <= MAIL_WIDTH) {
    const line = (cells: Map<number, string>) => `       ${r.columns.map((_, i) => (cells.get(i) ?? "").padEnd(width)).join("").trimEnd()}`;
    out.push(line(new Map(r.columns.map((c, i) => [i, c]))), line(new Map(r.columns.map((_, i) => [i, "----"]))));
    for (const row of r.rows) out.push(line(new Map([[row.column, row.text]])));
  } else {
    // Too wide for a mail as columns: one line per operation, in the same order.
    const w = Math.max(...r.columns.map((c) => c.length));
    for (const row of r.rows) out.push(...wrap(`       ${(r.columns[row.column] ?? "").padEnd(w)}  ${row.text}`, "         "));
  }
  if (r.footer) out.push("", `  ${r.footer}`);
  return out;
}

export function formatMail(r: CheckResult, source: string): string {
  const out: string[] = [];
  const push = (...lines: string[]) => {
    for (const l of lines) out.push(...wrap(l));
  };
  const stats = r.stats ? `${r.stats.distinct} distinct states, ${r.stats.generated} generated, depth ${r.stats.depth}` : "";
  push(`faultline: ${r.model} (${source}): ${r.verdict === "ok" ? "ok, no finding" : r.verdict.toUpperCase()}`);
  if (stats) push(`(${stats})`);
  if (r.verdict === "invalid") for (const d of r.diagnostics ?? []) push(`  ${formatDiagnostic(d)}`);
  if (r.error) push(`${r.error.message}`, `hint: ${r.error.hint}`);
  const f = r.finding;
  if (f) {
    push("", f.summary, "", "Trace (shortest):");
    for (const s of f.steps) {
      out.push(...wrap(` ${String(s.index).padStart(2)} ${s.thread}: ${s.operation}`, "      "));
      out.push(...wrap(`      ${s.effect}, ${formatLoc(s.loc)}${s.via ? ` [${s.via}]` : ""}`, "        "));
    }
    if (f.details.length > 0) {
      push("", f.verdict === "deadlock" ? "Who waits for whom:" : "Why:");
      for (const d of f.details) out.push(...wrap(`  ${d}`, "      "));
    }
    if (f.lockdep && f.lockdep.rows.length > 0) out.push("", ...lockdepMail(f.lockdep));
  }
  if (r.why) {
    push("", "Why it happens (variants of the model checked):");
    for (const l of r.why.lines) out.push(...wrap(`  ${l}`, "      "));
  }
  const i = r.insight;
  if (i) {
    if (i.evidence.items.length > 0) {
      push("", "Never exercised by the check:");
      for (const x of i.evidence.items) out.push(...wrap(`  ${x.text}`, "      "));
    }
    push("", `Lock dependencies (held -> acquired; ${scopeText(i.deps)}):`);
    if (i.deps.edges.length === 0) push("  none: no thread takes a lock while holding another");
    for (const e of i.deps.edges) {
      out.push(...wrap(`  ${lockEndText(e.from)} -> ${lockEndText(e.to)}`, "      "));
      for (const s of e.sites) out.push(...wrap(`      ${s.thread}: ${s.heldAt.map(formatLoc).join(",") || "?"} -> ${formatLoc(s.acquireAt)}${s.fault ? ` ${faultText(s.fault)}` : ""}`, "        "));
    }
    if (i.cycles.length > 0) {
      push("", "Potential deadlocks (lockdep's rules over the dependencies):");
      i.cycles.forEach((c, k) => {
        const status = c.realised ? (i.shown[k] ? "realised: the deadlock above" : "realised: a reachable deadlock") : "not realised by this model's threads";
        out.push(...wrap(`  #${k + 1} ${c.text}: ${status}`, "      "));
        for (const n of c.needs) out.push(...wrap(`      would need: ${n}`, "        "));
      });
    }
  }
  return `${out.join("\n")}\n`;
}
