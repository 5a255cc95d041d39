// `model(name, m => ...)`: the DSL entry point. Builders record each object
// with its model line and produce the IR plus any diagnostics found while building.

import path from "node:path";
import type { Diagnostic } from "../ir/diagnostics.js";
import type {
  Domain,
  Invariant,
  Lock,
  LockOrder,
  Model,
  Proc,
  Process,
  Region,
  RwsemPolicy,
  SharedVar,
  Stmt,
  Thread,
  Value,
} from "../ir/types.js";
import { Body, type BodyFn } from "./body.js";
import { type Cond, type Ex, toExpr, wrap } from "./expr.js";
import { LocRecorder, userFrame } from "./loc.js";
import {
  type LockRef,
  ModelContext,
  type MutexRef,
  type ProcRef,
  type RegionRef,
  type RwsemRef,
  type SpinlockRef,
  type ThreadRef,
  type VarRef,
} from "./refs.js";

/** What `model()` returns and a model file exports by default. */
export interface ModelDef {
  readonly kind: "faultline-model";
  readonly ir: Model;
  /** Problems found while building (wrong handles and the like); validation adds the rest. */
  readonly diagnostics: readonly Diagnostic[];
}

export function isModelDef(x: unknown): x is ModelDef {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "faultline-model";
}

export interface RegionOptions {
  /** File-backed: the procedure that reads the page in (filesystem -> block driver -> ...). */
  readonly fault?: ProcRef;
  /** mlock()ed: the region never faults. */
  readonly pinned?: boolean;
}

export interface RwsemOptions {
  readonly policy?: RwsemPolicy;
}

interface Store {
  processes: Process[];
  locks: Lock[];
  vars: SharedVar[];
  regions: Region[];
  procs: Proc[];
  /** Procedures declared but not yet given a body, by id. */
  pending: Map<string, Proc>;
  threads: Thread[];
  invariants: Invariant[];
  termination: boolean;
  lockOrders: LockOrder[];
}

/** A process: its mm, `mmap_lock`, memory regions, threads and per-process locks. */
export class ProcessBuilder {
  readonly name: string;
  /** `&mm->mmap_lock` of this process: a fair rwsem (SEMANTICS "Objects"). */
  readonly mmapLock: RwsemRef;
  readonly #id: string;
  readonly #m: ModelBuilder;

  constructor(m: ModelBuilder, id: string, name: string, mmapLock: RwsemRef) {
    this.#m = m;
    this.#id = id;
    this.name = name;
    this.mmapLock = mmapLock;
  }

  /** A user memory region of this process: anonymous, or file-backed with `fault`. */
  region(name: string, opts: RegionOptions = {}): RegionRef {
    return this.#m._region(this.#id, name, opts);
  }

  thread(name: string, body: BodyFn): ThreadRef {
    return this.#m._thread(this.#id, name, body);
  }

  /**
   * `count` identical threads running `body`, named `name1`, `name2`, ... (`name.1`, ...
   * when `name` ends in a digit). Declaring them as one group lets the checker treat
   * them as interchangeable (TLC symmetry) when nothing in the model tells them apart.
   *
   *     app.threads(3, "ioctl", (t) => { t.lock(M); t.copyToUser(buf); t.unlock(M); });
   */
  threads(count: number, name: string, body: BodyFn): ThreadRef[] {
    return this.#m._threads(this.#id, count, name, body);
  }

  /** A per-process mutex, named `<process>.<name>`. */
  mutex(name: string): MutexRef {
    return this.#m._lock(`${this.name}.${name}`, "mutex", this.#id);
  }
  spinlock(name: string): SpinlockRef {
    return this.#m._lock(`${this.name}.${name}`, "spinlock", this.#id);
  }
  rwsem(name: string, opts: RwsemOptions = {}): RwsemRef {
    return this.#m._lock(`${this.name}.${name}`, "rwsem", this.#id, opts.policy ?? "fair");
  }
}

export class ModelBuilder {
  readonly #ctx: ModelContext;
  readonly #s: Store;

  constructor(ctx: ModelContext, s: Store) {
    this.#ctx = ctx;
    this.#s = s;
  }

