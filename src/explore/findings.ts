// The reference explorer's findings: SEMANTICS.md "Blocking, deadlock and the
// other findings" as predicates on one state, checked in a fixed order (the
// order the generated .cfg lists its invariants, since TLC reports the first).

import { DONE, type Program } from "../ir/program.js";
import type { Model, SharedVar } from "../ir/types.js";
import { forbiddenWhileHeld } from "../ir/order.js";
import { inDomain } from "../ir/validate.js";
import type { RwState, State, World } from "./state.js";

/** Which rule a state breaks. Thread and object ids are IR ids. */
export type Violation =
  | { readonly kind: "domain"; readonly variable: string }
  | { readonly kind: "bad-unlock"; readonly thread: string }
  | { readonly kind: "sleep-in-atomic"; readonly thread: string }
  | { readonly kind: "deadlock"; readonly threads: readonly string[] }
  | { readonly kind: "lock-leak"; readonly thread: string }
  | { readonly kind: "assertion"; readonly thread: string; readonly pc: string }
  /** A bounded loop's cut-off reached (an assert node with `bound`). */
  | { readonly kind: "loop-bound"; readonly thread: string; readonly pc: string }
  | { readonly kind: "invariant"; readonly invariant: string }
  | { readonly kind: "lock-order"; readonly thread: string };

/**
 * The first rule s breaks, in this order: variables outside their domain (only
 * those some `set` assigns a computed value), bad-unlock, sleep-in-atomic (only
 * when the model has a spinlock), deadlock, lock-leak, lock-order, assertions (thread by
 * thread, in program order), the model's invariants (in model order).
 */
export function firstViolation(w: World, s: State): Violation | undefined {
  return violations(w, s).next().value ?? undefined;
}

/** Every rule s breaks, in firstViolation's order. */
export function* violations(w: World, s: State): Generator<Violation, undefined> {
  const ids = w.threadIds;
  const threads = w.threadNumbers;

  for (const v of computedVars(w.program, w.model)) {
    if (!inDomain(v.domain, s.vars[w.varIndex.get(v.id) as number] as boolean | number | string)) yield { kind: "domain", variable: v.id };
  }

  // bad-unlock: a thread stands at a release of a lock it does not hold (in that mode).
  for (const t of threads) {
    const n = w.nodeAt(s, t);
    if (n?.op.kind === "release" && !w.holds(s, t, n.op.lock, n.op.mode)) yield { kind: "bad-unlock", thread: ids[t] as string };
  }

  // sleep-in-atomic: holding a spinlock while standing at a sleeping lock's acquire
  // (the fault path's mmap_lock included) or at a wait_event.
  if (w.model.locks.some((l) => l.kind === "spinlock")) {
    for (const t of threads) {
      const n = w.nodeAt(s, t);
      const sleeps = n !== undefined && ((n.op.kind === "acquire" && w.lock(n.op.lock).lock.kind !== "spinlock") || n.op.kind === "await");
      const spinning = w.model.locks.some((l) => l.kind === "spinlock" && w.holds(s, t, l.id, "excl"));
      if (sleeps && spinning) yield { kind: "sleep-in-atomic", thread: ids[t] as string };
    }
  }

  const stuck = deadlockedThreads(w, s);
  if (stuck.length > 0) yield { kind: "deadlock", threads: stuck.map((t) => ids[t] as string) };

  for (const t of threads) {
    if (s.pc[t] === DONE && w.holdsAnything(s, t)) yield { kind: "lock-leak", thread: ids[t] as string };
  }

  // lock-order: standing at an acquire while holding a lock declared after it.
  const forbidden = forbiddenWhileHeld(w.model);
  if (forbidden.size > 0) {
    for (const t of threads) {
      const n = w.nodeAt(s, t);
      const later = n?.op.kind === "acquire" ? forbidden.get(n.op.lock) : undefined;
      if (!later) continue;
      if ([...later].some((l) => (w.lock(l).lock.kind === "rwsem" ? (["read", "write"] as const) : (["excl"] as const)).some((m) => w.holds(s, t, l, m)))) yield { kind: "lock-order", thread: ids[t] as string };
    }
  }

  for (const t of threads) {
    const n = w.nodeAt(s, t);
    if (n?.op.kind === "assert" && w.eval(s, n.op.cond) !== true) yield { kind: n.op.bound !== undefined ? "loop-bound" : "assertion", thread: ids[t] as string, pc: n.pc };
  }

  for (const inv of w.model.invariants) {
    if (w.eval(s, inv.cond) !== true) yield { kind: "invariant", invariant: inv.id };
  }
  return undefined;
}

const computedCache = new WeakMap<Program, readonly SharedVar[]>();

/** Integer and enum variables some `set` gives a computed (non-literal) value: only those can leave their domain. */
function computedVars(program: Program, model: Model): readonly SharedVar[] {
  const cached = computedCache.get(program);
  if (cached) return cached;
  const computed = new Set<string>();
  for (const tp of program.threads) {
    for (const n of tp.nodes) if (n.op.kind === "set" && n.op.value.kind !== "lit") computed.add(n.op.variable);
  }
  const out = model.vars.filter((v) => v.domain.kind !== "bool" && computed.has(v.id));
  computedCache.set(program, out);
  return out;
}

/**
 * Blocked: the next step is an acquire that cannot succeed now, or a wait on a
 * false condition. Blockers: the lock's holders and the waiters queued ahead, or,
 * for a wait, every other unfinished thread. Deadlock: the largest set of blocked
 * threads whose blockers all lie inside it, found by removing the others until
 * nothing changes; empty when there is none.
 */
export function deadlockedThreads(w: World, s: State): number[] {
  const blockers = new Map<number, number[]>();
  for (let t = 0; t < w.threadCount; t++) {
    const n = w.nodeAt(s, t);
    if (n?.op.kind === "acquire" && !w.canTake(s, t, n.op.lock, n.op.mode)) {
      const l = w.lock(n.op.lock);
      const ahead = l.lock.kind === "rwsem" ? w.ahead(s.rw[l.slot] as RwState, t).map(([u]) => u) : [];
      blockers.set(t, [...w.holders(s, n.op.lock), ...ahead]);
    } else if (n?.op.kind === "await" && w.eval(s, n.op.cond) !== true) {
      const others: number[] = [];
      for (let u = 0; u < w.threadCount; u++) if (u !== t && s.pc[u] !== DONE) others.push(u);
      blockers.set(t, others);
    }
  }
  const set = new Set(blockers.keys());
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of [...set]) {
      if (!(blockers.get(t) ?? []).every((u) => set.has(u))) {
        set.delete(t);
        changed = true;
      }
    }
  }
  return [...set].sort((a, b) => a - b);
}
