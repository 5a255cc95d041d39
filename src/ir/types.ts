// The IR: plain, readonly data built by the DSL and read by everything after
// it (validation, lowering, generator, trace translation). Vocabulary follows
// ../shared/SEMANTICS.md; every node carries the model source line that made it.

/** Where in the user's model a node was written. `file` is relative to the model file's directory. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type RwsemPolicy = "fair" | "reader-preferring" | "recursive-read";
export type LockKind = "mutex" | "spinlock" | "rwsem";
/** How a lock is taken: `excl` for mutexes and spinlocks, `read`/`write` for rwsems. */
export type LockMode = "excl" | "read" | "write";

export interface Process {
  readonly id: string;
  readonly name: string;
  /** The rwsem guarding this process's mm (SEMANTICS "Objects"). */
  readonly mmapLock: string;
  readonly loc: Loc;
}

export interface Lock {
  readonly id: string;
  /** Display name, e.g. `A_mutex` or `app.mmap_lock`. */
  readonly name: string;
  readonly kind: LockKind;
  /** Only for rwsems. */
  readonly policy?: RwsemPolicy;
  /** Per-process locks belong to a process; global locks have none. */
  readonly process?: string;
  readonly loc: Loc;
}

/** Does the lock queue its waiters, so that a release grants it (SEMANTICS "rwsem")? Rwsems but "reader-preferring". */
export function queues(l: Lock | undefined): boolean {
  return l?.kind === "rwsem" && l.policy !== "reader-preferring";
}

export type Domain =
  | { readonly kind: "bool" }
  | { readonly kind: "int"; readonly min: number; readonly max: number }
  | { readonly kind: "enum"; readonly values: readonly string[] };

export type Value = boolean | number | string;

export interface SharedVar {
  readonly id: string;
  readonly name: string;
  readonly domain: Domain;
  readonly init: Value;
  readonly loc: Loc;
}

export interface Region {
  readonly id: string;
  readonly name: string;
  /** The process whose mm maps the region; its fault takes that process's mmap_lock. */
  readonly process: string;
  readonly backing: "anon" | "file";
  /** For file-backed regions: the procedure that reads the page in. */
  readonly fault?: string;
  /** mlock()ed: never faults (SEMANTICS "User memory access"). */
  readonly pinned: boolean;
  readonly loc: Loc;
}

export interface Proc {
  readonly id: string;
  readonly name: string;
  readonly body: readonly Stmt[];
  readonly loc: Loc;
}

export interface Thread {
  readonly id: string;
  readonly name: string;
  readonly process: string;
  readonly body: readonly Stmt[];
  readonly loc: Loc;
  /**
   * Threads made by one `threads(n, ...)` call share a group: the model declares
   * them interchangeable (one body), which lets the checker use symmetry.
   */
  readonly group?: string;
}

/** User memory operations; all of them are one `access` in SEMANTICS. */
export type AccessOp = "copy_to_user" | "copy_from_user" | "get_user" | "put_user" | "load" | "store";

interface StmtBase {
  readonly id: string;
  readonly loc: Loc;
}

export type Stmt =
  /** mutex_lock / spin_lock / down_read / down_write. */
  | (StmtBase & { readonly kind: "acquire"; readonly lock: string; readonly mode: LockMode })
  /** mutex_unlock / spin_unlock / up_read / up_write. */
  | (StmtBase & { readonly kind: "release"; readonly lock: string; readonly mode: LockMode })
  /** *_trylock: never blocks; runs `then` on success (holding the lock), `else` on failure. */
  | (StmtBase & {
      readonly kind: "trylock";
      readonly lock: string;
      readonly mode: LockMode;
      readonly then: readonly Stmt[];
      readonly else: readonly Stmt[];
    })
  | (StmtBase & { readonly kind: "call"; readonly proc: string })
  /** A user memory access; `onFault` runs when it faults with page faults disabled, then control continues after it. */
  | (StmtBase & {
      readonly kind: "access";
      readonly region: string;
      readonly op: AccessOp;
      readonly onFault?: readonly Stmt[];
    })
  | (StmtBase & { readonly kind: "either"; readonly branches: readonly (readonly Stmt[])[] })
  | (StmtBase & { readonly kind: "set"; readonly variable: string; readonly value: Expr })
  | (StmtBase & {
      readonly kind: "if";
      readonly cond: Expr;
      readonly then: readonly Stmt[];
      readonly else: readonly Stmt[];
    })
  /** wait_event(cond): blocks until cond holds. */
  | (StmtBase & { readonly kind: "await"; readonly cond: Expr })
  /** A loop run exactly `times` times. */
  | (StmtBase & { readonly kind: "repeat"; readonly times: number; readonly body: readonly Stmt[] })
  /** while (cond) body, at most `bound` iterations; running past the bound is an assertion finding. */
  | (StmtBase & {
      readonly kind: "while";
      readonly cond: Expr;
      readonly bound: number;
      readonly body: readonly Stmt[];
    })
  /** Leaves the enclosing procedure, or ends the thread. */
  | (StmtBase & { readonly kind: "return" })
  | (StmtBase & { readonly kind: "assert"; readonly cond: Expr; readonly message: string })
  | (StmtBase & { readonly kind: "pagefault_disable" })
  | (StmtBase & { readonly kind: "pagefault_enable" })
  /** A named point in a body, for invariants over thread positions. */
  | (StmtBase & { readonly kind: "label"; readonly name: string });

