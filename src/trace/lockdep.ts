// A lockdep-style report built from the actual counterexample: the header in
// lockdep's words, the dependency chain with the model line of every
// acquisition, and the "Possible unsafe locking scenario" table, one column per
// involved thread, rows in the real interleaving order, ending in *** DEADLOCK ***.

import { formatLoc } from "../ir/diagnostics.js";
import { type Node, type Program, nodeAt } from "../ir/program.js";
import { lockRef, shownMode, spellOutcome, threadName } from "../ir/spell.js";
import type { Model } from "../ir/types.js";
import type { Finding, Step } from "./translate.js";

export interface LockdepReport {
  /** e.g. `WARNING: possible circular locking dependency detected`. */
  readonly header: string;
  /** One line per involved thread: what it holds (since which line) and what it waits for. */
  readonly chain: readonly string[];
  /** Thread names, one column each. */
  readonly columns: readonly string[];
  /** Table rows: the column index and the cell text, in interleaving order. */
  readonly rows: readonly { readonly column: number; readonly text: string }[];
  /** Last line of the table (`*** DEADLOCK ***`), if any. */
  readonly footer?: string;
}

const HEADERS: Partial<Record<Finding["verdict"], string>> = {
  "sleep-in-atomic": "BUG: sleeping function called from invalid context",
  "lock-leak": "WARNING: lock held when returning to user space!",
  "bad-unlock": "WARNING: bad unlock balance detected!",
};

/** The lockdep cell for a step, or undefined for steps lockdep would not show. */
function cell(model: Model, node: Node, step: Step): string | undefined {
  const op = node.op;
  // Only a fault whose handler runs: with page faults disabled the access fails (-EFAULT) and takes nothing.
  if (op.kind === "access") return op.fault.kind === "handle" && step.effect === spellOutcome(op, op.fault.target) ? "<page fault>" : undefined;
  // Like lockdep's scenario, acquisitions only: releases are in the trace above it.
  if (op.kind === "acquire" || op.kind === "trylock") {
    if (op.kind === "trylock" && step.effect !== "succeeded") return undefined;
    return `${op.mode === "read" ? "rlock" : "lock"}(${lockRef(model, op.lock)});`;
  }
  return undefined;
}

function pendingCell(model: Model, node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const op = node.op;
  if (op.kind === "acquire") return `${op.mode === "read" ? "rlock" : "lock"}(${lockRef(model, op.lock)});`;
  if (op.kind === "await") return "wait_event(...);";
  return undefined;
}

export function lockdepReport(model: Model, program: Program, finding: Finding, involvedIds: readonly string[]): LockdepReport | undefined {
  const ids = involvedIds.length > 0 ? [...involvedIds] : [...new Set(finding.steps.map((s) => s.threadId))];
  const columns = ids.map((t) => threadName(model, t));
  const rows: { column: number; text: string }[] = [];
  const holds = new Map<string, { lock: string; mode: string; loc: string; step: number }[]>(ids.map((t) => [t, []]));
  const lastStep = new Map<string, Step>();
  for (const s of finding.steps) {
    const prev = lastStep.get(s.threadId);
    lastStep.set(s.threadId, s);
    const col = ids.indexOf(s.threadId);
    if (col < 0) continue;
    const node = nodeAt(program, s.threadId, s.pc);
    if (!node) continue;
    const text = cell(model, node, s);
    // A rwsem waiter shows its attempt once: when it queues, not again when granted.
    const granted = prev !== undefined && prev.pc === s.pc && prev.effect.startsWith("waits");
    if (text && !granted) rows.push({ column: col, text });
    const op = node.op;
    const list = holds.get(s.threadId) ?? [];
    if ((op.kind === "acquire" && s.effect.startsWith("acquired")) || (op.kind === "trylock" && s.effect === "succeeded")) {
      list.push({ lock: op.lock, mode: shownMode(model, op.lock, op.mode), loc: formatLoc(s.loc), step: s.index });
    } else if (op.kind === "release") {
      const i = list.findIndex((h) => h.lock === op.lock && h.mode === op.mode);
      if (i >= 0) list.splice(i, 1);
    }
  }

  const describeHolds = (t: string) =>
    (holds.get(t) ?? []).map((h) => `${lockRef(model, h.lock)}${h.mode === "excl" ? "" : ` (${h.mode})`} since step ${h.step} at ${h.loc}`);

  if (finding.verdict === "deadlock") {
    const waits = (finding.waits ?? []).filter((w) => ids.includes(w.threadId));
    const chain: string[] = [];
    for (const w of waits) {
      const held = describeHolds(w.threadId);
      const what = w.lock ? `${w.lock}${w.mode && w.mode !== "excl" ? ` (${w.mode})` : ""}` : "its wait_event condition";
      chain.push(`${w.thread} ${held.length > 0 ? `holds ${held.join(", ")}` : "holds nothing"}; waits for ${what} at ${formatLoc(w.loc)}${w.via ? ` ${w.via}` : ""} (${w.reasons.join(", ") || "nobody can wake it"})`);
    }
    // The stuck threads' next steps: the attempts that block, unless already shown as queued.
    for (const w of waits) {
      const col = ids.indexOf(w.threadId);
      const last = lastStep.get(w.threadId);
      const queued = last !== undefined && last.pc === w.pc && last.effect.startsWith("waits");
      const text = pendingCell(model, nodeAt(program, w.threadId, w.pc));
      if (col >= 0 && text && !queued) rows.push({ column: col, text });
    }
    const selfOnly = waits.length === 1;
    return {
      header: selfOnly ? "WARNING: possible recursive locking detected" : "WARNING: possible circular locking dependency detected",
      chain,
      columns,
      rows,
      footer: "*** DEADLOCK ***",
    };
  }
  const header = HEADERS[finding.verdict];
  if (!header) return undefined;
  return { header, chain: finding.details, columns, rows };
}

/** The report as text, the table laid out in columns. */
export function formatLockdep(r: LockdepReport): string[] {
  const width = Math.max(24, ...r.columns.map((c) => c.length + 4), ...r.rows.map((x) => x.text.length + 4));
  const line = (cells: Map<number, string>) =>
    `       ${r.columns.map((_, i) => (cells.get(i) ?? "").padEnd(width)).join("").trimEnd()}`;
  const out = [r.header, ""];
  if (r.chain.length > 0) out.push(...r.chain.map((c) => ` ${c}`), "");
  if (r.rows.length > 0) {
    out.push(" Possible unsafe locking scenario:", "");
    out.push(line(new Map(r.columns.map((c, i) => [i, c]))));
    out.push(line(new Map(r.columns.map((_, i) => [i, "----"]))));
    for (const row of r.rows) out.push(line(new Map([[row.column, row.text]])));
    if (r.footer) out.push("", `  ${r.footer}`);
  }
  return out;
}
