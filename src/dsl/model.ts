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
import { elementName } from "../ir/types.js";
import { Body, type BodyFn, type LocalOwner } from "./body.js";
import { type Cond, type Ex, toExpr, wrap } from "./expr.js";
import { LocRecorder, userFrame } from "./loc.js";
import {
  type LocalRef,
  type LockArrayRef,
  type LockRef,
  ModelContext,
  type MutexRef,
  type ProcRef,
  type RegionRef,
  type RwsemRef,
  type SpinlockRef,
  type ThreadRef,
  type VarArrayRef,
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
  /**
   * Track the page's residency, starting `"present"` or `"absent"`: an access to a
   * present page never faults, a fault makes it present, `evict(region)` (reclaim)
   * makes it absent. Without it any access may fault (SEMANTICS "Residency").
   */
  readonly tracked?: "present" | "absent";
}

export interface ProcessOptions {
  readonly mmapPolicy?: RwsemPolicy;
  /**
   * What the kernel version calls the mm's rwsem: `"mmap_lock"` (default, since 5.8)
   * or `"mmap_sem"` (before), so that reports say `&app->mmap_sem`.
   */
  readonly mmapLock?: string;
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
  /** A per-process lock array (see ModelBuilder.mutexArray), named `<process>.<name>`. */
  mutexArray<const I extends string>(name: string, index: readonly I[]): LockArrayRef<"mutex", I> {
    return this.#m._lockArray(`${this.name}.${name}`, "mutex", index, this.#id);
  }
  rwsemArray<const I extends string>(name: string, index: readonly I[], opts: RwsemOptions = {}): LockArrayRef<"rwsem", I> {
    return this.#m._lockArray(`${this.name}.${name}`, "rwsem", index, this.#id, opts.policy ?? "fair");
  }
}

export class ModelBuilder {
  readonly #ctx: ModelContext;
  readonly #s: Store;

  constructor(ctx: ModelContext, s: Store) {
    this.#ctx = ctx;
    this.#s = s;
  }

