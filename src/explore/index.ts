// The reference explorer: a breadth-first explicit-state search over the lowered
// program that implements SEMANTICS.md directly, with no TLA+ involved. It is the
// oracle the generated specs are fuzzed against (test/fuzz), not a user backend.
//
// How states are counted, so that the numbers equal TLC's on the generated spec:
// - A state is exactly the spec's variables: the pc of every thread (a node of
//   src/ir/program.ts, or "Done"), the owner of every mutex and spinlock, for every
//   rwsem its writer, its read-hold count per thread and its FIFO queue of
//   <<thread, mode>> waiters, and the value of every shared variable. Two states
//   are one distinct state iff all of these are equal.
// - One step is one TLA+ action: one kept operation of one thread followed by the
//   absorbed operations it reaches (src/ir/merge.ts decides which; here they are
//   simply run, one after the other, while the thread's pc is absorbed, branching
//   on each alternative). With merging off (`merge: false`) every node is kept and
//   a step is one operation. A contended rwsem acquire by a thread not yet queued
//   is a step of its own that joins the queue and leaves the pc (no continuation).
//   A queued thread has no step: a release that frees the lock grants it to the
//   queue head (SEMANTICS "rwsem"), and the woken threads run the rest of their own
//   step (past the acquire, through their absorbed nodes) inside the releasing one.
// - The initial states: every thread at its entry, run through its absorbed nodes
//   (the spec's Init enumerates the first kept pcs); the distinct ones, each once.
// - `distinct` counts the states reached from the initial states, themselves
//   included. The search is breadth-first and checks each state when it is first
//   reached (the initial states first), like TLC with one worker; on a violation it
//   stops there, so for a finding only the verdict and `depth` are comparable
//   with TLC, whose count at that moment depends on its exploration order.
// - `generated` counts 1 per distinct initial state plus, for every state taken
//   off the queue, every successor produced: one per alternative path of each
//   thread's step (each outcome of a faulting access, every `either` branch, each
//   combination of them along absorbed nodes, even when two lead to the same state:
//   the spec writes each path as its own disjunct; but where a path wakes waiters,
//   the ways their steps go are a set, so equal outcomes of one path count once),
//   plus the state itself once all
//   threads are done (the spec's `Terminated` stutter, which adds no distinct state).
// - `depth` is the number of states on the longest shortest path from an initial
//   state (1 when it has no successor); for a finding, the length in states of the
//   shortest trace to the violating state.

import type { ModelDef } from "../dsl/model.js";
import { prepared } from "../ir/encode.js";
import { DONE, type Node, type Program } from "../ir/program.js";
import type { Model } from "../ir/types.js";
import { validate } from "../ir/validate.js";
import { type Violation, firstViolation, violations } from "./findings.js";
import { type State, World, stateKey, symmetricKey } from "./state.js";

export type { Violation } from "./findings.js";
export type { RwState, State } from "./state.js";
export { World } from "./state.js";

export type ExploreVerdict = "ok" | "deadlock" | "lock-leak" | "bad-unlock" | "sleep-in-atomic" | "invariant" | "assertion" | "loop-bound" | "termination" | "lock-order";

export interface ExploreResult {
  /** `ok`, or the finding's kind spelled as in SEMANTICS (a domain violation is an `invariant`). */
  readonly verdict: ExploreVerdict;
  /** The rule broken, for findings other than termination. */
  readonly violation?: Violation;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  /** With `exhaustive`: every rule some reachable state breaks, as violationKey()s, sorted. */
  readonly reachable?: readonly string[];
  /**
   * With `ties`: the first rule broken (as TLC reports it: the first in .cfg order) by
   * every state as close to the start as the finding, as violationKey()s, sorted.
   * Which of them a breadth-first search meets first depends on its order.
   */
  readonly tied?: readonly string[];
  /** For a finding: the shortest trace, from the initial state; `thread` (an IR id) made each step. */
  readonly trace?: readonly { readonly state: State; readonly thread?: string }[];
}

