// `faultline order <model.ts>`: the model's lock ordering as a C comment, written
// the way mm/rmap.c and mm/filemap.c document theirs, generated from the lock
// dependencies observed over every reachable state (src/deps), so a patch can paste it.

import type { Model } from "../ir/types.js";
import type { DepEdge, DepTable } from "../deps/index.js";
import { lockEndText } from "../deps/index.js";
import { lockRef } from "../ir/spell.js";

export interface OrderComment {
  readonly text: string;
  /** Locks taken in both orders: no order exists (the comment says so). */
  readonly cycles: readonly string[][];
}

export function orderComment(model: Model, table: DepTable, file: string): OrderComment {
  const name = (id: string) => lockRef(model, id);
  const rank = new Map(model.locks.map((l, i) => [l.id, i]));
  const between = table.edges.filter((e) => e.from.lockId !== e.to.lockId);
  const self = table.edges.filter((e) => e.from.lockId === e.to.lockId);
  const succ = new Map<string, Set<string>>();
  for (const e of between) (succ.get(e.from.lockId) ?? succ.set(e.from.lockId, new Set()).get(e.from.lockId))?.add(e.to.lockId);
  const nodes = [...new Set(between.flatMap((e) => [e.from.lockId, e.to.lockId]))].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  const cycles = sccs(nodes, succ).filter((c) => c.length > 1);
  const inCycle = new Set(cycles.flat());

  // Depth: the longest chain of dependencies above a lock (locks on a cycle are left out).
  const depth = new Map<string, number>();
  const depthOf = (l: string, seen: Set<string>): number => {
    const known = depth.get(l);
    if (known !== undefined) return known;
    let d = 0;
    for (const e of between) if (e.to.lockId === l && !inCycle.has(e.from.lockId) && !seen.has(e.from.lockId)) d = Math.max(d, depthOf(e.from.lockId, new Set([...seen, l])) + 1);
    depth.set(l, d);
    return d;
  };
  const ordered = nodes.filter((l) => !inCycle.has(l));
  for (const l of ordered) depthOf(l, new Set());
  const where = (from: string, to: string): string => {
    const sites = between.filter((e) => e.from.lockId === from && e.to.lockId === to).flatMap((e) => e.sites);
    const names = [...new Set(sites.map(siteWhere))];
    return names.length > 0 ? `(in ${names.slice(0, 4).join(", ")}${names.length > 4 ? ", ..." : ""})` : "";
  };
  const lines: string[] = [];
  const printed = new Set<string>();
  const visit = (l: string, parent: string | undefined) => {
    if (printed.has(l)) return;
    printed.add(l);
    const d = depth.get(l) ?? 0;
    const label = `${"  ".repeat(d)}${name(l)}`;
    lines.push(parent ? `${label.padEnd(32)}${where(parent, l)}`.trimEnd() : label);
    const kids = [...(succ.get(l) ?? [])].filter((k) => !inCycle.has(k) && (depth.get(k) ?? 0) === d + 1).sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    for (const k of kids) visit(k, l);
    for (const k of succ.get(l) ?? []) if (inCycle.has(k)) lines.push(`${`${"  ".repeat(d + 1)}${name(k)}`.padEnd(32)}${where(l, k)}; no order below it (see below)`);
  };
  for (const l of ordered) if ((depth.get(l) ?? 0) === 0) {
    if (lines.length > 0) lines.push("");
    visit(l, undefined);
  }
  for (const l of ordered) if (!printed.has(l)) visit(l, undefined);

  const out: string[] = [`Lock ordering in ${model.name} (${file}),`, `as faultline observed it over ${table.complete ? "every one of" : "only"} ${table.states} reachable states${table.upToSymmetry ? " up to symmetry" : ""}:`, ""];
  out.push(...(lines.length > 0 ? lines : [cycles.length > 0 ? "no order: every dependency is on a cycle (below)" : "no lock is taken while another is held"]));
  for (const e of self) out.push("", selfLine(e));
  for (const c of cycles) {
    out.push("", `no order between ${c.map(name).join(", ")}: they are taken in both orders:`);
    for (const e of between.filter((x) => c.includes(x.from.lockId) && c.includes(x.to.lockId))) {
      out.push(`  ${lockEndText(e.from)} -> ${lockEndText(e.to)} ${where(e.from.lockId, e.to.lockId)}`);
    }
  }
  const declared = model.lockOrders ?? [];
  if (declared.length > 0) out.push("", `declared (m.lockOrder, checked): ${declared.map((o) => o.locks.map(name).join(" -> ")).join("; ")}`);
  const text = ["/*", ...out.map((l) => (l === "" ? " *" : ` * ${l}`)), " */", ""].join("\n");
  return { text, cycles: cycles.map((c) => c.map(name)) };
}

/** Where an acquire happens, as the kernel's comments say it: the function, or the page fault it is in. */
function siteWhere(s: DepEdge["sites"][number]): string {
  if (!s.fault) return s.where;
  return s.fault.handler ? `${s.where}, page fault` : `page fault in ${s.fault.calls.at(-1) ?? s.thread}`;
}

function selfLine(e: DepEdge): string {
  const sites = [...new Set(e.sites.map(siteWhere))];
  return `${lockEndText(e.from)} nests in itself: ${lockEndText(e.to)} again in ${sites.join(", ")}`;
}

/** Strongly connected components (Tarjan), in the order of `nodes`. */
function sccs(nodes: readonly string[], succ: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of succ.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      for (;;) {
        const w = stack.pop() as string;
        on.delete(w);
        c.push(w);
        if (w === v) break;
      }
      out.push(c.sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b)));
    }
  };
  for (const v of nodes) if (!idx.has(v)) strong(v);
  return out;
}