  /** A process with its own mm; `mmap_lock` is fair unless `mmapPolicy` says otherwise. */
  process(name: string, opts: { readonly mmapPolicy?: RwsemPolicy } = {}): ProcessBuilder {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("proc_");
    const mmapLock = this._lock(`${name}.mmap_lock`, "rwsem", id, opts.mmapPolicy ?? "fair");
    this.#s.processes.push({ id, name: String(name), mmapLock: mmapLock.id, loc });
    return new ProcessBuilder(this, id, String(name), mmapLock);
  }

  mutex(name: string): MutexRef {
    return this._lock(name, "mutex");
  }
  spinlock(name: string): SpinlockRef {
    return this._lock(name, "spinlock");
  }
  rwsem(name: string, opts: RwsemOptions = {}): RwsemRef {
    return this._lock(name, "rwsem", undefined, opts.policy ?? "fair");
  }

  /** A procedure; give the body now, or later with `define` (for forward references). */
  proc(name: string, body?: BodyFn): ProcRef {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("fn");
    const ref = this.#ctx.makeRef({ ref: "proc" as const, id, name: String(name) });
    const p: Proc = { id, name: String(name), body: [], loc };
    this.#s.procs.push(p);
    if (body) this.#fill(p, body);
    else this.#s.pending.set(id, p);
    return ref;
  }

  /** Gives a procedure declared with `proc(name)` its body. */
  define(ref: ProcRef, body: BodyFn): void {
    const id = this.#ctx.procId(ref, "define");
    const p = this.#s.pending.get(id);
    if (!p) {
      if (!id.startsWith("?")) this.#ctx.error("FL103", `procedure '${ref.name}' already has a body`);
      return;
    }
    this.#s.pending.delete(id);
    this.#fill(p, body);
  }

