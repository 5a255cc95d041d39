// TLC's JSON states -> model states (ids, not TLA+ strings), and the blocking
// rules of SEMANTICS "Blocking" evaluated on them to explain who waits for whom.

import type { SpecNames } from "../gen/index.js";
import { DONE, type Program, nodeAt } from "../ir/program.js";
import { type Expr, type LockMode, type Model, type Value, compareValues } from "../ir/types.js";
import { shownMode } from "../ir/spell.js";

export interface RwState {
  readonly writer: string | null;
  readonly readers: ReadonlyMap<string, number>;
  readonly queue: readonly { readonly thread: string; readonly mode: "read" | "write" }[];
}

export interface ModelState {
  /** Thread id -> pc (`p3` or DONE). */
  readonly pc: ReadonlyMap<string, string>;
  /** Mutex/spinlock id -> owning thread id. */
  readonly owner: ReadonlyMap<string, string | null>;
  readonly rw: ReadonlyMap<string, RwState>;
  readonly vars: ReadonlyMap<string, Value>;
}

/** A state as TLC dumps it: variable name -> JSON value. */
export type RawState = Readonly<Record<string, unknown>>;

function invert<K, V>(m: ReadonlyMap<K, V>): Map<V, K> {
  return new Map([...m].map(([k, v]) => [v, k]));
}

export function decodeState(names: SpecNames, raw: RawState): ModelState {
  const threadOf = invert(names.threads);
  const lockOf = invert(names.locks);
  const enumOf = invert(names.enumValues);
  const who = (s: unknown): string | null => (s === "-" || typeof s !== "string" ? null : (threadOf.get(s) ?? s));
  const obj = (x: unknown): Record<string, unknown> => (typeof x === "object" && x !== null ? (x as Record<string, unknown>) : {});

  const pc = new Map<string, string>();
  for (const [t, p] of Object.entries(obj(raw["pc"]))) pc.set(threadOf.get(t) ?? t, String(p));
  const owner = new Map<string, string | null>();
  for (const [l, o] of Object.entries(obj(raw["owner"]))) owner.set(lockOf.get(l) ?? l, who(o));
  const rw = new Map<string, RwState>();
  for (const [l, s] of Object.entries(obj(raw["rw"]))) {
    const r = obj(s);
    const readers = new Map<string, number>();
    for (const [t, n] of Object.entries(obj(r["readers"]))) if (Number(n) > 0) readers.set(threadOf.get(t) ?? t, Number(n));
    const queue = (Array.isArray(r["queue"]) ? r["queue"] : []).map((e: unknown) => {
      const [t, m] = Array.isArray(e) ? e : [];
      return { thread: who(t) ?? String(t), mode: m === "write" ? ("write" as const) : ("read" as const) };
    });
    rw.set(lockOf.get(l) ?? l, { writer: who(r["writer"]), readers, queue });
  }
  const vars = new Map<string, Value>();
  for (const [id, ident] of names.vars) {
    const v = raw[ident];
    vars.set(id, typeof v === "string" ? (enumOf.get(v) ?? v) : (v as Value));
  }
  return { pc, owner, rw, vars };
}

/** Why a blocked thread waits, in SEMANTICS terms. */
export type WaitReason =
  | { readonly kind: "held"; readonly by: string; readonly mode: LockMode }
  | { readonly kind: "queued-behind"; readonly by: string; readonly mode: "read" | "write" };

export interface Wait {
  readonly thread: string;
  /** The lock waited for, or undefined for a wait_event. */
  readonly lock?: string;
  readonly mode?: LockMode;
  /** The pc the thread stands at. */
  readonly pc: string;
  /** The direct reasons it cannot proceed (for the explanation and the cycle). */
  readonly reasons: readonly WaitReason[];
  /** Threads that must move first (SEMANTICS blockers): decides the stuck set. */
  readonly blockers: readonly string[];
}

/** The blocking rules of SEMANTICS, on a decoded state; mirrors the spec's `CanTake`. */
export class Blocking {
  constructor(
    readonly model: Model,
    readonly program: Program,
  ) {}

