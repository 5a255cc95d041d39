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
  /** A rwsem the model takes only for write, encoded as a mutex (src/ir/encode.ts): still spelled down_write/up_write. */
  readonly writeOnly?: true;
  /** Per-process locks belong to a process; global locks have none. */
  readonly process?: string;
  /** An element of a lock array (SEMANTICS "Objects"): the array's name and this element's index; `page` for page locks. */
  readonly element?: { readonly array: string; readonly index: string; readonly page?: boolean };
  readonly loc: Loc;
}

/**
 * A lock statement (or a `set`) on an array element named by a local: the element is
 * the one the local's value selects (`elements`: value -> lock or variable id);
 * lowering resolves it where the local's value is known (in the pc). `lock`
 * (`variable`) then holds any element.
 */
export interface ByLocal {
  readonly local: string;
  readonly elements: Readonly<Record<string, string>>;
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
  /** Set on the variable a `tracked` region keeps its residency in: that region's id. */
  readonly residencyOf?: string;
  /** An element of an array of shared variables (SEMANTICS "Objects"): the array's name and this element's index. */
  readonly element?: { readonly array: string; readonly index: string };
}

/**
 * A local variable (SEMANTICS "Objects"): of one thread, or of one call of a
 * procedure (fresh, with its initial value, at each call). Only its own thread
 * reads or writes it; lowering folds its value into the thread's pc.
 */
export interface Local {
  readonly id: string;
  readonly name: string;
  readonly domain: Domain;
  readonly init: Value;
  /** The thread or procedure whose body declared it. */
  readonly owner: { readonly kind: "thread" | "proc"; readonly id: string };
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
  /**
   * Tracked residency (SEMANTICS "Residency"): the shared boolean variable that says
   * whether the page is present. An access to a present page never faults, a fault
   * makes it present, an `evict` makes it absent. Untracked: any access may fault.
   */
  readonly resident?: string;
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
export type AccessOp = "copy_to_user" | "copy_from_user" | "get_user" | "put_user" | "load" | "store" | "get_user_pages";

/**
 * Does this access write user memory (FAULT_FLAG_WRITE on its fault)? As the kernel:
 * copy_to_user, put_user and stores write; copy_from_user, get_user and loads read.
 * get_user_pages says so itself (FOLL_WRITE), so it is not in this table.
 */
export function writesUser(op: Exclude<AccessOp, "get_user_pages">): boolean {
  return op === "copy_to_user" || op === "put_user" || op === "store";
}

interface StmtBase {
  readonly id: string;
  readonly loc: Loc;
}

export type Stmt =
  /** mutex_lock / spin_lock / down_read / down_write. */
  | (StmtBase & { readonly kind: "acquire"; readonly lock: string; readonly mode: LockMode; readonly byLocal?: ByLocal })
  /** mutex_unlock / spin_unlock / up_read / up_write. */
  | (StmtBase & { readonly kind: "release"; readonly lock: string; readonly mode: LockMode; readonly byLocal?: ByLocal })
  /** *_trylock: never blocks; runs `then` on success (holding the lock), `else` on failure. */
  | (StmtBase & {
      readonly kind: "trylock";
      readonly lock: string;
      readonly mode: LockMode;
      readonly byLocal?: ByLocal;
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
      /** A local that receives the outcome: 0 (or false) when the access succeeds, -EFAULT (or true) when it fails. */
      readonly ret?: string;
    })
  /**
   * get_user_pages(region, FOLL_WRITE if `write`): the caller holds the region owner's
   * mmap_lock; it may fault, and the fault runs the region's fault procedure without
   * taking mmap_lock again (SEMANTICS "get_user_pages").
   */
  | (StmtBase & { readonly kind: "gup"; readonly region: string; readonly write: boolean })
  /** Reclaim unmaps a tracked region's page (through rmap: no mmap_lock). */
  | (StmtBase & { readonly kind: "evict"; readonly region: string })
  /**
   * `return VM_FAULT_RETRY` from a fault procedure (SEMANTICS "VM_FAULT_RETRY"): the
   * fault path's mmap_lock read hold is released, `body` runs without it (what
   * lock_page_or_retry and handle_userfault do before returning: wait), and the
   * access is attempted again.
   */
  | (StmtBase & { readonly kind: "fault_retry"; readonly body: readonly Stmt[] })
  | (StmtBase & { readonly kind: "either"; readonly branches: readonly (readonly Stmt[])[] })
  /** Assigns a shared variable; `byLocal`: an array element named by a local (`variable` then holds any element). */
  | (StmtBase & { readonly kind: "set"; readonly variable: string; readonly value: Expr; readonly byLocal?: ByLocal })
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
  /**
   * while (cond) body; `loop(body)` is `while (true)`. Without a bound it is a back
   * edge in the thread's control flow; with one it is unrolled `bound` times and a
   * further iteration is a `loop-bound` finding (an exploration cut-off).
   */
  | (StmtBase & {
      readonly kind: "while";
      readonly cond: Expr;
      readonly bound?: number;
      readonly body: readonly Stmt[];
    })
  /** Leaves the innermost loop. */
  | (StmtBase & { readonly kind: "break" })
  /** Goes back to the innermost loop's condition. */
  | (StmtBase & { readonly kind: "continue" })
  /** Assigns a local (thread-local: no other thread sees it). */
  | (StmtBase & { readonly kind: "assign"; readonly local: string; readonly value: Expr })
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
    case "elem":
      yield* subexprs(e.index);
      return;
    case "lit":
    case "var":
    case "local":
    case "held":
    case "done":
    case "at":
    case "fault-flag":
      return;
    default:
      unreachable(e);
  }
}

