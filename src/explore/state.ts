// The reference explorer's states and step rules: SEMANTICS.md "Lock kinds" and
// "User memory access" written directly in TypeScript over the lowered program,
// independently of the TLA+ templates (this module is the oracle they are tested against).

import { type MergePlan, isAbsorbed, noMerge, runsThrough } from "../ir/merge.js";
import { DONE, type Node, type Program, nodeIndex } from "../ir/program.js";
import type { Expr, Lock, LockMode, Model, RwsemPolicy, Value } from "../ir/types.js";
import { compareValues, unreachable } from "../ir/types.js";

/** Who holds no lock: thread indexes are >= 0. */
const NOBODY = -1;

export interface RwState {
  /** Thread index of the writer, or NOBODY. */
  readonly writer: number;
  /** Read holds per thread index (a reader may hold it more than once). */
  readonly readers: readonly number[];
  /** FIFO queue of waiters: [thread index, mode]. */
  readonly queue: readonly (readonly [number, "read" | "write"])[];
}

/**
 * One state: exactly the spec's variables (pc, owner, rw, user variables), so
 * two states are the same here iff TLC's fingerprints are the same there.
 */
export interface State {
  /** pc per thread index: a node's pc, or DONE. */
  readonly pc: readonly string[];
  /** Owner per mutex/spinlock (in model lock order, rwsems skipped). */
  readonly owner: readonly number[];
  /** Per rwsem (in model lock order, mutexes and spinlocks skipped). */
  readonly rw: readonly RwState[];
  /** Per shared variable, in model order. Integers may leave their domain (a finding). */
  readonly vars: readonly Value[];
}

/**
 * The state as text, one-to-one: a model has fixed numbers of threads, locks
 * and variables, pcs are node names (p1, Done: no space, ':' or '|'), a queued
 * waiter is its index and mode's letter, and the variables come last, as JSON.
 * Written out by hand: JSON.stringify of the whole state was a quarter of the
 * dependency analysis's time.
 */
export function stateKey(s: State): string {
  let k = `${s.pc.join(" ")}|${s.owner.join(" ")}`;
  for (const r of s.rw) {
    k += `|${r.writer}:${r.readers.join(" ")}:`;
    for (const [t, m] of r.queue) k += `${t}${m === "read" ? "r" : "w"}`;
  }
  return s.vars.length === 0 ? k : `${k}|${JSON.stringify(s.vars)}`;
}

/**
 * With symmetry (TLC's SYMMETRY over threads(n, ...) groups, src/ir/symmetry.ts):
 * one key per class of states that differ by a permutation of each group's
 * threads. `groups` are thread indexes.
 *
 * Each thread's part of a state is its signature: its pc, the mutexes it owns, and
 * per rwsem whether it writes, how many times it reads and where it stands in the
 * queue. The state is its signatures, the variables (which name no thread) and
 * which thread has which. The key is the state with each group's threads renamed
 * in the order of their signatures: a renamed state has the same signatures, each
 * group's sorted alike, so the same key; two threads of a group with equal
 * signatures own nothing, stand nowhere in a queue and read alike, so the order
 * between them changes nothing. One sort per group instead of trying every
 * permutation (72 for groups of 3, 3 and 2: the dependency table of family 2 at
 * K3 F3 W2 L1 took 79 s with them).
 */
export function symmetricKey(groups: readonly (readonly number[])[], threadCount: number): (s: State) => string {
  const identity = [...Array(threadCount).keys()];
  return (s) => {
    const sig: string[] = [...s.pc];
    s.owner.forEach((t, i) => {
      if (t !== NOBODY) sig[t] += `|o${i}`;
    });
    s.rw.forEach((r, j) => {
      if (r.writer !== NOBODY) sig[r.writer] += `|w${j}`;
      r.readers.forEach((n, t) => {
        if (n > 0) sig[t] += `|r${j}x${n}`;
      });
      r.queue.forEach(([t, m], i) => {
        sig[t] += `|q${j}@${i}${m === "read" ? "r" : "w"}`;
      });
    });
    const p = [...identity];
    for (const g of groups) {
      const sorted = [...g].sort((a, b) => ((sig[a] as string) < (sig[b] as string) ? -1 : (sig[a] as string) > (sig[b] as string) ? 1 : 0));
      sorted.forEach((t, i) => {
        p[t] = g[i] as number;
      });
    }
    return stateKey(permute(s, p));
  };
}

