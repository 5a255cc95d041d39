// Body builders: the statements of a thread or procedure, in kernel words.
// Each call appends one IR statement stamped with the model line that made it.

import type { AccessOp, Domain, LockMode, Stmt, Value } from "../ir/types.js";
import { type Cond, type Operand, toExpr } from "./expr.js";
import type { LocalRef, LockRef, ModelContext, MutexRef, ProcRef, RegionRef, RwsemRef, SpinlockRef, VarRef } from "./refs.js";

export type BodyFn = (b: Body) => void;

/** Whose body declares a local: a thread's (one local per thread) or a procedure's (fresh at each call). */
export type LocalOwner = { readonly kind: "thread" | "proc"; readonly id: string };

export interface AccessOptions {
  /**
   * With page faults disabled, a fault fails the access (-EFAULT) and runs this
   * branch; execution then continues after the access, unless the branch returns
   * (`f.pagefaultEnable(); f.return()`: a return must leave page faults enabled).
   */
  readonly onFault?: BodyFn;
  /**
   * A local that receives the access's result, as `ret = __copy_from_user_inatomic(...)`:
   * 0 when it succeeds, -EFAULT when it faults with page faults disabled. A bool
   * local gets false / true, an int local 0 / -14, an enum local "0" / "-EFAULT".
   */
  readonly ret?: LocalRef<Value>;
}

type Draft<S> = S extends Stmt ? Omit<S, "id" | "loc"> : never;

export class Body {
  readonly #ctx: ModelContext;
  readonly #out: Stmt[];
  readonly #owner: LocalOwner;

  constructor(ctx: ModelContext, out: Stmt[], owner: LocalOwner) {
    this.#ctx = ctx;
    this.#out = out;
    this.#owner = owner;
  }