export type StmtKind = Stmt["kind"];

export type CmpOp = "=" | "!=" | "<" | "<=" | ">" | ">=";

/** A comparison as TLA+ evaluates it: equality on any value, order on integers. */
export function compareValues(op: CmpOp, a: Value, b: Value): boolean {
  switch (op) {
    case "=":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return Number(a) < Number(b);
    case "<=":
      return Number(a) <= Number(b);
    case ">":
      return Number(a) > Number(b);
    case ">=":
      return Number(a) >= Number(b);
    default:
      return unreachable(op);
  }
}

/** `e` and every expression inside it, parents first. */
export function* subexprs(e: Expr): Generator<Expr> {
  yield e;
  switch (e.kind) {
    case "not":
      yield* subexprs(e.arg);
      return;
    case "and":
    case "or":
      for (const a of e.args) yield* subexprs(a);
      return;
    case "cmp":
    case "arith":
      yield* subexprs(e.left);
      yield* subexprs(e.right);
      return;
    case "lit":
    case "var":
    case "held":
    case "done":
    case "at":
      return;
    default:
      unreachable(e);
  }
}

export type Expr =
  | { readonly kind: "lit"; readonly value: Value }
  | { readonly kind: "var"; readonly variable: string }
  | { readonly kind: "not"; readonly arg: Expr }
  | { readonly kind: "and" | "or"; readonly args: readonly Expr[] }
  | { readonly kind: "cmp"; readonly op: CmpOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "arith"; readonly op: "+" | "-"; readonly left: Expr; readonly right: Expr }
  /** Lock state: held at all, or by a given thread; `mode` narrows rwsems to read or write. */
  | { readonly kind: "held"; readonly lock: string; readonly thread?: string; readonly mode?: "read" | "write" }
  /** Thread position: finished, or standing at a label. */
  | { readonly kind: "done"; readonly thread: string }
  | { readonly kind: "at"; readonly thread: string; readonly label: string };

export interface Invariant {
  readonly id: string;
  readonly name: string;
  readonly cond: Expr;
  readonly loc: Loc;
}

/** `m.lockOrder(a, b, c)`: a is always taken before b, b before c (SEMANTICS "lock-order"). */
export interface LockOrder {
  readonly id: string;
  /** Lock ids, earliest first. */
  readonly locks: readonly string[];
  readonly loc: Loc;
}

export interface Model {
  readonly name: string;
  readonly loc: Loc;
  readonly processes: readonly Process[];
  readonly locks: readonly Lock[];
  readonly vars: readonly SharedVar[];
  readonly regions: readonly Region[];
  readonly procs: readonly Proc[];
  readonly threads: readonly Thread[];
  readonly invariants: readonly Invariant[];
  /** Check that every thread eventually finishes under weak fairness (SEMANTICS "termination"). */
  readonly termination: boolean;
  /** Declared lock orders (absent in models built before they existed: none). */
  readonly lockOrders?: readonly LockOrder[];
}

/** Exhaustiveness guard for switches over IR unions. */
export function unreachable(x: never): never {
  throw new Error(`faultline internal error: unexpected ${JSON.stringify(x)}`);
}
