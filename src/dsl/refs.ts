// Handles the DSL hands back for model objects, and the context that turns
// them into IR ids (rejecting handles from another model or of the wrong kind).

import type { Loc, Local, LockKind, Value } from "../ir/types.js";
import { type Ex, type Operand, eq, ge, gt, le, lt, minus, ne, plus, wrap } from "./expr.js";

import type { Diagnostic } from "../ir/diagnostics.js";

const owner: unique symbol = Symbol("faultline.owner");

interface RefBase {
  readonly id: string;
  readonly name: string;
  readonly [owner]: ModelContext;
}

export interface LockRef<K extends LockKind = LockKind> extends RefBase {
  readonly ref: "lock";
  readonly lockKind: K;
  /** An array element named by a local: which element is the local's value. */
  readonly byLocal?: { readonly local: string; readonly elements: Readonly<Record<string, string>> };
}

/** One lock per index value (SEMANTICS "Objects": lock arrays); `at` names an element by a constant or an enum local. */
export interface LockArrayRef<K extends LockKind = LockKind, I extends string = string> {
  readonly ref: "lock-array";
  readonly name: string;
  readonly index: readonly I[];
  at(i: I | LocalRef<I>): LockRef<K>;
}
export type MutexRef = LockRef<"mutex">;
export type SpinlockRef = LockRef<"spinlock">;
export type RwsemRef = LockRef<"rwsem">;

export interface ProcRef extends RefBase {
  readonly ref: "proc";
}
export interface RegionRef extends RefBase {
  readonly ref: "region";
}
export interface ThreadRef extends RefBase {
  readonly ref: "thread";
}

/** A shared variable; also an expression for its current value. */
export type VarRef<T extends Value> = RefBase &
  Ex<T> & {
    readonly ref: "var";
    /** An array element named by a local: which element is the local's value. */
    readonly byLocal?: { readonly local: string; readonly elements: Readonly<Record<string, string>> };
    eq(x: Operand<T>): Ex<boolean>;
    ne(x: Operand<T>): Ex<boolean>;
  } & (T extends number
    ? {
        lt(x: Operand<number>): Ex<boolean>;
        le(x: Operand<number>): Ex<boolean>;
        gt(x: Operand<number>): Ex<boolean>;
        ge(x: Operand<number>): Ex<boolean>;
        plus(x: Operand<number>): Ex<number>;
        minus(x: Operand<number>): Ex<number>;
      }
    : unknown);

/**
 * An array of shared variables, one per index value (SEMANTICS "Objects": arrays);
 * `at` names an element by a constant index or by an enum local whose values are
 * all indexes (`blk.at(i)` for `blk[i]`).
 */
export interface VarArrayRef<T extends Value = Value, I extends string = string> {
  readonly ref: "var-array";
  readonly name: string;
  readonly index: readonly I[];
  at(i: I | LocalRef<I>): VarRef<T>;
}

/** A local variable of a thread or procedure; also an expression for its value. */
export type LocalRef<T extends Value> = Omit<VarRef<T>, "ref"> & { readonly ref: "local" };

type RefKind = "lock" | "proc" | "region" | "thread" | "var" | "local";

/** Per-model state shared by all builders: ids, locations, diagnostics. */
export class ModelContext {
  readonly diagnostics: Diagnostic[] = [];
  /** Every local declared by a body, in declaration order. */
  readonly locals: Local[] = [];
  readonly #here: () => Loc;
  #counters = new Map<string, number>();

  constructor(here: () => Loc) {
    this.#here = here;
  }

  here(): Loc {
    return this.#here();
  }

  nextId(prefix: string): string {
    const n = (this.#counters.get(prefix) ?? 0) + 1;
    this.#counters.set(prefix, n);
    return `${prefix}${n}`;
  }

  error(code: string, message: string, loc: Loc = this.here()): void {
    this.diagnostics.push({ code, message, loc });
  }

  makeRef<R extends { readonly ref: RefKind }>(fields: R & { id: string; name: string }): R & RefBase {
    return Object.freeze({ ...fields, [owner]: this });
  }

  makeVar<T extends Value>(id: string, name: string): VarRef<T> {
    return this.#makeValue<T>("var", id, name, { kind: "var", variable: id }) as VarRef<T>;
  }

  /** An array element named by a local: an `elem` expression, and `set` picks the element by the local's value. */
  makeElement<T extends Value>(id: string, name: string, expr: import("../ir/types.js").Expr, byLocal: { readonly local: string; readonly elements: Readonly<Record<string, string>> }): VarRef<T> {
    return this.#makeValue<T>("var", id, name, expr, { byLocal }) as VarRef<T>;
  }

  makeLocal<T extends Value>(id: string, name: string, thread: string | undefined): LocalRef<T> {
    const e = thread === undefined ? { kind: "local" as const, local: id } : { kind: "local" as const, local: id, thread };
    return this.#makeValue<T>("local", id, name, e) as unknown as LocalRef<T>;
  }

  #makeValue<T extends Value>(ref: "var" | "local", id: string, name: string, expr: import("../ir/types.js").Expr, extra: object = {}): unknown {
    const self = wrap<T>(expr);
    const v = {
      ...self,
      ...extra,
      ref,
      id,
      name,
      [owner]: this,
      eq: (x: Operand<T>) => eq<T>(v as Ex<T>, x),
      ne: (x: Operand<T>) => ne<T>(v as Ex<T>, x),
      lt: (x: Operand<number>) => lt(v as Ex<number>, x),
      le: (x: Operand<number>) => le(v as Ex<number>, x),
      gt: (x: Operand<number>) => gt(v as Ex<number>, x),
      ge: (x: Operand<number>) => ge(v as Ex<number>, x),
      plus: (x: Operand<number>) => plus(v as Ex<number>, x),
      minus: (x: Operand<number>) => minus(v as Ex<number>, x),
    };
    return Object.freeze(v);
  }

  /** The IR id of a handle, or a diagnostic (and a placeholder id) if it is not one of ours. */
  #idOf(x: unknown, kind: RefKind, what: string, noun: string): string {
    const r = x as Partial<RefBase & { ref: RefKind }> | undefined;
    if (typeof r !== "object" || r === null || r.ref !== kind) {
      this.error("FL101", `'${what}' expects a ${noun}, got ${describe(x)}`);
      return `?${kind}`;
    }
    if (r[owner] !== this) {
      this.error("FL102", `${noun} '${r.name}' belongs to another model; declare it in this model`);
      return `?${kind}`;
    }
    return r.id as string;
  }

  lockId(x: LockRef, what: string): string {
    return this.#idOf(x, "lock", what, "lock");
  }
  procId(x: ProcRef, what = "call"): string {
    return this.#idOf(x, "proc", what, "procedure");
  }
  regionId(x: RegionRef, what: string): string {
    return this.#idOf(x, "region", what, "user memory region");
  }
  threadId(x: ThreadRef, what: string): string {
    return this.#idOf(x, "thread", what, "thread");
  }
  varId(x: VarRef<Value>, what = "set"): string {
    return this.#idOf(x, "var", what, "shared variable");
  }
  localId(x: LocalRef<Value>, what = "set"): string {
    return this.#idOf(x, "local", what, "local variable");
  }
}

function describe(x: unknown): string {
  if (x === undefined) return "undefined";
  if (x === null) return "null";
  if (typeof x === "object" && "ref" in x) return `a ${String((x as { ref: unknown }).ref)}`;
  return typeof x === "string" ? `the string ${JSON.stringify(x)}` : typeof x;
}