/** s with thread i renamed p[i] everywhere: pcs, owners, readers, writers, queues. */
export function permute(s: State, p: readonly number[]): State {
  const who = (t: number) => (t === NOBODY ? t : (p[t] as number));
  const moved = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    xs.forEach((x, i) => {
      out[p[i] as number] = x;
    });
    return out;
  };
  return {
    pc: moved(s.pc),
    owner: s.owner.map(who),
    rw: s.rw.map((r) => ({ writer: who(r.writer), readers: moved(r.readers), queue: r.queue.map(([t, m]) => [who(t), m] as const) })),
    vars: s.vars,
  };
}

interface LockInfo {
  readonly lock: Lock;
  /** Index into State.owner (mutex, spinlock) or State.rw (rwsem). */
  readonly slot: number;
  readonly policy: RwsemPolicy;
}

/** Lookup tables built once per model. */
export class World {
  readonly threadIndex = new Map<string, number>();
  readonly locks = new Map<string, LockInfo>();
  readonly varIndex = new Map<string, number>();
  /** Per thread index: pc -> node. */
  readonly nodes: readonly ReadonlyMap<string, Node>[];
  /** Thread index -> IR id, and the indexes themselves (0 .. threadCount - 1). */
  readonly threadIds: readonly string[];
  readonly threadNumbers: readonly number[];
  /**
   * Called with every (state, thread, node) the search makes a thread stand at,
   * kept or absorbed, before its operation runs: src/deps reads the lock
   * dependencies and what the check exercised from it. Not part of the semantics.
   */
  observer?: (s: State, t: number, n: Node) => void;

  constructor(
    readonly model: Model,
    readonly program: Program,
    /** Absorbed nodes (src/ir/merge.ts): run right after the step that reaches them. */
    readonly plan: MergePlan = noMerge(program),
  ) {
    // Thread index i is the i-th thread of the program (the order of the spec's Next).
    program.threads.forEach((tp, i) => this.threadIndex.set(tp.thread, i));
    let excl = 0;
    let rw = 0;
    for (const l of model.locks) {
      const slot = l.kind === "rwsem" ? rw++ : excl++;
      this.locks.set(l.id, { lock: l, slot, policy: l.policy ?? "fair" });
    }
    model.vars.forEach((v, i) => this.varIndex.set(v.id, i));
    this.nodes = program.threads.map((tp) => nodeIndex(tp));
    this.threadIds = program.threads.map((tp) => tp.thread);
    this.threadNumbers = this.threadIds.map((_, i) => i);
  }

  get threadCount(): number {
    return this.program.threads.length;
  }

  lock(id: string): LockInfo {
    const l = this.locks.get(id);
    if (!l) throw new Error(`faultline internal error: explorer has no lock ${id}`);
    return l;
  }

  nodeAt(s: State, t: number): Node | undefined {
    const pc = s.pc[t] as string;
    return pc === DONE ? undefined : this.nodes[t]?.get(pc);
  }

