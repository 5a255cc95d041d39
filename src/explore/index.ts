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
// - `distinct` counts the states reached from the single initial state, itself
//   included. The search is breadth-first and checks each state when it is first
//   reached (the initial state first), like TLC with one worker; on a violation it
//   stops there, so for a finding only the verdict and `depth` are comparable
//   with TLC, whose count at that moment depends on its exploration order.
// - `generated` counts 1 for the initial state plus, for every state taken off the
//   queue, every successor produced: one per alternative of each thread's next
//   operation (both outcomes of a faulting access, every `either` branch, even when
//   two alternatives lead to the same state), plus the state itself once all threads
//   are done (the spec's `Terminated` stutter, which adds no distinct state).
// - `depth` is the number of states on the longest shortest path from the initial
//   state (1 when it has no successor); for a finding, the length in states of the
//   shortest trace to the violating state.
// - One step is one operation of one thread. A contended rwsem acquire by a thread
//   not yet queued is a step of its own that joins the queue and leaves the pc.

import type { ModelDef } from "../dsl/model.js";
import { DONE, type Program } from "../ir/program.js";
import type { Model } from "../ir/types.js";
import { validate } from "../ir/validate.js";
import { type Violation, firstViolation } from "./findings.js";
import { type State, World, stateKey } from "./state.js";

export type { Violation } from "./findings.js";
export type { RwState, State } from "./state.js";

export type ExploreVerdict = "ok" | "deadlock" | "lock-leak" | "bad-unlock" | "sleep-in-atomic" | "invariant" | "assertion" | "termination";

export interface ExploreResult {
  /** `ok`, or the finding's kind spelled as in SEMANTICS (a domain violation is an `invariant`). */
  readonly verdict: ExploreVerdict;
  /** The rule broken, for findings other than termination. */
  readonly violation?: Violation;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  /** For a finding: the shortest trace, from the initial state; `thread` (an IR id) made each step. */
  readonly trace?: readonly { readonly state: State; readonly thread?: string }[];
}

export interface ExploreOptions {
  /** Stop with an ExploreLimitError past this many distinct states (default 1,000,000). */
  readonly maxStates?: number;
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
  const w = new World(model, program);
  const max = opts.maxStates ?? 1_000_000;

  const init = w.initial();
  // Per distinct state: the state it was first reached from and by which thread (for traces).
  const seen = new Map<string, { state: State; parent?: string; thread?: number; level: number }>();
  const initKey = stateKey(init);
  seen.set(initKey, { state: init, level: 0 });
  let generated = 1;
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
  const finding = (key: string, v: Violation): ExploreResult => {
    const t = trace(key);
    const verdict: ExploreVerdict = v.kind === "domain" ? "invariant" : v.kind;
    return { verdict, violation: v, distinct: seen.size, generated, depth: t.length, trace: t };
  };

  const v0 = firstViolation(w, init);
  if (v0) return finding(initKey, v0);

  const queue: string[] = [initKey];
  let stuck: string | undefined;
  for (let head = 0; head < queue.length; head++) {
    const key = queue[head] as string;
    const { state, level } = seen.get(key) as { state: State; level: number };
    let moved = false;
    for (let t = 0; t < w.threadCount; t++) {
      for (const next of w.steps(state, t)) {
        moved = true;
        generated++;
        const k = stateKey(next);
        if (seen.has(k)) continue;
        seen.set(k, { state: next, parent: key, thread: t, level: level + 1 });
        depth = Math.max(depth, level + 2);
        if (seen.size > max) throw new ExploreLimitError(`more than ${max} distinct states`);
        const v = firstViolation(w, next);
        if (v) return finding(k, v);
        queue.push(k);
      }
    }
    const allDone = state.pc.every((pc) => pc === DONE);
    if (allDone) generated++; // Terminated: the state again.
    else if (!moved && stuck === undefined) stuck = key;
  }

  // Termination under weak fairness: the programs are acyclic and every step changes
  // the state, so a behaviour that never finishes ends in a state where some thread
  // is unfinished and no thread can move.
  if (model.termination && stuck !== undefined) {
    return { verdict: "termination", distinct: seen.size, generated, depth, trace: trace(stuck) };
  }
  return { verdict: "ok", distinct: seen.size, generated, depth };
}
