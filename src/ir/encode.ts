// Encoding choices made before merging and generation: a rwsem the model takes
// only for write is encoded as a mutex (one owner, no queue).
//
// Why that is sound for the safety findings (SEMANTICS "rwsem", "Blocking"):
// with only writers, a rwsem is held by at most one thread, as a mutex is; what
// the queue adds is an order among the waiters. Every behaviour of the queued
// lock is one of the owner encoding (a grant is the waiter taking the lock right
// after the release), and every behaviour of the owner encoding is one of the
// queued lock in which each waiter joins the queue only when its turn comes (a
// thread at its down_write that has not joined yet is a state of the queued lock
// too). The two reach the same pcs, variables and holders. A thread waiting at a
// down_write is blocked in both, and its blockers differ only by the waiters
// queued ahead of it, which wait for the same holder: a set of stuck threads is
// stuck in both. What the queue does decide is who goes first for ever after, so
// under checkTermination() (weak fairness: a waiter could be overtaken for ever
// in the owner encoding, never in the queue) nothing is changed. Neither is a
// lock that held(lock, thread, mode) names with a mode, nor with --no-merge, whose
// one step per operation keeps the encoding the semantics describes and so
// checks this one (the fuzzer compares the two).
//
// The rewritten model and program feed merging, the generator, the explorer and
// trace translation alike; reports still spell the operations as the model wrote
// them (down_write(&sem), src/ir/spell.ts reads `writeOnly`).

import { type MergePlan, noMerge, planMerge } from "./merge.js";
import type { Node, Op, Program } from "./program.js";
import { opExprs } from "./program.js";
import type { Expr, Lock, Model } from "./types.js";
import { subexprs } from "./types.js";

/**
 * The model, program and merge plan a check runs on, the generator's and the
 * explorer's alike: merged, with the encoding of this file (unless `encode` is
 * false: the dependency analysis); unmerged, the model as written.
 */
export function prepared(model: Model, program: Program, opts: { readonly merge: boolean; readonly encode?: boolean }): { model: Model; program: Program; plan: MergePlan } {
  if (!opts.merge) return { model, program, plan: noMerge(program) };
  const e = opts.encode === false ? { model, program } : encode(model, program);
  return { ...e, plan: planMerge(e.model, e.program) };
}

/** Rwsems taken only for write (by every acquire, trylock and release, and named by no held() with a mode). */
export function writeOnlyRwsems(model: Model, program: Program): Set<string> {
  if (model.termination) return new Set();
  const out = new Set(model.locks.filter((l) => l.kind === "rwsem").map((l) => l.id));
  const lockOps = (op: Op): [readonly string[], string] | undefined => {
    if (op.kind !== "acquire" && op.kind !== "release" && op.kind !== "trylock") return undefined;
    return [[op.lock, ...Object.values(op.byLocal?.elements ?? {})], op.mode];
  };
  const heldWithMode = (e: Expr) => {
    for (const x of subexprs(e)) if (x.kind === "held" && x.mode !== undefined) out.delete(x.lock);
  };
  for (const tp of program.threads) {
    for (const n of tp.nodes) {
      const used = lockOps(n.op);
      if (used && used[1] !== "write") for (const l of used[0]) out.delete(l);
      for (const e of opExprs(n.op)) heldWithMode(e);
    }
  }
  for (const inv of model.invariants) heldWithMode(inv.cond);
  return out;
}

/** The model and program as merging and the generator see them (see the head of this file). */
export function encode(model: Model, program: Program): { model: Model; program: Program } {
  const writeOnly = writeOnlyRwsems(model, program);
  if (writeOnly.size === 0) return { model, program };
  const lock = (l: Lock): Lock => {
    if (!writeOnly.has(l.id)) return l;
    const { policy: _policy, ...rest } = l;
    return { ...rest, kind: "mutex", writeOnly: true };
  };
  return { model: { ...model, locks: model.locks.map(lock) }, program: exclusiveOps(program, writeOnly) };
}

/**
 * The program of an encoded model lowered again (`faultline explain` reads the
 * model back from the source map): its locks say which rwsems are encoded as mutexes.
 */
export function encodedProgram(model: Model, program: Program): Program {
  const writeOnly = new Set(model.locks.filter((l) => l.writeOnly).map((l) => l.id));
  return writeOnly.size === 0 ? program : exclusiveOps(program, writeOnly);
}

/** Every operation on one of `locks` taken in mode "excl", as a mutex's are. */
function exclusiveOps(program: Program, locks: ReadonlySet<string>): Program {
  const node = (n: Node): Node => {
    const op = n.op;
    if ((op.kind === "acquire" || op.kind === "release" || op.kind === "trylock") && locks.has(op.lock)) return { ...n, op: { ...op, mode: "excl" } };
    return n;
  };
  return { ...program, threads: program.threads.map((tp) => ({ ...tp, nodes: tp.nodes.map(node) })) };
}
