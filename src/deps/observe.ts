// One exhaustive run of the reference explorer (src/explore) over the lowered
// program, watching every node a thread stands at (kept or absorbed by merging):
// the raw material of the lock dependency table (table.ts), of the evidence for
// an `ok` (evidence.ts) and of lockdep's potential cycles (cycles.ts).

import { ExploreLimitError, type ExploreOptions, type State, type World, explore } from "../explore/index.js";
import { deadlockedThreads } from "../explore/findings.js";
import { DONE, type Program, lockKey } from "../ir/program.js";
import { symmetry } from "../ir/symmetry.js";
import type { LockMode, Model } from "../ir/types.js";

/** A thread standing at an acquire of `lock`/`mode` while holding `held`, at node `pc`. */
export interface RawDep {
  readonly thread: string;
  readonly pc: string;
  readonly held: { readonly lock: string; readonly mode: LockMode };
  /** The other locks (lockKey) the thread held every time it did this (lockdep's gate locks). */
  readonly alongside: ReadonlySet<string>;
}

/** A stuck thread of a reachable deadlocked state: what it holds and the lock it waits for. */
export interface StuckThread {
  readonly thread: string;
  readonly holds: readonly string[];
  /** lockKey of the lock waited for; undefined for a wait_event. */
  readonly waits?: string;
}

export interface Observation {
  /** False when the state space was larger than the limit: the rest is then partial. */
  readonly complete: boolean;
  readonly states: number;
  /** Whether the states counted are those of merged steps (src/ir/merge.ts) or of one step per operation. */
  readonly merged: boolean;
  /** The states counted are classes of states equal up to a permutation of each threads(n, ...) group (symmetry below). */
  readonly upToSymmetry: boolean;
  readonly deps: readonly RawDep[];
  /** `thread/pc` of every node some thread stood at. */
  readonly reached: ReadonlySet<string>;
  /** Threads that finished in some reachable state. */
  readonly finished: ReadonlySet<string>;
  /** Locks some acquire found taken (it waited or queued). */
  readonly contended: ReadonlySet<string>;
  /** `thread/pc` of awaits found with a false condition. */
  readonly blockedAwaits: ReadonlySet<string>;
  /** Each distinct stuck set of a reachable deadlocked state (deduplicated). */
  readonly deadlocks: readonly (readonly StuckThread[])[];
}

/**
 * Default caps on the states explored for the table (the check's own TLC run has
 * none): one step per operation first, then merged steps (several times fewer).
 */
export const MAX_OBSERVED_STATES = 100_000;
export const MAX_OBSERVED_MERGED_STATES = 200_000;

/**
 * Symmetry: the threads of a threads(n, ...) group that the check's spec may
 * permute (src/ir/symmetry.ts: same program, named by no expression) run the same
 * nodes, and every lock and variable is the same for each. What one of them shows
 * at a node in some state, each twin shows at that node in the state with the two
 * renamed, which is reachable too. So the search keeps one state per class
 * (explore's `symmetry`, as TLC's SYMMETRY), and afterwards each group's
 * observations are given to every member: a dependency any member showed at a
 * node, with the locks all of them held alongside every time; the nodes any
 * reached; a finish; an await found false. A stuck set is kept as found: only its
 * locks are read (cycles.ts), and a renamed one holds and waits for the same.
 * At K3 F3 W2 L1 of family 2 (bench/family2.ts) the search without it gave up
 * after 300,000 states; with it the table is whole in 5 s.
 */