  /**
   * The initial states: every thread at its entry, then, where the entry is
   * absorbed, at each first kept pc its absorbed nodes can reach (the spec's Init
   * enumerates them). Distinct states only, in a fixed order.
   */
  initials(): State[] {
    let states = [this.initial()];
    for (let t = 0; t < this.threadCount; t++) states = states.flatMap((s) => this.settle(s, t));
    const seen = new Set<string>();
    return states.filter((s) => {
      const k = stateKey(s);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  initial(): State {
    const n = this.threadCount;
    const locks = [...this.locks.values()];
    return {
      pc: this.program.threads.map((tp) => tp.entry),
      owner: locks.filter((l) => l.lock.kind !== "rwsem").map(() => NOBODY),
      rw: locks.filter((l) => l.lock.kind === "rwsem").map(() => ({ writer: NOBODY, readers: Array<number>(n).fill(0), queue: [] })),
      vars: this.model.vars.map((v) => v.init),
    };
  }

  // ---- lock state (SEMANTICS "Lock kinds") ------------------------------------------

  holds(s: State, t: number, lockId: string, mode: LockMode): boolean {
    const l = this.lock(lockId);
    if (l.lock.kind !== "rwsem") return mode === "excl" && s.owner[l.slot] === t;
    const r = s.rw[l.slot] as RwState;
    if (mode === "read") return (r.readers[t] as number) > 0;
    if (mode === "write") return r.writer === t;
    return false;
  }

  holdsAnything(s: State, t: number): boolean {
    return s.owner.includes(t) || s.rw.some((r) => r.writer === t || (r.readers[t] as number) > 0);
  }

  /** Threads holding the lock, in any mode. */
  holders(s: State, lockId: string): number[] {
    const l = this.lock(lockId);
    if (l.lock.kind !== "rwsem") {
      const o = s.owner[l.slot] as number;
      return o === NOBODY ? [] : [o];
    }
    const r = s.rw[l.slot] as RwState;
    const out = r.readers.flatMap((n, t) => (n > 0 ? [t] : []));
    if (r.writer !== NOBODY) out.push(r.writer);
    return out;
  }

  /** The waiters queued ahead of t: the whole queue if t has not joined it. */
  ahead(r: RwState, t: number): (readonly [number, "read" | "write"])[] {
    const at = r.queue.findIndex(([u]) => u === t);
    return at < 0 ? [...r.queue] : r.queue.slice(0, at);
  }

  /**
   * Can t take the lock in this mode right now, without queueing? For a fair rwsem
   * the queue must be empty: a queued waiter never takes the lock itself, a release
   * grants it (grant()), so a queued thread is blocked until then.
   */
  canTake(s: State, t: number, lockId: string, mode: LockMode): boolean {
    const l = this.lock(lockId);
    if (l.lock.kind !== "rwsem") return s.owner[l.slot] === NOBODY;
    const r = s.rw[l.slot] as RwState;
    if (mode === "read") {
      if (r.writer !== NOBODY) return false;
      if (l.policy === "reader-preferring") return true;
      if (l.policy === "recursive-read" && (r.readers[t] as number) > 0) return true;
      return r.queue.length === 0;
    }
    if (r.writer !== NOBODY || r.readers.some((n) => n > 0)) return false;
    return l.policy === "reader-preferring" || r.queue.length === 0;
  }

  /** The lock state after t takes the lock (t is not queued: queued waiters are granted). */
  take(s: State, t: number, lockId: string, mode: LockMode): State {
    const l = this.lock(lockId);
    if (l.lock.kind !== "rwsem") return { ...s, owner: replace(s.owner, l.slot, t) };
    const r = s.rw[l.slot] as RwState;
    const next: RwState = mode === "read" ? { ...r, readers: replace(r.readers, t, (r.readers[t] as number) + 1) } : { ...r, writer: t };
    return { ...s, rw: replace(s.rw, l.slot, next) };
  }

  /** The state after t joins the tail of the rwsem's queue (pc unchanged). */
  enqueue(s: State, t: number, lockId: string, mode: "read" | "write"): State {
    const l = this.lock(lockId);
    const r = s.rw[l.slot] as RwState;
    return { ...s, rw: replace(s.rw, l.slot, { ...r, queue: [...r.queue, [t, mode]] }) };
  }

  release(s: State, t: number, lockId: string, mode: LockMode): State {
    const l = this.lock(lockId);
    if (l.lock.kind !== "rwsem") return { ...s, owner: replace(s.owner, l.slot, NOBODY) };
    const r = s.rw[l.slot] as RwState;
    const next: RwState = mode === "read" ? { ...r, readers: replace(r.readers, t, (r.readers[t] as number) - 1) } : { ...r, writer: NOBODY };
    return { ...s, rw: replace(s.rw, l.slot, next) };
  }

  queued(s: State, t: number, lockId: string): boolean {
    const l = this.lock(lockId);
    return l.lock.kind === "rwsem" && (s.rw[l.slot] as RwState).queue.some(([u]) => u === t);
  }

  /**
   * SEMANTICS "rwsem": on release the head is granted. When no writer holds the
   * lock and its queue is not empty, the head takes it: a writer when nobody holds
   * it, or every reader at the head up to the first writer. Each woken thread, in
   * queue order, then runs the rest of its step at once: past its acquire and
   * through the absorbed nodes after it (`settle`), whose releases grant in turn.
   * Every way that can go, as states (not deduplicated).
   */
  grant(s: State, lockId: string): State[] {
    const l = this.lock(lockId);
    if (l.lock.kind !== "rwsem") return [s];
    const r = s.rw[l.slot] as RwState;
    const head = r.queue[0];
    if (r.writer !== NOBODY || head === undefined) return [s];
    let woken: number[];
    let next: RwState;
    if (head[1] === "write") {
      if (r.readers.some((n) => n > 0)) return [s];
      woken = [head[0]];
      next = { ...r, writer: head[0], queue: r.queue.slice(1) };
    } else {
      const k = r.queue.findIndex(([, m]) => m === "write");
      const readers = k < 0 ? r.queue : r.queue.slice(0, k);
      woken = readers.map(([u]) => u);
      next = { ...r, readers: r.readers.map((n, u) => (woken.includes(u) ? n + 1 : n)), queue: r.queue.slice(readers.length) };
    }
    let states: State[] = [{ ...s, rw: replace(s.rw, l.slot, next) }];
    for (const u of woken) {
      states = states.flatMap((x) => {
        const op = this.nodeAt(x, u)?.op;
        if (op?.kind !== "acquire") throw new Error("faultline internal error: a queued thread is not at an acquire");
        return this.settle({ ...x, pc: replace(x.pc, u, op.next) }, u);
      });
    }
    return states;
  }

  // ---- steps --------------------------------------------------------------------------

  /**
   * Every successor of s by one step of thread t: its next operation, then, while
   * the thread stands at an absorbed node (merge plan), that node's operation too,
   * branching on its alternatives. One successor per alternative path of t (two
   * paths that lead to the same state give it twice, as the spec writes each path as
   * a disjunct); the ways waiters woken on the way may go are a set per path (the
   * spec picks one world from a set), so those duplicates count once.
   */
  steps(s: State, t: number): State[] {
    const seen = new Set<string>();
    const out: State[] = [];
    let taken = this.alternatives(s, t).flatMap((states, i) => states.flatMap((x) => this.walk(x, t, `${i}`)));
    const here = s.pc[t] as string;
    const tid = this.program.threads[t]?.thread as string;
    // An acquire that took its lock may run on through kept accesses (merge.ts).
    if (this.plan.through?.get(tid)?.has(here)) {
      const onward = (x: { state: State; trail: string }): { state: State; trail: string }[] => {
        const end = x.state.pc[t] as string;
        if (end === here || !runsThrough(this.plan, tid, here, end)) return [x];
        return this.alternatives(x.state, t).flatMap((states, i) => states.flatMap((y) => this.walk(y, t, `${x.trail}>${i}`).flatMap(onward)));
      };
      taken = taken.flatMap(onward);
    }
    for (const { state, trail } of taken) {
      const k = `${trail}|${stateKey(state)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(state);
    }
    return out;
  }

  /** Runs thread t's absorbed nodes from s until it stands at a kept node or is done. */
  settle(s: State, t: number): State[] {
    return this.walk(s, t, "").map((b) => b.state);
  }

  /** settle, naming the alternatives t took on the way (`trail`, extended from the one given). */
  private walk(s: State, t: number, trail: string): { state: State; trail: string }[] {
    const pc = s.pc[t] as string;
    const tp = this.program.threads[t];
    if (pc === DONE || !tp || !isAbsorbed(this.plan, tp.thread, pc)) return [{ state: s, trail }];
    const alts = this.alternatives(s, t);
    if (alts.length === 0) throw new Error(`faultline internal error: absorbed node ${tp.thread}/${pc} is not enabled`);
    return alts.flatMap((states, i) => states.flatMap((x) => this.walk(x, t, `${trail}.${i}`)));
  }

  /**
   * Thread t's next operation: per alternative (a fault outcome, an `either`
   * branch), the states it may lead to (several only when a release wakes waiters
   * whose steps branch). A contended rwsem acquire by a thread not yet queued joins
   * the queue (pc unchanged); a queued thread has no step: a release grants it.
   */
  private alternatives(s: State, t: number): State[][] {
    const n = this.nodeAt(s, t);
    if (!n) return [];
    this.observer?.(s, t, n);
    const go = (st: State, pc: string): State => ({ ...st, pc: replace(st.pc, t, pc) });
    const op = n.op;
    switch (op.kind) {
      case "acquire": {
        if (this.canTake(s, t, op.lock, op.mode)) return [[go(this.take(s, t, op.lock, op.mode), op.next)]];
        const l = this.lock(op.lock);
        if (op.mode !== "excl" && l.policy !== "reader-preferring" && !this.queued(s, t, op.lock)) {
          return [[this.enqueue(s, t, op.lock, op.mode)]];
        }
        return [];
      }
      case "release":
        return this.holds(s, t, op.lock, op.mode) ? [this.grant(go(this.release(s, t, op.lock, op.mode), op.next), op.lock)] : [];
      case "trylock":
        return this.canTake(s, t, op.lock, op.mode) ? [[go(this.take(s, t, op.lock, op.mode), op.ok)]] : [[go(s, op.fail)]];
      case "access":
        if (op.fault.kind === "none") return [[go(s, op.next)]];
        // A tracked region (SEMANTICS "Residency"): present never faults, absent always does.
        if (op.fault.resident !== undefined) {
          const present = s.vars[this.varIndex.get(op.fault.resident) as number] === true;
          return [[go(s, present ? op.next : op.fault.target)]];
        }
        return [[go(s, op.next)], [go(s, op.fault.target)]];
      case "choose":
        return op.targets.map((p) => [go(s, p)]);
      case "set": {
        const i = this.varIndex.get(op.variable) as number;
        return [[go({ ...s, vars: replace(s.vars, i, this.eval(s, op.value)) }, op.next)]];
      }
      case "branch":
        return [[go(s, this.eval(s, op.cond) === true ? op.then : op.else)]];
      case "await":
        return this.eval(s, op.cond) === true ? [[go(s, op.next)]] : [];
      case "assert":
        // The condition is a state predicate checked where the thread stands (findings.ts).
        return [[go(s, op.next)]];
      case "local":
        // The local's new value is part of the pc it goes to (src/ir/program.ts).
        return [[go(s, op.next)]];
      default:
        return unreachable(op);
    }
  }

  // ---- expressions ---------------------------------------------------------------------

  eval(s: State, e: Expr): Value {
    switch (e.kind) {
      case "lit":
        return e.value;
      case "var":
        return s.vars[this.varIndex.get(e.variable) as number] as Value;
      case "not":
        return !this.eval(s, e.arg);
      case "and":
        return e.args.every((a) => this.eval(s, a) === true);
      case "or":
        return e.args.some((a) => this.eval(s, a) === true);
      case "cmp":
        return compareValues(e.op, this.eval(s, e.left), this.eval(s, e.right));
      case "arith": {
        const a = this.eval(s, e.left) as number;
        const b = this.eval(s, e.right) as number;
        return e.op === "+" ? a + b : a - b;
      }
      case "held": {
        const modes: LockMode[] = this.lock(e.lock).lock.kind !== "rwsem" ? ["excl"] : e.mode ? [e.mode] : ["read", "write"];
        if (e.thread !== undefined) {
          const t = this.threadIndex.get(e.thread) as number;
          return modes.some((m) => this.holds(s, t, e.lock, m));
        }
        return this.holders(s, e.lock).some((t) => modes.some((m) => this.holds(s, t, e.lock, m)));
      }
      case "done":
        return s.pc[this.threadIndex.get(e.thread) as number] === DONE;
      case "at": {
        const t = this.threadIndex.get(e.thread) as number;
        const pcs = this.program.threads[t]?.labels.get(e.label) ?? [DONE];
        return pcs.includes(s.pc[t] as string);
      }
      case "local": {
        // A thread local: the value the thread's node holds; initial once it has finished.
        const l = this.model.locals.find((x) => x.id === e.local);
        const t = e.thread === undefined ? undefined : this.threadIndex.get(e.thread);
        const v = t === undefined ? undefined : this.nodeAt(s, t)?.locals[e.local];
        return v ?? (l?.init as Value);
      }
      case "elem": {
        // Only invariants keep one (lowering folds it in bodies): the element the local names now.
        const v = e.elements[String(this.eval(s, e.index))];
        return v === undefined ? false : (s.vars[this.varIndex.get(v) as number] as Value);
      }
      case "fault-flag":
        throw new Error("faultline internal error: FAULT_FLAG_WRITE survived lowering");
      default:
        return unreachable(e);
    }
  }
}

function replace<T>(xs: readonly T[], i: number, x: T): T[] {
  const out = [...xs];
  out[i] = x;
  return out;
}
