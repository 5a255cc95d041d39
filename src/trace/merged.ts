// Step merging read back: one TLC step ran a kept node and then absorbed ones
// (src/ir/merge.ts). From the states before and after, find which way through the
// absorbed nodes it went, so that every operation it covered is shown.

import { type MergePlan, type Path, isAbsorbed, isConstant, paths, residencyDecides, residencyTest, throughPaths } from "../ir/merge.js";
import { type Node, type Program, lockKey, nodeIndex, successors } from "../ir/program.js";
import { spellOutcome, spellSet } from "../ir/spell.js";
import type { LockMode, Model, Value } from "../ir/types.js";
import { type ModelState, evalBool, evalExpr } from "./state.js";

export interface MergedStep {
  readonly node: Node;
  /** What it did, in the trace's words (`released`, `page fault`, `takes branch 2 of 3`). */
  readonly effect: string;
  /** The state right after it. */
  readonly state: ModelState;
}

export interface TakenPath {
  /** The state right after the kept node's own operation, before the absorbed ones. */
  readonly kept: ModelState;
  readonly steps: readonly MergedStep[];
}

/**
 * The absorbed operations `thread` ran in a step from pc `from` (a kept node it
 * executed, or its absorbed entry for Init) that led from `before` to `after`;
 * undefined when none fits (nothing absorbed there). Paths that end at the same pc
 * with the same lock changes leave the same state: the first is as good as any.
 */