  #fill(p: Proc, body: BodyFn): void {
    const i = this.#s.procs.indexOf(p);
    this.#s.procs[i] = { ...p, body: this.#body(body) };
  }

  bool(name: string, init: boolean): VarRef<boolean> {
    return this.#var(name, { kind: "bool" }, init);
  }
  int(name: string, range: { readonly min: number; readonly max: number }, init: number): VarRef<number> {
    return this.#var(name, { kind: "int", min: range.min, max: range.max }, init);
  }
  enum<const E extends string>(name: string, values: readonly E[], init: E): VarRef<E> {
    return this.#var(name, { kind: "enum", values: [...values] }, init);
  }

  #var<T extends Value>(name: string, domain: Domain, init: T): VarRef<T> {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("var");
    this.#s.vars.push({ id, name: String(name), domain, init, loc });
    return this.#ctx.makeVar<T>(id, String(name));
  }

  /** A model invariant: must hold in every reachable state. */
  invariant(name: string, cond: Cond): void {
    const loc = this.#ctx.here();
    this.#s.invariants.push({ id: this.#ctx.nextId("inv"), name: String(name), cond: toExpr(cond), loc });
  }

  /**
   * Declares the order locks are taken in, as the comment at the top of mm/rmap.c
   * does: `lockOrder(a, b)` means a thread may take b while holding a, never a
   * while holding b. Breaking it is a `lock-order` finding at that acquire, whether
   * or not a deadlock is reachable (SEMANTICS "lock-order").
   */
  lockOrder(...locks: LockRef[]): void {
    const loc = this.#ctx.here();
    const ids = locks.map((l, i) => this.#ctx.lockId(l, `lockOrder (argument ${i + 1})`));
    this.#s.lockOrders.push({ id: this.#ctx.nextId("order"), locks: ids, loc });
  }

  /** Also check that every thread eventually finishes (under weak fairness). */
  checkTermination(): void {
    this.#s.termination = true;
  }

  /** True while `lock` is held (by `thread`, if given; for rwsems, in `mode`, if given). */
  held(lock: LockRef, thread?: ThreadRef, mode?: "read" | "write"): Ex<boolean> {
    const l = this.#ctx.lockId(lock, "held");
    const t = thread ? this.#ctx.threadId(thread, "held") : undefined;
    return wrap({ kind: "held", lock: l, ...(t ? { thread: t } : {}), ...(mode ? { mode } : {}) });
  }
  /** True once `thread` has finished its body. */
  done(thread: ThreadRef): Ex<boolean> {
    return wrap({ kind: "done", thread: this.#ctx.threadId(thread, "done") });
  }
  /** True while `thread` stands at `label` in its body. */
  at(thread: ThreadRef, label: string): Ex<boolean> {
    return wrap({ kind: "at", thread: this.#ctx.threadId(thread, "at"), label: String(label) });
  }

  // --- used by ProcessBuilder ----------------------------------------------------------

  /** @internal */
  _lock<K extends "mutex" | "spinlock" | "rwsem">(name: string, kind: K, process?: string, policy?: RwsemPolicy): LockRef<K> {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("lock");
    this.#s.locks.push({
      id,
      name: String(name),
      kind,
      ...(policy ? { policy } : {}),
      ...(process ? { process } : {}),
      loc,
    });
    return this.#ctx.makeRef({ ref: "lock" as const, lockKind: kind, id, name: String(name) });
  }

  /** @internal */
  _region(process: string, name: string, opts: RegionOptions): RegionRef {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("mem");
    const fault = opts.fault ? this.#ctx.procId(opts.fault, "region fault") : undefined;
    this.#s.regions.push({
      id,
      name: String(name),
      process,
      backing: fault ? "file" : "anon",
      ...(fault ? { fault } : {}),
      pinned: opts.pinned === true,
      loc,
    });
    return this.#ctx.makeRef({ ref: "region" as const, id, name: String(name) });
  }

  /** @internal */
  _thread(process: string, name: string, body: BodyFn, group?: string): ThreadRef {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("t");
    const ref = this.#ctx.makeRef({ ref: "thread" as const, id, name: String(name) });
    const index = this.#s.threads.length;
    const g = group === undefined ? {} : { group };
    this.#s.threads.push({ id, name: String(name), process, body: [], loc, ...g });
    this.#s.threads[index] = { id, name: String(name), process, body: this.#body(body), loc, ...g };
    return ref;
  }

  /** @internal */
  _threads(process: string, count: number, name: string, body: BodyFn): ThreadRef[] {
    if (!Number.isInteger(count) || count < 1 || count > 32) {
      this.#ctx.error("FL233", `threads(${String(count)}, ...) needs a whole number of threads from 1 to 32`);
      return [];
    }
    const group = this.#ctx.nextId("g");
    const sep = /[0-9]$/.test(String(name)) ? "." : "";
    return Array.from({ length: count }, (_, i) => this._thread(process, `${String(name)}${sep}${i + 1}`, body, group));
  }

  #body(fn: BodyFn): Stmt[] {
    const out: Stmt[] = [];
    if (typeof fn !== "function") {
      this.#ctx.error("FL104", "a body must be a function like (t) => { ... }");
      return out;
    }
    fn(new Body(this.#ctx, out));
    return out;
  }
}

/**
 * Declares a model. The callback runs at once; locations are recorded relative
 * to the directory of the file that calls `model()`.
 */
export function model(name: string, build: (m: ModelBuilder) => void): ModelDef {
  const caller = userFrame();
  const rec = new LocRecorder(caller ? path.dirname(caller.file) : process.cwd());
  const ctx = new ModelContext(() => rec.here());
  const loc = ctx.here();
  const s: Store = {
    processes: [],
    locks: [],
    vars: [],
    regions: [],
    procs: [],
    pending: new Map(),
    threads: [],
    invariants: [],
    termination: false,
    lockOrders: [],
  };
  build(new ModelBuilder(ctx, s));
  for (const p of s.pending.values()) {
    ctx.error("FL105", `procedure '${p.name}' is declared but never given a body; call m.define(...)`, p.loc);
  }
  const ir: Model = {
    name: String(name),
    loc,
    processes: s.processes,
    locks: s.locks,
    vars: s.vars,
    regions: s.regions,
    procs: s.procs,
    threads: s.threads,
    invariants: s.invariants,
    termination: s.termination,
    ...(s.lockOrders.length > 0 ? { lockOrders: s.lockOrders } : {}),
  };
  return Object.freeze({ kind: "faultline-model", ir, diagnostics: ctx.diagnostics });
}
