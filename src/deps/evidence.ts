// What a check exercised, from the explorer's exhaustive run (observe.ts): the
// operations and labels no reachable state reaches, locks no acquire ever found
// taken, awaits that never waited, page faults never taken. Under an `ok` these
// say whether the interesting interleavings were reached at all.

import { formatLoc } from "../ir/diagnostics.js";
import { DONE, type Program } from "../ir/program.js";
import { lockRef, regionName, spellOp, threadName } from "../ir/spell.js";
import type { Loc, Model } from "../ir/types.js";
import type { Observation } from "./observe.js";

export type EvidenceKind = "unreached" | "label-unreached" | "never-contended" | "never-blocked" | "fault-never-taken";

export interface EvidenceItem {
  readonly kind: EvidenceKind;
  /** One line, e.g. `never reached: down_write(&app->mmap_lock) at x.ts:12 (T1)`. */
  readonly text: string;
  readonly loc?: Loc;
  readonly threads: readonly string[];
}

export interface Evidence {
  /** False when the state space was cut short: nothing can be said to be never reached. */
  readonly complete: boolean;
  readonly items: readonly EvidenceItem[];
}

export function evidence(model: Model, program: Program, obs: Observation): Evidence {
  if (!obs.complete) return { complete: false, items: [] };
  // Grouped by model line and kind: a line several threads run is one item.
  const groups = new Map<string, { kind: EvidenceKind; what: string; loc?: Loc; threads: string[] }>();
  const add = (kind: EvidenceKind, what: string, thread: string, loc?: Loc) => {
    const key = `${kind}|${what}|${loc ? formatLoc(loc) : ""}`;
    const g = groups.get(key);
    const name = threadName(model, thread);
    if (g) {
      if (!g.threads.includes(name)) g.threads.push(name);
    } else groups.set(key, { kind, what, ...(loc ? { loc } : {}), threads: [name] });
  };
  const acquired = new Set<string>();
  for (const tp of program.threads) {
    const reached = (pc: string) => (pc === DONE ? obs.finished.has(tp.thread) : obs.reached.has(`${tp.thread}/${pc}`));
    // Accesses whose fault path never ran (the access itself unreached, or never
    // faulting): one item at the access covers every operation of that path.
    const untakenFaults = new Set(tp.nodes.filter((n) => n.op.kind === "access" && n.op.fault.kind === "handle" && !reached(n.op.fault.target)).map((n) => formatLoc(n.loc)));
    // Locals are folded into the pc, so one statement may stand at several nodes (one per
    // value of the locals there): it is reached when any of them is.
    const site = (n: (typeof tp.nodes)[number]) => `${n.stmt}|${JSON.stringify(n.via)}`;
    const reachedSites = new Set(tp.nodes.filter((n) => reached(n.pc)).map(site));
    const takenFaults = new Set(tp.nodes.filter((n) => n.op.kind === "access" && n.op.fault.kind === "handle" && reached(n.op.fault.target)).map(site));
    for (const n of tp.nodes) {
      const op = n.op;
      if (!reachedSites.has(site(n))) {
        const fault = [...n.via].reverse().find((f) => f.kind === "fault");
        if (fault && untakenFaults.has(formatLoc(fault.loc))) continue;
        add("unreached", `never reached: ${spellOp(model, op)}`, tp.thread, n.loc);
        continue;
      }
      if (!reached(n.pc)) continue;
      if (op.kind === "acquire") acquired.add(op.lock);
      if (op.kind === "await" && !obs.merged && !obs.blockedAwaits.has(`${tp.thread}/${n.pc}`)) add("never-blocked", `never waited: ${spellOp(model, op)} found its condition true every time`, tp.thread, n.loc);
      if (op.kind === "access" && op.fault.kind === "handle" && !takenFaults.has(site(n))) add("fault-never-taken", `page fault never taken: ${spellOp(model, op)} on ${regionName(model, op.region)}`, tp.thread, n.loc);
    }
    for (const [label, pcs] of tp.labels) if (!pcs.some(reached)) add("label-unreached", `label '${label}' never reached`, tp.thread);
  }
  // Merged steps (the space with one step per operation was too large) hide what
  // happens between the operations of one step: a lock taken and given back in
  // one step is never seen taken, a flag set and cleared in one step never seen
  // set. Nothing is then claimed about contention or waits.
  for (const l of model.locks) {
    if (!obs.merged && acquired.has(l.id) && !obs.contended.has(l.id)) add("never-contended", `${lockRef(model, l.id)} is never contended: no acquire ever found it taken`, "");
  }
  const items = [...groups.values()].map((g) => {
    const who = g.threads.filter((t) => t !== "").join(", ");
    return { kind: g.kind, text: `${g.what}${g.loc ? ` at ${formatLoc(g.loc)}` : ""}${who ? ` (${who})` : ""}`, ...(g.loc ? { loc: g.loc } : {}), threads: g.threads.filter((t) => t !== "") };
  });
  const rank: Record<EvidenceKind, number> = { unreached: 0, "label-unreached": 1, "fault-never-taken": 2, "never-blocked": 3, "never-contended": 4 };
  items.sort((a, b) => rank[a.kind] - rank[b.kind]);
  return { complete: true, items };
}