  /**
   * A process with its own mm; `mmap_lock` is fair unless `mmapPolicy` says otherwise.
   * `{ mmapLock: "mmap_sem" }` names it as kernels before 5.8 do.
   */
  process(name: string, opts: ProcessOptions = {}): ProcessBuilder {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("proc_");
    let lockName = opts.mmapLock ?? "mmap_lock";
    if (typeof lockName !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(lockName)) {
      this.#ctx.error("FL345", `mmapLock must be a C identifier such as "mmap_sem" or "mmap_lock", got ${JSON.stringify(lockName) ?? String(lockName)}`);
      lockName = "mmap_lock";
    }
    const mmapLock = this._lock(`${name}.${lockName}`, "rwsem", id, opts.mmapPolicy ?? "fair");
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

  /**
   * One mutex per index value (SEMANTICS "Objects": lock arrays). The element for
   * `i` is named `name[i]`, or `name` with `[]` replaced (`"inode[].i_rwsem"` gives
   * `inode[A].i_rwsem`, spelled `&inode[A]->i_rwsem`). `at(i)` takes a constant or
   * an enum local whose values are all indexes.
   */
  mutexArray<const I extends string>(name: string, index: readonly I[]): LockArrayRef<"mutex", I> {
    return this._lockArray(name, "mutex", index);
  }
  spinlockArray<const I extends string>(name: string, index: readonly I[]): LockArrayRef<"spinlock", I> {
    return this._lockArray(name, "spinlock", index);
  }
  rwsemArray<const I extends string>(name: string, index: readonly I[], opts: RwsemOptions = {}): LockArrayRef<"rwsem", I> {
    return this._lockArray(name, "rwsem", index, undefined, opts.policy ?? "fair");
  }
  /** The page lock (PG_locked) of each page: a mutex array spelled `lock_page(P)` / `unlock_page(P)`. */
  pageLocks<const I extends string>(pages: readonly I[]): LockArrayRef<"mutex", I> {
    return this._lockArray("page", "mutex", pages, undefined, undefined, true);
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
    this.#s.procs[i] = { ...p, body: this.#body(body, { kind: "proc", id: p.id }) };
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

  /**
   * An array of shared variables, one per index value (SEMANTICS "Objects": arrays),
   * e.g. the state of each block. `init` is one value for every element or one per
   * index. The element for `i` is named `name[i]` (or `name` with `[]` replaced, as
   * lock arrays). `at(i)` takes a constant index or an enum local whose values are
   * all indexes; it reads and sets like any shared variable:
   *
   *     const blk = m.enumArray("blk", ["A", "B"], ["clean", "dirty"], "clean");
   *     t.set(blk.at(i), "dirty");  t.if(blk.at("A").eq("dirty"), ...);
   */
  boolArray<const I extends string>(name: string, index: readonly I[], init: boolean | Readonly<Record<I, boolean>>): VarArrayRef<boolean, I> {
    return this.#varArray(name, index, { kind: "bool" }, init);
  }
  intArray<const I extends string>(name: string, index: readonly I[], range: { readonly min: number; readonly max: number }, init: number | Readonly<Record<I, number>>): VarArrayRef<number, I> {
    return this.#varArray(name, index, { kind: "int", min: range?.min, max: range?.max }, init);
  }
  enumArray<const I extends string, const E extends string>(name: string, index: readonly I[], values: readonly E[], init: E | Readonly<Record<I, E>>): VarArrayRef<E, I> {
    return this.#varArray(name, index, { kind: "enum", values: [...(values ?? [])] }, init);
  }

  #varArray<T extends Value, I extends string>(name: string, index: readonly I[], domain: Domain, init: T | Readonly<Record<I, T>>): VarArrayRef<T, I> {
    const ctx = this.#ctx;
    const loc = ctx.here();
    const values = Array.isArray(index) ? index.map(String) : [];
    if (values.length === 0 || new Set(values).size !== values.length) {
      ctx.error("FL222", `array '${String(name)}' needs a non-empty list of distinct index names`);
    }
    const perIndex = typeof init === "object" && init !== null;
    if (perIndex) {
      for (const k of Object.keys(init)) if (!values.includes(k)) ctx.error("FL270", `initial value for '${k}', which is not an index of array '${String(name)}' (${values.join(", ")})`);
      for (const i of values) if (!(i in init)) ctx.error("FL222", `array '${String(name)}' has no initial value for index '${i}'; give one value for all or one per index`);
    }
    const elements: Record<string, string> = {};
    const refs = new Map<string, VarRef<T>>();
    for (const i of values) {
      const id = ctx.nextId("var");
      const elName = elementName(String(name), i);
      // A missing per-index value is reported above once: the element then starts at its domain's first value.
      const fallback = domain.kind === "bool" ? false : domain.kind === "int" ? domain.min : domain.values[0];
      const v = perIndex ? ((init as Record<string, T>)[i] ?? fallback) : init;
      this.#s.vars.push({ id, name: elName, domain, init: v as Value, loc, element: { array: String(name), index: i } });
      elements[i] = id;
      refs.set(i, ctx.makeVar<T>(id, elName));
    }
    const at = (i: I | LocalRef<I>): VarRef<T> => {
      if (typeof i === "string") {
        const r = refs.get(i);
        if (r) return r;
        ctx.error("FL270", `'${i}' is not an index of array '${String(name)}' (${values.join(", ")})`);
        return ctx.makeVar<T>("?var", elementName(String(name), i));
      }
      const local = ctx.localId(i as LocalRef<Value>, "at");
      const l = ctx.locals.find((x) => x.id === local);
      const bad = l !== undefined && (l.domain.kind !== "enum" || l.domain.values.some((v) => !values.includes(v)));
      if (bad) ctx.error("FL271", `local '${l?.name}' names an element of array '${String(name)}': its values must all be indexes (${values.join(", ")})`);
      if (local.startsWith("?") || bad || values.length === 0) return ctx.makeVar<T>("?var", elementName(String(name), "?"));
      const index = toExpr(i as LocalRef<I>);
      return ctx.makeElement<T>(elements[values[0] as string] as string, elementName(String(name), l?.name ?? "?"), { kind: "elem", array: String(name), index, elements }, { local, elements });
    };
    return Object.freeze({ ref: "var-array" as const, name: String(name), index: values as I[], at });
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
  _lockArray<K extends "mutex" | "spinlock" | "rwsem", I extends string>(name: string, kind: K, index: readonly I[], process?: string, policy?: RwsemPolicy, page = false): LockArrayRef<K, I> {
    const ctx = this.#ctx;
    const values = Array.isArray(index) ? index.map(String) : [];
    if (values.length === 0 || new Set(values).size !== values.length) {
      ctx.error("FL222", `lock array '${String(name)}' needs a non-empty list of distinct index names`);
    }
    const elements: Record<string, string> = {};
    const refs = new Map<string, LockRef<K>>();
    for (const i of values) {
      const ref = this._lock(elementName(String(name), i), kind, process, policy, { array: String(name), index: i, ...(page ? { page } : {}) });
      elements[i] = ref.id;
      refs.set(i, ref);
    }
    const at = (i: I | LocalRef<I>): LockRef<K> => {
      if (typeof i === "string") {
        const r = refs.get(i);
        if (r) return r;
        ctx.error("FL270", `'${i}' is not an index of lock array '${String(name)}' (${values.join(", ")})`);
        return ctx.makeRef({ ref: "lock" as const, lockKind: kind, id: "?lock", name: elementName(String(name), i) });
      }
      const local = ctx.localId(i as LocalRef<Value>, "at");
      const l = ctx.locals.find((x) => x.id === local);
      const bad = l !== undefined && (l.domain.kind !== "enum" || l.domain.values.some((v) => !values.includes(v)));
      if (bad) ctx.error("FL271", `local '${l?.name}' names an element of lock array '${String(name)}': its values must all be indexes (${values.join(", ")})`);
      if (local.startsWith("?") || bad || values.length === 0) return ctx.makeRef({ ref: "lock" as const, lockKind: kind, id: "?lock", name: elementName(String(name), "?") });
      return ctx.makeRef({ ref: "lock" as const, lockKind: kind, id: elements[values[0] as string] as string, name: elementName(String(name), l?.name ?? "?"), byLocal: { local, elements } });
    };
    return Object.freeze({ ref: "lock-array" as const, name: String(name), index: values as I[], at });
  }

  /** @internal */
  _lock<K extends "mutex" | "spinlock" | "rwsem">(name: string, kind: K, process?: string, policy?: RwsemPolicy, element?: Lock["element"]): LockRef<K> {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("lock");
    this.#s.locks.push({
      id,
      name: String(name),
      kind,
      ...(policy ? { policy } : {}),
      ...(process ? { process } : {}),
      ...(element ? { element } : {}),
      loc,
    });
    return this.#ctx.makeRef({ ref: "lock" as const, lockKind: kind, id, name: String(name) });
  }

