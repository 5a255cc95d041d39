// Expressions over shared state, lock state and thread positions, as the DSL
// builds them: small wrappers around IR `Expr` nodes with kernel-ish helpers.

import type { CmpOp, Expr, Value } from "../ir/types.js";

const exprTag: unique symbol = Symbol("faultline.expr");

/** A condition or value over shared state; `T` is the type it evaluates to. */
export interface Ex<T extends Value> {
  readonly [exprTag]: Expr;
  /** Phantom: the value type, for compile-time checks only. */
  readonly __type?: T;
}

export type Operand<T extends Value> = Ex<T> | T;
export type Cond = Operand<boolean>;

export function wrap<T extends Value>(expr: Expr): Ex<T> {
  return { [exprTag]: expr };
}

export function isEx(x: unknown): x is Ex<Value> {
  return typeof x === "object" && x !== null && exprTag in x;
}

/** The IR node of an operand (literals become `lit`). */
export function toExpr(x: Operand<Value>): Expr {
  if (isEx(x)) return x[exprTag];
  return { kind: "lit", value: x };
}

function cmp<T extends Value>(op: CmpOp, a: Operand<T>, b: Operand<T>): Ex<boolean> {
  return wrap({ kind: "cmp", op, left: toExpr(a), right: toExpr(b) });
}

export const eq = <T extends Value>(a: Operand<T>, b: Operand<T>) => cmp("=", a, b);
export const ne = <T extends Value>(a: Operand<T>, b: Operand<T>) => cmp("!=", a, b);
export const lt = (a: Operand<number>, b: Operand<number>) => cmp("<", a, b);
export const le = (a: Operand<number>, b: Operand<number>) => cmp("<=", a, b);
export const gt = (a: Operand<number>, b: Operand<number>) => cmp(">", a, b);
export const ge = (a: Operand<number>, b: Operand<number>) => cmp(">=", a, b);

export const plus = (a: Operand<number>, b: Operand<number>): Ex<number> =>
  wrap({ kind: "arith", op: "+", left: toExpr(a), right: toExpr(b) });
export const minus = (a: Operand<number>, b: Operand<number>): Ex<number> =>
  wrap({ kind: "arith", op: "-", left: toExpr(a), right: toExpr(b) });

export const not = (a: Cond): Ex<boolean> => wrap({ kind: "not", arg: toExpr(a) });
export const and = (...args: Cond[]): Ex<boolean> => wrap({ kind: "and", args: args.map(toExpr) });
export const or = (...args: Cond[]): Ex<boolean> => wrap({ kind: "or", args: args.map(toExpr) });
/** `a` implies `b`. */
export const implies = (a: Cond, b: Cond): Ex<boolean> => or(not(a), b);

/**
 * `vmf->flags & FAULT_FLAG_WRITE`: true inside a fault procedure when the access that
 * faulted writes user memory (copy_to_user, put_user, store, getUserPages with
 * `write: true`), false for a read fault. Only a fault path knows it (FL342 elsewhere).
 *
 *     const daxFault = m.proc("__dax_fault", (p) => {
 *       p.if(FAULT_FLAG_WRITE, (w) => { w.lock(allocSem); w.unlock(allocSem); });
 *     });
 */
export const FAULT_FLAG_WRITE: Ex<boolean> = wrap({ kind: "fault-flag", flag: "write" });

/**
 * `vmf->flags & FAULT_FLAG_ALLOW_RETRY`: the fault procedure may return VM_FAULT_RETRY
 * (`faultRetry()`). Set on every attempt of a user access's fault, the retried ones
 * too (SEMANTICS: the access is attempted again from the start; Linux 5.7 and later);
 * clear on get_user_pages faults.
 */
export const FAULT_FLAG_ALLOW_RETRY: Ex<boolean> = wrap({ kind: "fault-flag", flag: "allow-retry" });

/**
 * `vmf->flags & FAULT_FLAG_TRIED`: this fault is an attempt after a VM_FAULT_RETRY.
 * `and(FAULT_FLAG_ALLOW_RETRY, not(FAULT_FLAG_TRIED))` retries once only, as kernels
 * before 5.7 did (their arch handlers cleared FAULT_FLAG_ALLOW_RETRY on the retry).
 */
export const FAULT_FLAG_TRIED: Ex<boolean> = wrap({ kind: "fault-flag", flag: "tried" });