export function absorbedPath(model: Model, program: Program, plan: MergePlan, thread: string, from: string, before: ModelState, after: ModelState): TakenPath | undefined {
  const tp = program.threads.find((t) => t.thread === thread);
  const node = tp && nodeIndex(tp).get(from);
  if (!tp || !node) return undefined;
  const end = after.pc.get(thread);
  const entry = isAbsorbed(plan, thread, from);
  // [exit taken by the kept operation (none for an absorbed entry), path from there]
  const candidates: (readonly [string | undefined, Path])[] = entry
    ? paths(plan, tp, from).map((p) => [undefined, p] as const)
    : successors(node.op).flatMap((x) => paths(plan, tp, x).map((p) => [x, p] as const));
  // An acquire that ran on through kept accesses (src/ir/merge.ts): the path to
  // each, the access, and each way on from there, as one path (replayed below).
  const through = !entry && node.op.kind === "acquire" ? plan.through?.get(thread)?.get(from) : undefined;
  if (through !== undefined && node.op.kind === "acquire") {
    for (const p of throughPaths(plan, tp, node.op.next, through)) if (p.steps.some(({ node: n }) => through.has(n.pc))) candidates.push([node.op.next, p]);
  }
  for (const [exit, p] of candidates) {
    if (p.end !== end || p.steps.length === 0) continue;
    const op = node.op;
    if (!entry && op.kind === "branch" && op.then !== op.else && evalBool(model, before, op.cond, program) !== (exit === op.then)) continue;
    // Lock holds of the thread: before, plus what the kept operation took or gave back, minus the absorbed releases.
    const delta = new Map<string, number>();
    const add = (lock: string, mode: LockMode, d: number) => delta.set(lockKey(lock, mode), (delta.get(lockKey(lock, mode)) ?? 0) + d);
    if (!entry && (op.kind === "acquire" || (op.kind === "trylock" && exit === op.ok))) add(op.lock, op.mode, 1);
    if (!entry && op.kind === "release") add(op.lock, op.mode, -1);
    // The absorbed lock operations in order (d: +1 took, -1 gave back).
    const ops = p.steps.flatMap(({ node: n }) => (n.op.kind === "release" || n.op.kind === "acquire" ? [{ lock: n.op.lock, mode: n.op.mode, d: n.op.kind === "release" ? -1 : 1 }] : []));
    for (const o of ops) add(o.lock, o.mode, o.d);
    const fits = [...delta].every(([k, d]) => {
      const [lock, mode] = k.split("/") as [string, LockMode];
      return holds(before, thread, lock, mode) + d === holds(after, thread, lock, mode);
    });
    if (!fits) continue;
    // The shared variables the path reads and writes (guarded nodes, src/ir/merge.ts),
    // replayed from the state before the step: its conditions must hold, and the
    // variables it assigns must end as they are after it.
    const vars = new Map<string, Value>(before.vars);
    const evalIn = (e: Parameters<typeof evalExpr>[3]): Value => evalExpr(model, { ...before, vars }, program, e);
    if (!entry && op.kind === "set") vars.set(op.variable, evalIn(op.value));
    const assigned = new Set<string>(!entry && op.kind === "set" ? [op.variable] : []);
    const keptVars = new Map(vars);
    const varsAfter: ReadonlyMap<string, Value>[] = [];
    /** A set's effect, as the trace says it for a kept one. */
    const setEffects = new Map<number, string>();
    let possible = true;
    for (const [i, { node: n, to }] of p.steps.entries()) {
      const o = n.op;
      if (o.kind === "set") {
        const old = vars.get(o.variable);
        vars.set(o.variable, evalIn(o.value));
        assigned.add(o.variable);
        setEffects.set(i, spellSet(model, o.variable, old, vars.get(o.variable)));
      } else if (o.kind === "branch" && !isConstant(o.cond) && o.then !== o.else) possible &&= (evalIn(o.cond) === true) === (to === o.then);
      else if (o.kind === "access" && residencyDecides(o)) possible &&= (vars.get(residencyTest(o) as string) === true) === (to === o.next);
      varsAfter.push(new Map(vars));
    }
    if (!possible || [...assigned].some((v) => after.vars.get(v) !== vars.get(v))) continue;
    // Intermediate states: the final one with the pc back, the later lock operations
    // undone and the variables this path assigns as they were then.
    const withVars = (s: ModelState, vs: ReadonlyMap<string, Value> | undefined): ModelState => {
      if (!vs || assigned.size === 0) return s;
      const out = new Map(s.vars);
      for (const v of assigned) out.set(v, vs.get(v) as Value);
      return { ...s, vars: out };
    };
    const at = (pc: string, done: number, vs: ReadonlyMap<string, Value> | undefined): ModelState =>
      withVars(undo({ ...after, pc: new Map(after.pc).set(thread, pc) }, thread, ops.slice(done)), vs);
    let done = 0;
    const steps = p.steps.map(({ node: n, to }, i) => {
      if (n.op.kind === "release" || n.op.kind === "acquire") done++;
      return { node: n, effect: setEffects.get(i) ?? spellOutcome(n.op, to, model), state: at(to, done, varsAfter[i]) };
    });
    return { kept: at(exit ?? from, 0, keptVars), steps };
  }
  return undefined;
}

function holds(s: ModelState, thread: string, lock: string, mode: LockMode): number {
  if (mode === "excl") return s.owner.get(lock) === thread ? 1 : 0;
  const r = s.rw.get(lock);
  if (!r) return 0;
  return mode === "read" ? (r.readers.get(thread) ?? 0) : r.writer === thread ? 1 : 0;
}

/** `s` before the thread's lock operations `ops` (d: +1 took, -1 gave back), undone last first. */
function undo(s: ModelState, thread: string, ops: readonly { lock: string; mode: LockMode; d: number }[]): ModelState {
  if (ops.length === 0) return s;
  const owner = new Map(s.owner);
  const rw = new Map(s.rw);
  for (const r of [...ops].reverse()) {
    if (r.mode === "excl") owner.set(r.lock, r.d < 0 ? thread : null);
    else {
      const cur = rw.get(r.lock);
      if (!cur) continue;
      const readers = new Map(cur.readers);
      const n = (readers.get(thread) ?? 0) - r.d;
      if (n > 0) readers.set(thread, n);
      else readers.delete(thread);
      rw.set(r.lock, r.mode === "read" ? { ...cur, readers } : { ...cur, writer: r.d < 0 ? thread : null });
    }
  }
  return { ...s, owner, rw };
}