  #push(s: Draft<Stmt>): void {
    this.#out.push({ ...s, id: this.#ctx.nextId("s"), loc: this.#ctx.here() } as Stmt);
  }

  #nested(fn: BodyFn | undefined): Stmt[] {
    const out: Stmt[] = [];
    if (fn) fn(new Body(this.#ctx, out, this.#owner));
    return out;
  }

  /** The lock a statement names, and for an array element named by a local, how to pick it. */
  #lock(ref: LockRef, what: string): { lock: string; byLocal?: LockRef["byLocal"] } {
    const lock = this.#ctx.lockId(ref, what);
    const byLocal = (ref as Partial<LockRef> | undefined)?.byLocal;
    return byLocal === undefined ? { lock } : { lock, byLocal };
  }

  // --- sleeping and spinning locks -------------------------------------------------

  /** mutex_lock(&m) or spin_lock(&s). */
  lock(l: MutexRef | SpinlockRef): void {
    this.#push({ kind: "acquire", ...this.#lock(l, "lock"), mode: "excl" });
  }
  /** lock_page(page): the page lock, an element of `m.pageLocks(...)` (a mutex array). */
  lockPage(page: MutexRef): void {
    this.#push({ kind: "acquire", ...this.#lock(page, "lockPage"), mode: "excl" });
  }
  /** unlock_page(page). */
  unlockPage(page: MutexRef): void {
    this.#push({ kind: "release", ...this.#lock(page, "unlockPage"), mode: "excl" });
  }
  /** trylock_page(page): `then` runs holding it. */
  trylockPage(page: MutexRef, then: BodyFn, otherwise?: BodyFn): void {
    this.#try(page, "excl", "trylockPage", then, otherwise);
  }
  /** mutex_unlock(&m) or spin_unlock(&s). */
  unlock(l: MutexRef | SpinlockRef): void {
    this.#push({ kind: "release", ...this.#lock(l, "unlock"), mode: "excl" });
  }
  /** mutex_trylock / spin_trylock: `then` runs holding the lock, `otherwise` when it was taken. */
  trylock(l: MutexRef | SpinlockRef, then: BodyFn, otherwise?: BodyFn): void {
    this.#try(l, "excl", "trylock", then, otherwise);
  }

  // --- rwsems ----------------------------------------------------------------------

  downRead(r: RwsemRef): void {
    this.#push({ kind: "acquire", ...this.#lock(r, "downRead"), mode: "read" });
  }
  upRead(r: RwsemRef): void {
    this.#push({ kind: "release", ...this.#lock(r, "upRead"), mode: "read" });
  }
  downWrite(r: RwsemRef): void {
    this.#push({ kind: "acquire", ...this.#lock(r, "downWrite"), mode: "write" });
  }
  upWrite(r: RwsemRef): void {
    this.#push({ kind: "release", ...this.#lock(r, "upWrite"), mode: "write" });
  }
  downReadTrylock(r: RwsemRef, then: BodyFn, otherwise?: BodyFn): void {
    this.#try(r, "read", "downReadTrylock", then, otherwise);
  }
  downWriteTrylock(r: RwsemRef, then: BodyFn, otherwise?: BodyFn): void {
    this.#try(r, "write", "downWriteTrylock", then, otherwise);
  }

  #try(l: LockRef, mode: LockMode, what: string, then: BodyFn, otherwise?: BodyFn): void {
    const lock = this.#lock(l, what);
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    this.#out.push({ kind: "trylock", id, loc, ...lock, mode, then: this.#nested(then), else: this.#nested(otherwise) });
  }

  // --- calls and user memory -------------------------------------------------------

  call(p: ProcRef): void {
    this.#push({ kind: "call", proc: this.#ctx.procId(p) });
  }

  copyToUser(r: RegionRef, opts?: AccessOptions): void {
    this.#access("copy_to_user", r, opts);
  }
  copyFromUser(r: RegionRef, opts?: AccessOptions): void {
    this.#access("copy_from_user", r, opts);
  }
  putUser(r: RegionRef, opts?: AccessOptions): void {
    this.#access("put_user", r, opts);
  }
  getUser(r: RegionRef, opts?: AccessOptions): void {
    this.#access("get_user", r, opts);
  }
  /** A plain user-space load (the thread touching mapped memory). */
  load(r: RegionRef, opts?: AccessOptions): void {
    this.#access("load", r, opts);
  }
  /** A plain user-space store. */
  store(r: RegionRef, opts?: AccessOptions): void {
    this.#access("store", r, opts);
  }

  #access(op: AccessOp, r: RegionRef, opts: AccessOptions | undefined): void {
    const region = this.#ctx.regionId(r, op);
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    const onFault = opts?.onFault ? this.#nested(opts.onFault) : undefined;
    const ret = opts?.ret !== undefined ? this.#ctx.localId(opts.ret, op) : undefined;
    this.#out.push({ kind: "access", id, loc, region, op, ...(onFault ? { onFault } : {}), ...(ret !== undefined ? { ret } : {}) });
  }

  /**
   * get_user_pages(start, 1, write ? FOLL_WRITE : 0, &page): needs the region owner's
   * mmap_lock held (FL340 otherwise). It may fault; the fault runs the region's fault
   * procedure (FAULT_FLAG_WRITE as `write` says) without taking mmap_lock again. The
   * page stays pinned, its mapping does not: a later access may still fault.
   *
   *     t.downRead(app.mmapLock); t.getUserPages(buf, { write: true }); t.upRead(app.mmapLock);
   */
  getUserPages(r: RegionRef, opts: { readonly write: boolean }): void {
    const region = this.#ctx.regionId(r, "getUserPages");
    const write = (opts as { write?: unknown } | undefined)?.write;
    this.#push({ kind: "gup", region, write: write as boolean });
  }

  /**
   * Reclaim unmaps the page of a tracked region (shrink_page_list -> try_to_unmap,
   * through rmap: no mmap_lock). The next access faults.
   */
  evict(r: RegionRef): void {
    this.#push({ kind: "evict", region: this.#ctx.regionId(r, "evict") });
  }

  /**
   * `return VM_FAULT_RETRY;` from a fault procedure (lock_page_or_retry, userfaultfd):
   * the fault path's mmap_lock read hold is released and the access is attempted
   * again from the start, with FAULT_FLAG_TRIED set; it may fault and retry again
   * (a back edge, as since Linux 5.7; test `and(FAULT_FLAG_ALLOW_RETRY,
   * not(FAULT_FLAG_TRIED))` for the older retry-once rule). Only where
   * FAULT_FLAG_ALLOW_RETRY is set (FL347 otherwise: get_user_pages faults, the body
   * of a faultRetry()), as the kernel does:
   *
   * `whileDropped` runs after the up_read and before the retry: what the handler
   * does without mmap_lock (lock_page_or_retry's wait_on_page_locked(), the wait of
   * handle_userfault()). Statements after faultRetry() in the procedure never run.
   *
   *     // lock_page_or_retry(page, mm, flags)
   *     p.trylock(pageLock, (ok) => ok.unlock(pageLock), (busy) =>
   *       busy.if(FAULT_FLAG_ALLOW_RETRY,
   *         (r) => r.faultRetry((w) => w.await(not(m.held(pageLock)))),
   *         (w) => { w.lock(pageLock); w.unlock(pageLock); }));
   */
  faultRetry(whileDropped?: BodyFn): void {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    this.#out.push({ kind: "fault_retry", id, loc, body: this.#nested(whileDropped) });
  }

  pagefaultDisable(): void {
    this.#push({ kind: "pagefault_disable" });
  }
  pagefaultEnable(): void {
    this.#push({ kind: "pagefault_enable" });
  }

  // --- control flow and shared state -----------------------------------------------

  /** Nondeterministic choice: exactly one branch runs. */
  either(...branches: BodyFn[]): void {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    this.#out.push({ kind: "either", id, loc, branches: branches.map((b) => this.#nested(b)) });
  }

  /** Assigns a shared variable (a visible step) or a local (thread-local: part of the step before). */
  set<T extends Value>(v: VarRef<T> | LocalRef<T>, value: Operand<T>): void {
    if ((v as { ref?: unknown } | undefined)?.ref === "local") {
      this.#push({ kind: "assign", local: this.#ctx.localId(v as LocalRef<Value>), value: toExpr(value) });
      return;
    }
    const byLocal = (v as Partial<VarRef<Value>> | undefined)?.byLocal;
    this.#push({ kind: "set", variable: this.#ctx.varId(v as VarRef<Value>), value: toExpr(value), ...(byLocal ? { byLocal } : {}) });
  }

  // --- locals (SEMANTICS "Objects": a thread's own, or fresh at each call of a procedure) ---

  /** A boolean local of this thread (or, in a procedure, of each call). */
  bool(name: string, init: boolean): LocalRef<boolean> {
    return this.#local(name, { kind: "bool" }, init);
  }
  int(name: string, range: { readonly min: number; readonly max: number }, init: number): LocalRef<number> {
    return this.#local(name, { kind: "int", min: range?.min, max: range?.max }, init);
  }
  enum<const E extends string>(name: string, values: readonly E[], init: E): LocalRef<E> {
    return this.#local(name, { kind: "enum", values: [...(values ?? [])] }, init);
  }

  #local<T extends Value>(name: string, domain: Domain, init: T): LocalRef<T> {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("loc");
    this.#ctx.locals.push({ id, name: String(name), domain, init, owner: this.#owner, loc });
    return this.#ctx.makeLocal<T>(id, String(name), this.#owner.kind === "thread" ? this.#owner.id : undefined);
  }

  if(cond: Cond, then: BodyFn, otherwise?: BodyFn): void {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    this.#out.push({ kind: "if", id, loc, cond: toExpr(cond), then: this.#nested(then), else: this.#nested(otherwise) });
  }

  /** wait_event(cond): sleeps until cond holds. */
  await(cond: Cond): void {
    this.#push({ kind: "await", cond: toExpr(cond) });
  }

  /** Runs `body` exactly `times` times. */
  repeat(times: number, body: BodyFn): void {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    this.#out.push({ kind: "repeat", id, loc, times, body: this.#nested(body) });
  }

  /**
   * while (cond) body: a back edge, run as often as the condition holds. With
   * `{ bound: N }` the loop is explored for at most N iterations and a further one
   * is a `loop-bound` finding (an exploration cut-off, not a property).
   */
  while(cond: Cond, body: BodyFn): void;
  while(cond: Cond, opts: { readonly bound?: number }, body: BodyFn): void;
  while(cond: Cond, a: BodyFn | { readonly bound?: number }, b?: BodyFn): void {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    const body = typeof a === "function" ? a : b;
    const bound = typeof a === "function" ? undefined : (a as { bound?: unknown } | undefined)?.bound;
    const stmt = { kind: "while" as const, id, loc, cond: toExpr(cond), body: this.#nested(body) };
    this.#out.push(bound === undefined ? stmt : { ...stmt, bound: bound as number });
  }

  /** for (;;) body: `goto retry` as a loop; leave it with `break()` or `return()`. */
  loop(body: BodyFn, opts?: { readonly bound?: number }): void {
    const loc = this.#ctx.here();
    const id = this.#ctx.nextId("s");
    const stmt = { kind: "while" as const, id, loc, cond: toExpr(true), body: this.#nested(body) };
    const bound = (opts as { bound?: unknown } | undefined)?.bound;
    this.#out.push(bound === undefined ? stmt : { ...stmt, bound: bound as number });
  }

  /** Leaves the innermost loop. */
  break(): void {
    this.#push({ kind: "break" });
  }

  /** Goes back to the innermost loop's condition. */
  continue(): void {
    this.#push({ kind: "continue" });
  }

  /** Leaves the procedure (or ends the thread). */
  return(): void {
    this.#push({ kind: "return" });
  }

  assert(cond: Cond, message: string): void {
    this.#push({ kind: "assert", cond: toExpr(cond), message: String(message) });
  }

  /** Names this point of the body, for `m.at(thread, name)` in invariants. */
  label(name: string): void {
    this.#push({ kind: "label", name: String(name) });
  }
}