/**
 * `e` rebuilt bottom-up: every node's children are mapped first, then `f` maps the
 * node (with its new children). The one walk that rewriting passes share
 * (lowering's FAULT_FLAG_* and locals folding), as `subexprs` is for reading.
 */
export function mapExpr(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case "not":
      return f({ ...e, arg: mapExpr(e.arg, f) });
    case "and":
    case "or":
      return f({ ...e, args: e.args.map((a) => mapExpr(a, f)) });
    case "cmp":
    case "arith":
      return f({ ...e, left: mapExpr(e.left, f), right: mapExpr(e.right, f) } as Expr);
    case "elem":
      return f({ ...e, index: mapExpr(e.index, f) });
    case "lit":
    case "var":
    case "local":
    case "held":
    case "done":
    case "at":
    case "fault-flag":
      return f(e);
    default:
      return unreachable(e);
  }
}

export type Expr =
  /** `spelled`: how the model wrote it, when lowering made it a constant (FAULT_FLAG_WRITE). */
  | { readonly kind: "lit"; readonly value: Value; readonly spelled?: string }
  | { readonly kind: "var"; readonly variable: string }
  /**
   * An element of an array of shared variables named by a local (`index`, a `local`
   * node): the variable `elements[value of index]`. Lowering folds it into a `var`
   * wherever the local's value is known (every thread body); only invariants keep it.
   */
  | { readonly kind: "elem"; readonly array: string; readonly index: Expr; readonly elements: Readonly<Record<string, string>> }
  /** A local's value; `thread` is set for thread locals (invariants may read those). */
  | { readonly kind: "local"; readonly local: string; readonly thread?: string }
  | { readonly kind: "not"; readonly arg: Expr }
  | { readonly kind: "and" | "or"; readonly args: readonly Expr[] }
  | { readonly kind: "cmp"; readonly op: CmpOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "arith"; readonly op: "+" | "-"; readonly left: Expr; readonly right: Expr }
  /** Lock state: held at all, or by a given thread; `mode` narrows rwsems to read or write. */
  | { readonly kind: "held"; readonly lock: string; readonly thread?: string; readonly mode?: "read" | "write" }
  /** Thread position: finished, or standing at a label. */
  | { readonly kind: "done"; readonly thread: string }
  | { readonly kind: "at"; readonly thread: string; readonly label: string }
  /**
   * `vmf->flags & FAULT_FLAG_*` inside a fault procedure: `write`, the access that
   * faulted writes user memory; `allow-retry`, the procedure may return
   * VM_FAULT_RETRY (a user access's first attempt); `tried`, this is the attempt after
   * a retry. Lowering replaces it by a constant per fault path, so nothing after
   * lowering (generator, explorer, merging) ever sees it.
   */
  | { readonly kind: "fault-flag"; readonly flag: FaultFlag };

export type FaultFlag = "write" | "allow-retry" | "tried";

/** The kernel's name of a fault flag. */
export function faultFlagName(f: FaultFlag): string {
  return f === "write" ? "FAULT_FLAG_WRITE" : f === "allow-retry" ? "FAULT_FLAG_ALLOW_RETRY" : "FAULT_FLAG_TRIED";
}

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
  readonly locals: readonly Local[];
  readonly regions: readonly Region[];
  readonly procs: readonly Proc[];
  readonly threads: readonly Thread[];
  readonly invariants: readonly Invariant[];
  /** Check that every thread eventually finishes under weak fairness (SEMANTICS "termination"). */
  readonly termination: boolean;
  /** Declared lock orders (absent in models built before they existed: none). */
  readonly lockOrders?: readonly LockOrder[];
}

/** The name of element `i` of array `name`: `name[i]`, or `name` with `[]` replaced (`inode[].i_rwsem` -> `inode[A].i_rwsem`). */
export function elementName(name: string, i: string): string {
  return name.includes("[]") ? name.replace("[]", `[${i}]`) : `${name}[${i}]`;
}

/** Exhaustiveness guard for switches over IR unions. */
export function unreachable(x: never): never {
  throw new Error(`faultline internal error: unexpected ${JSON.stringify(x)}`);
}