  #node(thread: string, pc: string) {
    return nodeAt(this.program, thread, pc);
  }

  #policy(lock: string) {
    return this.model.locks.find((l) => l.id === lock)?.policy ?? "fair";
  }

  /** The wait of `thread` if it is blocked in `s`, else undefined. */
  waitOf(s: ModelState, thread: string): Wait | undefined {
    const pc = s.pc.get(thread) ?? DONE;
    const node = this.#node(thread, pc);
    if (!node) return undefined;
    const op = node.op;
    if (op.kind === "await") {
      if (evalBool(this.model, s, op.cond, this.program)) return undefined;
      const others = [...s.pc].filter(([t, p]) => t !== thread && p !== DONE).map(([t]) => t);
      return { thread, pc, reasons: [], blockers: others };
    }
    if (op.kind !== "acquire") return undefined;
    if (op.mode === "excl") {
      const o = s.owner.get(op.lock) ?? null;
      if (o === null) return undefined;
      const mode = shownMode(this.model, op.lock, op.mode);
      return { thread, lock: op.lock, mode, pc, reasons: [{ kind: "held", by: o, mode }], blockers: [o] };
    }
    const r = s.rw.get(op.lock);
    if (!r) return undefined;
    const policy = this.#policy(op.lock);
    const qi = r.queue.findIndex((e) => e.thread === thread);
    const ahead = policy === "reader-preferring" ? [] : qi >= 0 ? r.queue.slice(0, qi) : r.queue;
    const can =
      op.mode === "read"
        ? r.writer === null &&
          (policy === "reader-preferring" ||
            (policy === "recursive-read" && (r.readers.get(thread) ?? 0) > 0) ||
            ahead.length === 0 ||
            (qi >= 0 && ahead.every((e) => e.mode === "read")))
        : r.writer === null && r.readers.size === 0 && (policy === "reader-preferring" || ahead.length === 0);
    if (can) return undefined;
    // Blockers are every holder and every waiter ahead (SEMANTICS); the reasons shown
    // are the direct ones: readers holding it never stop another reader by themselves.
    const held: WaitReason[] = [];
    if (r.writer !== null) held.push({ kind: "held", by: r.writer, mode: "write" });
    for (const t of r.readers.keys()) held.push({ kind: "held", by: t, mode: "read" });
    const queued: WaitReason[] = ahead.map((e) => ({ kind: "queued-behind", by: e.thread, mode: e.mode }));
    const blockers = [...new Set([...held, ...queued].map((x) => x.by))];
    const direct = op.mode === "read" ? held.filter((x) => x.mode === "write") : held;
    const reasons = [...direct, ...queued];
    return { thread, lock: op.lock, mode: op.mode, pc, reasons, blockers };
  }

  /** The deadlocked threads: the largest set of blocked threads whose blockers are all inside it. */
  stuck(s: ModelState): Wait[] {
    let waits = this.model.threads.map((t) => this.waitOf(s, t.id)).filter((w): w is Wait => w !== undefined);
    for (;;) {
      const ids = new Set(waits.map((w) => w.thread));
      const next = waits.filter((w) => w.blockers.every((b) => ids.has(b)));
      if (next.length === waits.length) return next;
      waits = next;
    }
  }
}

/** Evaluates a model expression on a decoded state (used for explanations only). */
export function evalExpr(model: Model, s: ModelState, program: Program | undefined, e: Expr): Value {
  switch (e.kind) {
    case "lit":
      return e.value;
    case "var":
      return s.vars.get(e.variable) ?? false;
    case "elem": {
      const v = e.elements[String(evalExpr(model, s, program, e.index))];
      return v === undefined ? false : (s.vars.get(v) ?? false);
    }
    case "not":
      return !evalExpr(model, s, program, e.arg);
    case "and":
      return e.args.every((a) => evalExpr(model, s, program, a) === true);
    case "or":
      return e.args.some((a) => evalExpr(model, s, program, a) === true);
    case "cmp":
      return compareValues(e.op, evalExpr(model, s, program, e.left), evalExpr(model, s, program, e.right));
    case "arith": {
      const a = Number(evalExpr(model, s, program, e.left));
      const b = Number(evalExpr(model, s, program, e.right));
      return e.op === "+" ? a + b : a - b;
    }
    case "held": {
      const o = s.owner.get(e.lock);
      const r = s.rw.get(e.lock);
      if (r) {
        const readers = e.thread ? (r.readers.get(e.thread) ?? 0) > 0 : r.readers.size > 0;
        const writer = e.thread ? r.writer === e.thread : r.writer !== null;
        return e.mode === "read" ? readers : e.mode === "write" ? writer : readers || writer;
      }
      return e.thread ? o === e.thread : o !== null && o !== undefined;
    }
    case "done":
      return s.pc.get(e.thread) === DONE;
    case "at": {
      const pcs = program?.threads.find((t) => t.thread === e.thread)?.labels.get(e.label);
      return pcs !== undefined && pcs.includes(s.pc.get(e.thread) as string);
    }
    case "local": {
      const l = model.locals.find((x) => x.id === e.local);
      const v = e.thread === undefined || !program ? undefined : nodeAt(program, e.thread, s.pc.get(e.thread))?.locals[e.local];
      return v ?? (l?.init as Value);
    }
    case "fault-flag":
      // Lowering replaced it by a constant: no node or invariant still holds one.
      return false;
  }
}

export function evalBool(model: Model, s: ModelState, e: Expr, program?: Program): boolean {
  return evalExpr(model, s, program, e) === true;
}