export interface ExploreOptions {
  /** Stop with an ExploreLimitError past this many distinct states (default 1,000,000). */
  readonly maxStates?: number;
  /** Step merging as in the generated spec (src/ir/merge.ts); default true, as `check`. */
  readonly merge?: boolean;
  /**
   * With merging, encode a rwsem taken only for write as a mutex, as the generated
   * spec does (src/ir/encode.ts); default true. The dependency analysis turns it
   * off: it reads holds and waits in the modes the model wrote.
   */
  readonly encode?: boolean;
  /**
   * Do not stop at the first finding: explore every reachable state and list every
   * rule any of them breaks (`ExploreResult.reachable`). For comparing merged with
   * unmerged exploration, where the first finding may differ but the set may not.
   */
  readonly exhaustive?: boolean;
  /** After the first finding, finish its depth and list every finding there (`ExploreResult.tied`). */
  readonly ties?: boolean;
  /** Sees every state, thread and node a thread stands at (World.observer): src/deps. */
  readonly observe?: (w: World, s: State, t: number, n: Node) => void;
  /** Sees every reachable state once, when the search takes it off its queue. */
  readonly observeState?: (w: World, s: State) => void;
  /**
   * Count states as TLC does under SYMMETRY: one per class of states that differ by
   * a permutation of each group's threads (IR thread ids, src/ir/symmetry.ts).
   * Distinct states, depth and verdicts then compare with TLC's; states generated do not.
   */
  readonly symmetry?: readonly (readonly string[])[];
}

export class ExploreLimitError extends Error {}

