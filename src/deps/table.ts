// The lock dependency table (SEMANTICS "What a result must say"): every pair
// (lock held, mode) -> (lock acquired, mode) some reachable state shows, with the
// thread, the model lines of both ends and the page fault the acquire is in.
// Exact: the pairs come from the explorer's exhaustive run (observe.ts) over the
// lowered nodes, absorbed ones included; only the held end's lines are static.

import { formatLoc } from "../ir/diagnostics.js";
import { DONE, type Node, type Program, type ThreadProgram, lockKey, nodeIndex, successors } from "../ir/program.js";
import { lockRef, regionName, threadName } from "../ir/spell.js";
import type { Loc, LockMode, Model } from "../ir/types.js";
import type { Observation } from "./observe.js";

/** How an acquire sits in a page fault: the faulting access's region and where. */
export interface FaultContext {
  readonly region: string;
  /** The region's fault procedure the acquire runs in; absent for the fault's own down_read(mmap_lock). */
  readonly handler?: string;
  /** The procedures the faulting access is in, outermost first. */
  readonly calls: readonly string[];
  /** The faulting access's model line. */
  readonly access: Loc;
}

export interface DepSite {
  readonly thread: string;
  readonly threadId: string;
  readonly pc: string;
  /** Where the held lock was taken on the paths to the acquire (static: every acquire that may still hold it). */
  readonly heldAt: readonly Loc[];
  readonly acquireAt: Loc;
  /** The innermost procedure the acquire is in (the thread's name at top level). */
  readonly where: string;
  readonly fault?: FaultContext;
  /** The other locks held every time this site was reached (lockdep's gate locks), as `name (mode)`. */
  readonly alongside: readonly string[];
  /** Ids of those locks, with modes (lockKey). */
  readonly alongsideKeys: readonly string[];
}

export interface LockEnd {
  readonly lock: string;
  readonly lockId: string;
  readonly mode: LockMode;
}

export interface DepEdge {
  readonly from: LockEnd;
  readonly to: LockEnd;
  readonly sites: readonly DepSite[];
}

export interface DepTable {
  /** False when the state space was too large to explore whole: the edges are then a lower bound. */
  readonly complete: boolean;
  readonly states: number;
  /** The states counted are merged steps' (true) or one step per operation's (false). */
  readonly merged: boolean;
  /** The states counted are classes of states equal up to a permutation of each threads(n, ...) group's threads (observe.ts). */
  readonly upToSymmetry: boolean;
  readonly edges: readonly DepEdge[];
}

