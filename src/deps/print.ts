// Text of the toolkit's sections in a report: the dependency table, lockdep's
// potential cycles and the evidence for an `ok` (src/cli/print.ts places them).

import type { PotentialCycle } from "./cycles.js";
import type { Evidence } from "./evidence.js";
import { type DepTable, formatDepTable, lockEndText, scopeText, siteTexts } from "./table.js";

export function depsLines(t: DepTable): string[] {
  return [`lock dependencies (held -> acquired; ${scopeText(t)}):`, ...formatDepTable(t)];
}

export function cycleLines(cycles: readonly PotentialCycle[], shown: readonly boolean[]): string[] {
  if (cycles.length === 0) return [];
  const out = ["potential deadlocks (lockdep's rules over the dependencies):"];
  cycles.forEach((c, i) => {
    const status = c.realised ? (shown[i] ? "realised: the deadlock above" : "realised: a reachable deadlock (not the trace shown)") : "not realised by this model's threads";
    out.push(`  #${i + 1} ${c.text}: ${status}`);
    // A realised cycle's edges are in the table above; an unrealised one's are listed.
    if (c.realised) return;
    for (const e of c.edges) {
      for (const site of siteTexts(e)) out.push(`     ${lockEndText(e.from)} -> ${lockEndText(e.to)}: ${site}`);
    }
    for (const n of c.needs) out.push(`     would need: ${n}`);
  });
  return out;
}

export function evidenceLines(e: Evidence, warn: (s: string) => string = (s) => s): string[] {
  if (!e.complete) return ["  note: the model is too large for the evidence of what was exercised"];
  return e.items.map((i) => `  ${warn("warning:")} ${i.text}`);
}