export function explore(input: ModelDef | { readonly model: Model; readonly program: Program }, opts: ExploreOptions = {}): ExploreResult {
  let model: Model;
  let program: Program;
  if ("kind" in input) {
    const v = validate(input.ir, input.diagnostics);
    if (!v.program) throw new Error(`explore: the model is invalid: ${v.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    model = input.ir;
    program = v.program;
  } else {
    ({ model, program } = input);
  }
  // As the generator does: merged, a rwsem taken only for write is a mutex (src/ir/encode.ts).
  const prep = prepared(model, program, { merge: opts.merge !== false, encode: opts.encode !== false });
  ({ model, program } = prep);
  const w = new World(model, program, prep.plan);
  const keyOf = opts.symmetry && opts.symmetry.length > 0 ? symmetricKey(opts.symmetry.map((g) => g.map((t) => w.threadIndex.get(t) as number)), w.threadCount) : stateKey;
  const observe = opts.observe;
  if (observe) w.observer = (s, t, n) => observe(w, s, t, n);
  const max = opts.maxStates ?? 1_000_000;

  // Per distinct state: the state it was first reached from and by which thread (for traces).
  const seen = new Map<string, { state: State; parent?: string; thread?: number; level: number }>();
  const queue: string[] = [];
  let generated = 0;
  let depth = 1;

  const trace = (key: string): { state: State; thread?: string }[] => {
    const out: { state: State; thread?: string }[] = [];
    for (let k: string | undefined = key; k !== undefined; ) {
      const e = seen.get(k);
      if (!e) break;
      out.push({ state: e.state, ...(e.thread !== undefined ? { thread: program.threads[e.thread]?.thread as string } : {}) });
      k = e.parent;
    }
    return out.reverse();
  };
  const reachable = new Set<string>();
  let firstFinding: ExploreResult | undefined;
  /** The state's finding, if the search stops here (without `exhaustive`). */
  let tiedAt: { result: ExploreResult; keys: Set<string> } | undefined;
  const check = (key: string, s: State): ExploreResult | undefined => {
    if (!opts.exhaustive) {
      const v = firstViolation(w, s);
      if (!v) return undefined;
      if (!opts.ties) return finding(key, v);
      if (!tiedAt) tiedAt = { result: finding(key, v), keys: new Set() };
      if (tiedAt.result.depth === (seen.get(key)?.level ?? 0) + 1) tiedAt.keys.add(violationKey(v));
      return undefined;
    }
    for (const v of violations(w, s)) {
      reachable.add(violationKey(v));
      firstFinding ??= finding(key, v);
    }
    return undefined;
  };
  const finding = (key: string, v: Violation): ExploreResult => {
    const t = trace(key);
    const verdict: ExploreVerdict = v.kind === "domain" ? "invariant" : v.kind;
    return { verdict, violation: v, distinct: seen.size, generated, depth: t.length, trace: t };
  };

  for (const init of w.initials()) {
    const initKey = keyOf(init);
    seen.set(initKey, { state: init, level: 0 });
    generated++;
    const f = check(initKey, init);
    if (f) return f;
    queue.push(initKey);
  }

  let stuck: string | undefined;
  // For the termination check: every state-changing step, as (from, to, thread).
  const edges = model.termination ? new Map<string, { to: string; thread: number }[]>() : undefined;
  for (let head = 0; head < queue.length; head++) {
    const key = queue[head] as string;
    const { state, level } = seen.get(key) as { state: State; level: number };
    // With `ties`: states one step short of the finding's depth are all expanded, no more.
    if (tiedAt && level + 2 > tiedAt.result.depth) break;
    opts.observeState?.(w, state);
    let moved = false;
    for (let t = 0; t < w.threadCount; t++) {
      for (const next of w.steps(state, t)) {
        generated++;
        const k = keyOf(next);
        // A step that changes nothing (a loop whose round leaves the state as it was)
        // is a stutter: under weak fairness it does not count as moving.
        if (k === key) continue;
        moved = true;
        if (edges) edges.set(key, [...(edges.get(key) ?? []), { to: k, thread: t }]);
        if (seen.has(k)) continue;
        seen.set(k, { state: next, parent: key, thread: t, level: level + 1 });
        depth = Math.max(depth, level + 2);
        if (seen.size > max) throw new ExploreLimitError(`more than ${max} distinct states`);
        const f = check(k, next);
        if (f) return f;
        queue.push(k);
      }
    }
    const allDone = state.pc.every((pc) => pc === DONE);
    if (allDone) generated++; // Terminated: the state again.
    else if (!moved && stuck === undefined) stuck = key;
  }

  if (tiedAt) return { ...tiedAt.result, tied: [...tiedAt.keys].sort() };

  // Termination under weak fairness: a behaviour that never finishes either ends in
  // a state where some thread is unfinished and no thread can move, or goes round a
  // cycle of states forever (a livelock: SEMANTICS "termination"), fairly: every
  // thread either moves in the cycle or is unable to move somewhere on it.
  if (edges && stuck === undefined) stuck = fairCycle(edges, w.threadCount, (k) => (seen.get(k)?.state.pc ?? []).every((pc) => pc === DONE));
  if (opts.exhaustive) {
    if (model.termination && stuck !== undefined) reachable.add("termination");
    const all = { reachable: [...reachable].sort(), distinct: seen.size, generated, depth };
    if (firstFinding) return { ...firstFinding, ...all };
    if (model.termination && stuck !== undefined) return { verdict: "termination", trace: trace(stuck), ...all };
    return { verdict: "ok", ...all };
  }
  if (model.termination && stuck !== undefined) {
    return { verdict: "termination", distinct: seen.size, generated, depth, trace: trace(stuck) };
  }
  return { verdict: "ok", distinct: seen.size, generated, depth };
}

/** A rule as one string: `deadlock`, `invariant:<id>`, `assertion:<thread>/<pc>`, `domain:<var>`, ... */
export function violationKey(v: Violation): string {
  switch (v.kind) {
    case "invariant":
      return `invariant:${v.invariant}`;
    case "domain":
      return `domain:${v.variable}`;
    case "assertion":
    case "loop-bound":
      return `${v.kind}:${v.thread}/${v.pc}`;
    default:
      return v.kind;
  }
}

/**
 * A state on a fair cycle that never finishes: a strongly connected set of states
 * (not all threads done) in which every thread either takes a step inside the set
 * or is disabled in one of its states. Tarjan's algorithm, iteratively.
 */
function fairCycle(edges: ReadonlyMap<string, readonly { to: string; thread: number }[]>, threads: number, allDone: (k: string) => boolean): string | undefined {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let next = 0;
  const succ = (k: string) => (allDone(k) ? [] : (edges.get(k) ?? []).filter((e) => !allDone(e.to)));
  for (const root of edges.keys()) {
    if (index.has(root) || allDone(root)) continue;
    const work: { k: string; i: number }[] = [{ k: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1] as { k: string; i: number };
      const out = succ(top.k);
      if (top.i < out.length) {
        const to = (out[top.i++] as { to: string }).to;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ k: to, i: 0 });
        } else if (onStack.has(to)) low.set(top.k, Math.min(low.get(top.k) as number, index.get(to) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.k, Math.min(low.get(parent.k) as number, low.get(top.k) as number));
      if (low.get(top.k) !== index.get(top.k)) continue;
      const scc = new Set<string>();
      for (;;) {
        const x = stack.pop() as string;
        onStack.delete(x);
        scc.add(x);
        if (x === top.k) break;
      }
      const inside = [...scc].flatMap((k) => succ(k).filter((e) => scc.has(e.to)));
      if (inside.length === 0) continue;
      const fair = Array.from({ length: threads }, (_, t) => t).every(
        (t) => inside.some((e) => e.thread === t) || [...scc].some((k) => !(edges.get(k) ?? []).some((e) => e.thread === t)),
      );
      if (fair) return top.k;
    }
  }
  return undefined;
}