export function depTable(model: Model, program: Program, obs: Observation): DepTable {
  const sitesHeld = new Map<string, Map<string, Map<string, Set<Node>>>>();
  const heldSitesOf = (tp: ThreadProgram) => {
    let m = sitesHeld.get(tp.thread);
    if (!m) {
      m = reachingAcquires(tp);
      sitesHeld.set(tp.thread, m);
    }
    return m;
  };
  const edges = new Map<string, { from: LockEnd; to: LockEnd; sites: DepSite[] }>();
  for (const d of obs.deps) {
    const tp = program.threads.find((x) => x.thread === d.thread);
    const n = tp ? nodeIndex(tp).get(d.pc) : undefined;
    if (!tp || !n || n.op.kind !== "acquire") continue;
    const from: LockEnd = { lock: lockRef(model, d.held.lock), lockId: d.held.lock, mode: d.held.mode };
    const to: LockEnd = { lock: lockRef(model, n.op.lock), lockId: n.op.lock, mode: n.op.mode };
    const key = `${from.lockId}/${from.mode}>${to.lockId}/${to.mode}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, sites: [] }));
    const heldAt = [...(heldSitesOf(tp).get(d.pc)?.get(lockKey(d.held.lock, d.held.mode)) ?? [])].map((x) => x.loc);
    const fault = faultContext(model, n);
    const alongsideKeys = [...d.alongside].sort();
    e.sites.push({
      thread: threadName(model, d.thread),
      threadId: d.thread,
      pc: d.pc,
      heldAt: uniqueLocs(heldAt),
      acquireAt: n.loc,
      where: innermostProc(model, n) ?? threadName(model, d.thread),
      ...(fault ? { fault } : {}),
      alongside: alongsideKeys.map((k) => endText(model, k)),
      alongsideKeys,
    });
  }
  const threadOrder = new Map(model.threads.map((t, i) => [t.id, i]));
  const lockOrder = new Map(model.locks.map((l, i) => [l.id, i]));
  const modeOrder: Record<LockMode, number> = { excl: 0, read: 1, write: 2 };
  const endCmp = (a: LockEnd, b: LockEnd) => (lockOrder.get(a.lockId) ?? 0) - (lockOrder.get(b.lockId) ?? 0) || modeOrder[a.mode] - modeOrder[b.mode];
  const out = [...edges.values()].map((e) => ({
    ...e,
    sites: e.sites.sort((a, b) => (threadOrder.get(a.threadId) ?? 0) - (threadOrder.get(b.threadId) ?? 0) || pcNumber(a.pc) - pcNumber(b.pc)),
  }));
  out.sort((a, b) => endCmp(a.from, b.from) || endCmp(a.to, b.to));
  return { complete: obs.complete, states: obs.states, merged: obs.merged, upToSymmetry: obs.upToSymmetry, edges: out };
}

function innermostProc(model: Model, n: Node): string | undefined {
  const call = [...n.via].reverse().find((f) => f.kind === "call");
  return call?.kind === "call" ? (model.procs.find((p) => p.id === call.proc)?.name ?? call.proc) : undefined;
}

function pcNumber(pc: string): number {
  return Number(pc.replace(/^\D+/, "")) || 0;
}

function uniqueLocs(ls: readonly Loc[]): Loc[] {
  const seen = new Map<string, Loc>();
  for (const l of ls) seen.set(formatLoc(l), l);
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** `app.mmap_lock (read)` for a lockKey. */
export function endText(model: Model, key: string): string {
  const i = key.lastIndexOf("/");
  const mode = key.slice(i + 1);
  return `${lockRef(model, key.slice(0, i))}${mode === "excl" ? "" : ` (${mode})`}`;
}

export function lockEndText(e: LockEnd): string {
  return `${e.lock}${e.mode === "excl" ? "" : ` (${e.mode})`}`;
}

/** The page fault an acquire happens in, if any: the innermost fault frame of its node. */
export function faultContext(model: Model, n: Node): FaultContext | undefined {
  const i = n.via.map((f) => f.kind).lastIndexOf("fault");
  if (i < 0) return undefined;
  const frame = n.via[i];
  if (frame?.kind !== "fault") return undefined;
  const procName = (id: string) => model.procs.find((p) => p.id === id)?.name ?? id;
  const calls = n.via.slice(0, i).flatMap((f) => (f.kind === "call" ? [procName(f.proc)] : []));
  const inner = n.via[i + 1];
  return { region: regionName(model, frame.region), ...(inner?.kind === "call" ? { handler: procName(inner.proc) } : {}), calls, access: frame.loc };
}

/** `via page fault on bounds_dir in mpx_pre_unmap > invalidate_bd_entry, fault procedure f`. */
export function faultText(f: FaultContext): string {
  const where = f.calls.length > 0 ? ` in ${f.calls.join(" > ")}` : "";
  return `via page fault on ${f.region}${where} (${formatLoc(f.access)})${f.handler ? `, fault procedure ${f.handler}` : ""}`;
}

/**
 * For each pc, the acquire nodes whose hold of each lockKey may still be live on
 * arrival (reaching definitions; a release that leaves the lock held on no path
 * kills them). A fixpoint over the successor graph, so loops (back edges) are fine.
 */
function reachingAcquires(tp: ThreadProgram): Map<string, Map<string, Set<Node>>> {
  const byPc = nodeIndex(tp);
  const into = new Map<string, Map<string, Set<Node>>>();
  const count = new Map<string, Map<string, number>>(); // most holds of each key on arrival (capped)
  const work: string[] = [];
  const merge = (pc: string, sites: Map<string, Set<Node>>, held: Map<string, number>) => {
    if (pc === DONE) return;
    let cur = into.get(pc);
    let cnt = count.get(pc);
    let changed = false;
    if (!cur || !cnt) {
      cur = new Map();
      cnt = new Map();
      into.set(pc, cur);
      count.set(pc, cnt);
      changed = true;
    }
    for (const [k, ns] of sites) {
      let s = cur.get(k);
      if (!s) cur.set(k, (s = new Set()));
      for (const n of ns) if (!s.has(n)) {
        s.add(n);
        changed = true;
      }
    }
    for (const [k, c] of held) {
      const v = Math.min(4, Math.max(cnt.get(k) ?? 0, c));
      if (v !== (cnt.get(k) ?? 0)) {
        cnt.set(k, v);
        changed = true;
      }
    }
    if (changed) work.push(pc);
  };
  merge(tp.entry, new Map(), new Map());
  while (work.length > 0) {
    const pc = work.pop() as string;
    const n = byPc.get(pc);
    if (!n) continue;
    const sites = into.get(pc) as Map<string, Set<Node>>;
    const held = count.get(pc) as Map<string, number>;
    const op = n.op;
    const take = (lock: string, mode: LockMode): [Map<string, Set<Node>>, Map<string, number>] => {
      const k = lockKey(lock, mode);
      const s = new Map(sites);
      s.set(k, new Set([...(sites.get(k) ?? []), n]));
      const h = new Map(held);
      h.set(k, (held.get(k) ?? 0) + 1);
      return [s, h];
    };
    if (op.kind === "acquire") merge(op.next, ...take(op.lock, op.mode));
    else if (op.kind === "trylock") {
      merge(op.ok, ...take(op.lock, op.mode));
      merge(op.fail, sites, held);
    } else if (op.kind === "release") {
      const k = lockKey(op.lock, op.mode);
      const left = Math.max(0, (held.get(k) ?? 0) - 1);
      const s = new Map(sites);
      const h = new Map(held);
      h.set(k, left);
      if (left === 0) s.delete(k);
      merge(op.next, s, h);
    } else for (const x of successors(op)) merge(x, sites, held);
  }
  return into;
}

/** One line per edge and site, as the text report prints it (compact). */
export function formatDepTable(t: DepTable, opts: { readonly indent?: string } = {}): string[] {
  const ind = opts.indent ?? "  ";
  if (t.edges.length === 0) return [`${ind}none: no thread takes a lock while holding another${t.complete ? "" : " (in the states explored)"}`];
  const w = Math.max(...t.edges.map((e) => `${lockEndText(e.from)} -> ${lockEndText(e.to)}`.length));
  const out: string[] = [];
  for (const e of t.edges) {
    const head = `${lockEndText(e.from)} -> ${lockEndText(e.to)}`;
    siteTexts(e).forEach((site, i) => out.push(`${ind}${(i === 0 ? head : "").padEnd(w)}  ${site}`));
  }
  return out;
}

/**
 * An edge's sites as text, `thread: held -> acquired [via fault]`, each once:
 * the iterations of a bounded loop are sites of their own (other pcs) that
 * read the same.
 */
export function siteTexts(e: DepEdge): string[] {
  return [...distinctSites(e).keys()];
}

/** An edge's sites that read differently (siteTexts), keyed by that text: what a report shows, the HTML's too. */
export function distinctSites(e: DepEdge): Map<string, DepSite> {
  const out = new Map<string, DepSite>();
  for (const s of e.sites) {
    const text = `${s.thread}: ${s.heldAt.length > 0 ? s.heldAt.map(formatLoc).join(",") : "?"} -> ${formatLoc(s.acquireAt)}${s.fault ? ` ${faultText(s.fault)}` : ""}`;
    if (!out.has(text)) out.set(text, s);
  }
  return out;
}

/** The golden text of a model's table (specs/<seed>/<module>.deps.txt). */
export function depTableText(modelName: string, t: DepTable): string {
  return [`lock dependencies of "${modelName}" (${scopeText(t)}):`, ...formatDepTable(t), ""].join("\n");
}

/** Which states the table covers: `all 6288 reachable states, one step per operation`. */
export function scopeText(t: DepTable): string {
  const steps = t.merged ? "merged steps" : "one step per operation";
  const sym = t.upToSymmetry ? " up to symmetry" : "";
  return t.complete ? `all ${t.states} reachable states${sym}, ${steps}` : `only the first ${t.states} states${sym} (${steps}): the model is larger`;
}