  /** @internal */
  _region(process: string, name: string, opts: RegionOptions): RegionRef {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("mem");
    const fault = opts.fault ? this.#ctx.procId(opts.fault, "region fault") : undefined;
    let resident: string | undefined;
    if (opts.tracked !== undefined) {
      if (opts.tracked !== "present" && opts.tracked !== "absent") {
        this.#ctx.error("FL343", `region '${String(name)}': tracked must be "present" or "absent", got ${JSON.stringify(opts.tracked) ?? String(opts.tracked)}`);
      } else {
        // The residency is a shared boolean the access, its fault and evict() read and write.
        resident = this.#ctx.nextId("var");
        const owner = this.#s.processes.find((p) => p.id === process)?.name ?? "?";
        this.#s.vars.push({ id: resident, name: `present(${owner}.${String(name)})`, domain: { kind: "bool" }, init: opts.tracked === "present", loc, residencyOf: id });
      }
    }
    this.#s.regions.push({
      id,
      name: String(name),
      process,
      backing: fault ? "file" : "anon",
      ...(fault ? { fault } : {}),
      pinned: opts.pinned === true,
      ...(resident ? { resident } : {}),
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
    this.#s.threads[index] = { id, name: String(name), process, body: this.#body(body, { kind: "thread", id }), loc, ...g };
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

  #body(fn: BodyFn, owner: LocalOwner): Stmt[] {
    const out: Stmt[] = [];
    if (typeof fn !== "function") {
      this.#ctx.error("FL104", "a body must be a function like (t) => { ... }");
      return out;
    }
    fn(new Body(this.#ctx, out, owner));
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
    locals: ctx.locals,
    regions: s.regions,
    procs: s.procs,
    threads: s.threads,
    invariants: s.invariants,
    termination: s.termination,
    ...(s.lockOrders.length > 0 ? { lockOrders: s.lockOrders } : {}),
  };
  return Object.freeze({ kind: "faultline-model", ir, diagnostics: ctx.diagnostics });
}