export function observe(model: Model, program: Program, opts: { readonly maxStates?: number; readonly merge?: boolean; readonly symmetry?: boolean } = {}): Observation {
  const groups = opts.symmetry === false ? [] : symmetry(model, program).groups.map((g) => g.threads);
  const deps = new Map<string, { thread: string; pc: string; held: { lock: string; mode: LockMode }; alongside: Set<string> }>();
  // thread -> the pcs it stood at, and those of awaits it found false (Observation's
  // `thread/pc` sets, made at the end, once the groups have been shared out).
  const reachedAt = new Map<string, Set<string>>();
  const blockedAt = new Map<string, Set<string>>();
  const pcsOf = (m: Map<string, Set<string>>, thread: string): Set<string> => {
    let s = m.get(thread);
    if (!s) m.set(thread, (s = new Set()));
    return s;
  };
  const finished = new Set<string>();
  const contended = new Set<string>();
  /** deps' key: the thread at node pc holding lock k (lockKey). */
  const depKey = (thread: string, pc: string, k: string) => `${thread}|${pc}|${k}`;
  const deadlocks = new Map<string, StuckThread[]>();
  const modes: readonly LockMode[] = ["excl", "read", "write"];
  const heldBy = (w: World, s: State, t: number): string[] => {
    const out: string[] = [];
    for (const l of model.locks) for (const m of modes) if ((l.kind === "rwsem") === (m !== "excl") && w.holds(s, t, l.id, m)) out.push(lockKey(l.id, m));
    return out;
  };
  const onState = (w: World, s: State): void => {
    s.pc.forEach((pc, u) => {
      if (pc === DONE) finished.add(w.threadIds[u] as string);
    });
    const stuck = deadlockedThreads(w, s);
    if (stuck.length > 0) {
      const set: StuckThread[] = stuck.map((u) => {
        const at = w.nodeAt(s, u);
        return { thread: w.threadIds[u] as string, holds: heldBy(w, s, u), ...(at?.op.kind === "acquire" ? { waits: lockKey(at.op.lock, at.op.mode) } : {}) };
      });
      deadlocks.set(JSON.stringify(set), set);
    }
  };
  const onNode: NonNullable<ExploreOptions["observe"]> = (w, s, t, n) => {
    const thread = w.threadIds[t] as string;
    pcsOf(reachedAt, thread).add(n.pc);
    const op = n.op;
    if (op.kind === "await" && w.eval(s, op.cond) !== true) pcsOf(blockedAt, thread).add(n.pc);
    if (op.kind !== "acquire") return;
    if (!w.canTake(s, t, op.lock, op.mode)) contended.add(op.lock);
    const held = heldBy(w, s, t);
    for (const k of held) {
      const [lock, mode] = splitKey(k);
      const key = depKey(thread, n.pc, k);
      const others = held.filter((x) => x !== k);
      const e = deps.get(key);
      if (!e) deps.set(key, { thread, pc: n.pc, held: { lock, mode }, alongside: new Set(others) });
      else for (const x of [...e.alongside]) if (!others.includes(x)) e.alongside.delete(x);
    }
  };
  // One step per operation by default (merge: false): every operation is a state,
  // so contention and waits that merging folds into one step are seen as they
  // happen; the merged state space, several times smaller, when that is too large.
  // Both give the same dependencies (test/fuzz checks it).
  let complete = true;
  let states = 0;
  let merged = false;
  const max = (merge: boolean) => opts.maxStates ?? (merge ? MAX_OBSERVED_MERGED_STATES : MAX_OBSERVED_STATES);
  const tries: boolean[] = opts.merge === undefined ? [false, true] : [opts.merge];
  for (const merge of tries) {
    merged = merge;
    for (const x of [deps, reachedAt, blockedAt, finished, contended, deadlocks]) x.clear();
    try {
      states = explore({ model, program }, { exhaustive: true, maxStates: max(merge), observe: onNode, observeState: onState, merge, encode: false, symmetry: groups }).distinct;
      complete = true;
      break;
    } catch (err) {
      if (!(err instanceof ExploreLimitError)) throw err;
      complete = false;
      states = max(merge);
    }
  }
  for (const g of groups) {
    // A dependency per (node, lock held), with the locks held alongside every time any member stood there.
    const shown = new Map<string, { pc: string; held: { lock: string; mode: LockMode }; alongside: Set<string> }>();
    for (const d of deps.values()) {
      if (!g.includes(d.thread)) continue;
      const key = `${d.pc}|${lockKey(d.held.lock, d.held.mode)}`;
      const e = shown.get(key);
      if (!e) shown.set(key, { pc: d.pc, held: d.held, alongside: new Set(d.alongside) });
      else for (const x of [...e.alongside]) if (!d.alongside.has(x)) e.alongside.delete(x);
    }
    for (const u of g) {
      for (const e of shown.values()) deps.set(depKey(u, e.pc, lockKey(e.held.lock, e.held.mode)), { thread: u, pc: e.pc, held: e.held, alongside: new Set(e.alongside) });
    }
    for (const m of [reachedAt, blockedAt]) {
      const pcs = g.flatMap((u) => [...(m.get(u) ?? [])]);
      for (const u of g) for (const pc of pcs) pcsOf(m, u).add(pc);
    }
    if (g.some((u) => finished.has(u))) for (const u of g) finished.add(u);
  }
  const keys = (m: Map<string, Set<string>>) => new Set([...m].flatMap(([thread, pcs]) => [...pcs].map((pc) => `${thread}/${pc}`)));
  return { complete, states, merged, upToSymmetry: groups.length > 0, deps: [...deps.values()], reached: keys(reachedAt), finished, contended, blockedAwaits: keys(blockedAt), deadlocks: [...deadlocks.values()] };
}

export function splitKey(k: string): [lock: string, mode: LockMode] {
  const i = k.lastIndexOf("/");
  return [k.slice(0, i), k.slice(i + 1) as LockMode];
}
