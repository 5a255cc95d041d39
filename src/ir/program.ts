// Lowering: each thread's body becomes a graph of nodes, one per operation, with
// procedures inlined, every user access expanded into its page-fault path
// (SEMANTICS "User memory access") and loops as back edges (bounded ones
// unrolled). Locals are folded into the pc: a node is a statement together with
// the values of the locals live there, so reading and writing them costs no state
// beyond what their values force (SEMANTICS "Objects": locals). The generator
// emits one TLA+ action per node; trace translation maps pcs back here.

import type { Diagnostic } from "./diagnostics.js";
import { formatLoc } from "./diagnostics.js";
import type { AccessOp, ByLocal, Expr, Loc, Local, LockMode, Model, Region, Stmt, Value } from "./types.js";
import { compareValues, faultFlagName, mapExpr, subexprs, unreachable, writesUser } from "./types.js";

/** The pc of a finished thread. */
export const DONE = "Done";

/** How a node was reached: through a procedure call, or inside a page fault's handler. */
export type Frame =
  | { readonly kind: "call"; readonly proc: string; readonly loc: Loc }
  | { readonly kind: "fault"; readonly region: string; readonly loc: Loc };

/**
 * `resident`: the region is tracked (SEMANTICS "Residency"); this boolean variable
 * decides the outcome (present: `next`, absent: `target`) instead of a free choice.
 */
export type FaultOutcome =
  /** Pinned memory: the access never faults. */
  | { readonly kind: "none" }
  /** Page faults enabled: the fault path runs from `target`. */
  | { readonly kind: "handle"; readonly target: string; readonly resident?: string }
  /** Page faults disabled: the access fails (-EFAULT) and control goes to `target`. */
  | { readonly kind: "fail"; readonly target: string; readonly resident?: string };

export type Op =
  | {
      readonly kind: "acquire";
      readonly lock: string;
      readonly mode: LockMode;
      readonly next: string;
      /** Set when this is the fault path's down_read of the region owner's mmap_lock. */
      readonly fault?: string;
      /** Before lowering resolves it: the array element is the one a local's value names. */
      readonly byLocal?: ByLocal;
    }
  | {
      readonly kind: "release";
      readonly lock: string;
      readonly mode: LockMode;
      readonly next: string;
      readonly fault?: string;
      /** The fault path's up_read of a fault procedure that returned VM_FAULT_RETRY. */
      readonly retry?: true;
      readonly byLocal?: ByLocal;
    }
  | { readonly kind: "trylock"; readonly lock: string; readonly mode: LockMode; readonly ok: string; readonly fail: string; readonly byLocal?: ByLocal }
  | { readonly kind: "access"; readonly region: string; readonly op: AccessOp; readonly next: string; readonly fault: FaultOutcome }
  | { readonly kind: "choose"; readonly targets: readonly string[] }
  /** `byLocal`: before lowering resolves it, the array element a local's value names. */
  | { readonly kind: "set"; readonly variable: string; readonly value: Expr; readonly next: string; readonly byLocal?: ByLocal }
  /** `shown`, on a condition that read locals: the condition as written (`cond` has their values in). */
  | { readonly kind: "branch"; readonly cond: Expr; readonly then: string; readonly else: string; readonly loop: boolean; readonly shown?: Expr }
  | { readonly kind: "await"; readonly cond: Expr; readonly next: string; readonly shown?: Expr }
  /** `bound` is set on a bounded loop's cut-off: its failure is a `loop-bound` finding, not an assertion. */
  | { readonly kind: "assert"; readonly cond: Expr; readonly message: string; readonly next: string; readonly bound?: number; readonly shown?: Expr }
  /**
   * Assigns a local (thread-local). After lowering `value` is a literal: the node's
   * pc already says which value. `reset` marks a procedure local made fresh at a call.
   */
  | { readonly kind: "local"; readonly local: string; readonly value: Expr; readonly next: string; readonly reset?: boolean };

export interface Node {
  /** Unique within the thread: `p1`, `p2`, ... in program order. */
  readonly pc: string;
  readonly thread: string;
  /** The IR statement this node comes from. */
  readonly stmt: string;
  readonly loc: Loc;
  /** Call and fault frames, outermost first. */
  readonly via: readonly Frame[];
  readonly op: Op;
  /** The values of the locals live on arrival here (local id -> value); the others hold their initial value. */
  readonly locals: Readonly<Record<string, Value>>;
}

export interface ThreadProgram {
  readonly thread: string;
  readonly entry: string;
  readonly nodes: readonly Node[];
  /** Label name -> the pcs of the nodes it stands before (one per value of the locals there), or DONE. */
  readonly labels: ReadonlyMap<string, readonly string[]>;
}

export interface Program {
  readonly threads: readonly ThreadProgram[];
  readonly diagnostics: readonly Diagnostic[];
}

export function successors(op: Op): readonly string[] {
  switch (op.kind) {
    case "acquire":
    case "release":
    case "set":
    case "await":
    case "assert":
    case "local":
      return [op.next];
    case "trylock":
      return [op.ok, op.fail];
    case "access":
      return op.fault.kind === "none" ? [op.next] : [op.next, op.fault.target];
    case "choose":
      return op.targets;
    case "branch":
      return [op.then, op.else];
    default:
      return unreachable(op);
  }
}

/** Nodes per thread beyond which a model is too large to inline and unroll. */
const MAX_NODES = 20_000;

/** Page-fault-disable depth flowing forward; `null` after a `return` (nothing flows on). */
type Depth = number | null;

interface Env {
  readonly via: readonly Frame[];
  /** Where `return` goes. */
  readonly ret: string;
  /** Page-fault-disable depth at entry of the enclosing procedure (a return must restore it). */
  readonly entryDepth: number;
  /** The innermost loop: where `break` and `continue` go, and its page-fault-disable depth. */
  readonly loop?: { readonly brk: string; readonly cont: string; readonly depth: number };
  /** Inside a fault path: whether the faulting access writes (FAULT_FLAG_WRITE); absent outside one. */
  readonly faultWrite?: boolean;
  /** Inside a fault path: this is the attempt after a VM_FAULT_RETRY (FAULT_FLAG_TRIED). */
  readonly faultTried?: boolean;
  /** Inside a fault path that may return VM_FAULT_RETRY (FAULT_FLAG_ALLOW_RETRY): where it goes. */
  readonly faultRetry?: Retry;
}

/** How a fault procedure's VM_FAULT_RETRY leaves: up_read of `lock`, then the access again at `again`. */
interface Retry {
  readonly lock: string;
  readonly region: string;
  readonly again: string;
  /** Page-fault-disable depth the fault procedure started with (a retry must restore it). */
  readonly depth: number;
  /** Set once a retry is lowered: only then is the retried attempt lowered. */
  used: boolean;
}

class ThreadLowering {
  readonly nodes = new Map<string, { stmt: string; loc: Loc; via: readonly Frame[]; op: Op }>();
  /** Symbolic labels that resolve to another label, a node, or DONE. */
  readonly alias = new Map<string, string>();
  readonly labels = new Map<string, string>();
  #n = 0;
  tooLarge = false;

  constructor(
    readonly model: Model,
    readonly threadId: string,
    readonly error: (code: string, message: string, loc: Loc) => void,
    readonly warn: (code: string, message: string, loc: Loc) => void = error,
  ) {}

  fresh(): string {
    this.#n += 1;
    return `_${this.#n}`;
  }

  emit(at: string, stmt: Stmt, via: readonly Frame[], op: Op): void {
    if (this.nodes.size >= MAX_NODES) {
      if (!this.tooLarge) {
        this.error("FL320", `thread '${this.threadName()}' has more than ${MAX_NODES} steps after inlining and unrolling; use smaller loop bounds or fewer nested calls`, stmt.loc);
      }
      this.tooLarge = true;
      this.alias.set(at, DONE);
      return;
    }
    this.nodes.set(at, { stmt: stmt.id, loc: stmt.loc, via, op });
  }

  threadName(): string {
    return this.model.threads.find((t) => t.id === this.threadId)?.name ?? this.threadId;
  }

  /** Compiles `stmts` starting at label `entry`, continuing to `k`; returns the depth at the end. */
  seq(stmts: readonly Stmt[], entry: string, k: string, env: Env, depth: number): Depth {
    let cur = entry;
    let d: Depth = depth;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i] as Stmt;
      const next = i === stmts.length - 1 ? k : this.fresh();
      if (d === null) {
        // Dead code after a return: nothing reaches it, so nothing is emitted.
        this.alias.set(cur, next);
        this.unreachableReleases(s);
      } else {
        d = this.stmt(s, cur, next, env, d);
      }
      cur = next;
    }
    if (stmts.length === 0) this.alias.set(entry, k);
    return d;
  }

  /**
   * A release no path reaches (it follows a return) never runs: warning FL301, the
   * model is still checked (a reachable release is checked by TLC: `bad-unlock`).
   */
  unreachableReleases(s: Stmt): void {
    const walk = (x: Stmt): void => {
      if (x.kind === "release") {
        const lock = this.model.locks.find((l) => l.id === x.lock);
        if (!lock) return;
        const how = x.mode === "excl" ? "" : ` for ${x.mode}`;
        this.warn("FL301", `thread '${this.threadName()}' can never reach this release of '${lock.name}'${how}: it follows a return on every path; remove it, or move it before the return`, x.loc);
      }
      const nested = x.kind === "trylock" || x.kind === "if" ? [x.then, x.else] : x.kind === "either" ? x.branches : x.kind === "repeat" || x.kind === "while" ? [x.body] : x.kind === "access" && x.onFault ? [x.onFault] : [];
      for (const b of nested) b.forEach(walk);
    };
    walk(s);
  }

  /** Joins the depths of branches that meet again. */
  join(s: Stmt, ds: readonly Depth[]): Depth {
    const live = ds.filter((d): d is number => d !== null);
    if (live.length === 0) return null;
    if (new Set(live).size > 1) {
      this.error("FL311", `branches of this statement leave page faults disabled on some paths and enabled on others; balance pagefaultDisable()/pagefaultEnable() in each branch`, s.loc);
    }
    return Math.max(...live);
  }

  stmt(s: Stmt, at: string, k: string, env: Env, d: number): Depth {
    switch (s.kind) {
      case "acquire":
      case "release":
        this.emit(at, s, env.via, { kind: s.kind, lock: s.lock, mode: s.mode, next: k, ...(s.byLocal ? { byLocal: s.byLocal } : {}) });
        return d;
      case "trylock": {
        const ok = this.fresh();
        const fail = this.fresh();
        this.emit(at, s, env.via, { kind: "trylock", lock: s.lock, mode: s.mode, ok, fail, ...(s.byLocal ? { byLocal: s.byLocal } : {}) });
        return this.join(s, [this.seq(s.then, ok, k, env, d), this.seq(s.else, fail, k, env, d)]);
      }
      case "call": {
        const proc = this.model.procs.find((p) => p.id === s.proc);
        if (!proc) {
          this.alias.set(at, k);
          return d;
        }
        const inner: Env = { ...env, via: [...env.via, { kind: "call", proc: proc.id, loc: s.loc }], ret: k, entryDepth: d };
        const end = this.seq(proc.body, this.resets(proc.id, s, at, inner.via), k, inner, d);
        if (end !== null && end !== d) {
          this.error("FL312", `procedure '${proc.name}' returns with page faults ${end > d ? "still disabled" : "enabled more often than disabled"}; balance pagefaultDisable()/pagefaultEnable() inside it`, proc.loc);
        }
        return d;
      }
      case "access":
        return this.access(s, at, k, env, d);
      case "gup":
        return this.gup(s, at, k, env, d);
      case "fault_retry": {
        const r = env.faultRetry;
        if (env.faultWrite === undefined) {
          this.error("FL346", `faultRetry() returns VM_FAULT_RETRY from a fault procedure, but thread '${this.threadName()}' runs this line outside any page fault; call it only in a region's fault procedure`, s.loc);
        } else if (!r) {
          this.error("FL347", `faultRetry() where FAULT_FLAG_ALLOW_RETRY is clear (a get_user_pages fault, or the body of another faultRetry()); the kernel returns VM_FAULT_RETRY only when the flag allows it: test FAULT_FLAG_ALLOW_RETRY first`, s.loc);
        } else {
          if (d !== r.depth) this.error("FL313", `returns VM_FAULT_RETRY with page faults disabled; call pagefaultEnable() first`, s.loc);
          r.used = true;
          const body = this.fresh();
          this.emit(at, s, env.via, { kind: "release", lock: r.lock, mode: "read", next: body, fault: r.region, retry: true });
          // The body runs in the fault handler without mmap_lock, cannot retry again, and
          // a return in it ends the handler (with VM_FAULT_RETRY: the access goes again).
          const { faultRetry: _, ...rest } = env;
          const end = this.seq(s.body, body, r.again, { ...rest, ret: r.again, entryDepth: d }, d);
          if (end !== null && end !== d) this.error("FL311", `the body of faultRetry() changes whether page faults are disabled; balance pagefaultDisable()/pagefaultEnable() inside it`, s.loc);
        }
        if (!r) this.alias.set(at, env.ret);
        return null;
      }
      case "evict": {
        // Reclaim through rmap: the page goes, no mmap_lock is taken (SEMANTICS "Residency").
        const resident = this.model.regions.find((r) => r.id === s.region)?.resident;
        if (resident === undefined) this.alias.set(at, k);
        else this.emit(at, s, env.via, { kind: "set", variable: resident, value: { kind: "lit", value: false }, next: k });
        return d;
      }
      case "either": {
        if (s.branches.length === 0) {
          this.alias.set(at, k);
          return d;
        }
        const targets = s.branches.map(() => this.fresh());
        this.emit(at, s, env.via, { kind: "choose", targets });
        return this.join(
          s,
          s.branches.map((b, i) => this.seq(b, targets[i] as string, k, env, d)),
        );
      }
      case "set":
        this.emit(at, s, env.via, { kind: "set", variable: s.variable, value: this.flags(s.value, env, s), next: k, ...(s.byLocal ? { byLocal: s.byLocal } : {}) });
        return d;
      case "assign":
        this.emit(at, s, env.via, { kind: "local", local: s.local, value: s.value, next: k });
        return d;
      case "if": {
        const t = this.fresh();
        const cond = this.flags(s.cond, env, s);
        const known = [...subexprs(s.cond)].some((x) => x.kind === "fault-flag") ? literal(cond) : undefined;
        if (known !== undefined) {
          // Decided by FAULT_FLAG_* alone: this fault path only has the branch it takes
          // (the node stays, so traces show the test; both its exits lead there).
          this.emit(at, s, env.via, { kind: "branch", cond, then: t, else: t, loop: false });
          return this.seq(known ? s.then : s.else, t, k, env, d);
        }
        const e = this.fresh();
        this.emit(at, s, env.via, { kind: "branch", cond, then: t, else: e, loop: false });
        return this.join(s, [this.seq(s.then, t, k, env, d), this.seq(s.else, e, k, env, d)]);
      }
      case "await":
        this.emit(at, s, env.via, { kind: "await", cond: this.flags(s.cond, env, s), next: k });
        return d;
      case "repeat": {
        let cur = at;
        for (let i = 0; i < s.times; i++) {
          const next = i === s.times - 1 ? k : this.fresh();
          const end = this.seq(s.body, cur, next, { ...env, loop: { brk: k, cont: next, depth: d } }, d);
          if (end !== null && end !== d) this.unbalancedLoop(s);
          cur = next;
        }
        if (s.times <= 0) this.alias.set(at, k);
        return d;
      }
      case "while": {
        if (s.bound === undefined) {
          // SEMANTICS "Control flow": a back edge. The head is a node of its own, so
          // every cycle of the graph passes through a node (merge.ts keeps one per cycle).
          const body = this.fresh();
          this.emit(at, s, env.via, { kind: "branch", cond: s.cond, then: body, else: k, loop: true });
          const end = this.seq(s.body, body, at, { ...env, loop: { brk: k, cont: at, depth: d } }, d);
          if (end !== null && end !== d) this.unbalancedLoop(s);
          return d;
        }
        // An explicit cut-off: unrolled `bound` times; a further iteration is a `loop-bound` finding.
        let cur = at;
        for (let i = 0; i < s.bound; i++) {
          const body = this.fresh();
          const next = this.fresh();
          this.emit(cur, s, env.via, { kind: "branch", cond: this.flags(s.cond, env, s), then: body, else: k, loop: true });
          const end = this.seq(s.body, body, next, { ...env, loop: { brk: k, cont: next, depth: d } }, d);
          if (end !== null && end !== d) this.unbalancedLoop(s);
          cur = next;
        }
        const message = `loop at ${formatLoc(s.loc)} reaches its bound of ${s.bound} iterations`;
        this.emit(cur, s, env.via, { kind: "assert", cond: { kind: "not", arg: this.flags(s.cond, env, s) }, message, next: k, bound: s.bound });
        return d;
      }
      case "break":
      case "continue": {
        const loop = env.loop;
        // Outside a loop validation reports FL234; nothing flows on.
        if (loop === undefined) return null;
        if (d !== loop.depth) {
          this.error("FL311", `${s.kind} with page faults disabled inside the loop; call pagefaultEnable() first`, s.loc);
        }
        this.alias.set(at, s.kind === "break" ? loop.brk : loop.cont);
        return null;
      }
      case "return":
        if (d !== env.entryDepth) {
          this.error("FL313", `returns with page faults disabled; call pagefaultEnable() before returning`, s.loc);
        }
        this.alias.set(at, env.ret);
        return null;
      case "assert":
        this.emit(at, s, env.via, { kind: "assert", cond: this.flags(s.cond, env, s), message: s.message, next: k });
        return d;
      case "pagefault_disable":
        this.alias.set(at, k);
        return d + 1;
      case "pagefault_enable":
        this.alias.set(at, k);
        if (d === 0) {
          this.error("FL310", `pagefaultEnable() without a matching pagefaultDisable() on this path`, s.loc);
          return 0;
        }
        return d - 1;
      case "label":
        this.alias.set(at, k);
        if (!this.labels.has(s.name)) this.labels.set(s.name, at);
        return d;
      default:
        return unreachable(s);
    }
  }

  /** A procedure's locals start fresh at each call (SEMANTICS "Objects"): one reset node each, before `entry`'s body. */
  resets(proc: string, s: Stmt, entry: string, via: readonly Frame[]): string {
    const locals = this.model.locals.filter((l) => l.owner.kind === "proc" && l.owner.id === proc);
    if (locals.length === 0) return entry;
    let cur = entry;
    for (const l of locals) {
      const next = this.fresh();
      this.emit(cur, s, via, { kind: "local", local: l.id, value: { kind: "lit", value: l.init }, next, reset: true });
      cur = next;
    }
    return cur;
  }

  /** Where an access that stores its result in `ret` goes on `outcome` (0 or -EFAULT): a node assigning it, then `k`. */
  result(s: Extract<Stmt, { kind: "access" }>, via: readonly Frame[], outcome: "ok" | "fault", k: string): string {
    const l = s.ret === undefined ? undefined : this.model.locals.find((x) => x.id === s.ret);
    if (l === undefined) return k;
    const at = this.fresh();
    this.emit(at, s, via, { kind: "local", local: l.id, value: { kind: "lit", value: accessResult(l, outcome) }, next: k });
    return at;
  }

  unbalancedLoop(s: Stmt): void {
    this.error("FL311", `the loop body changes whether page faults are disabled; balance pagefaultDisable()/pagefaultEnable() inside it`, s.loc);
  }

  /**
   * `e` with FAULT_FLAG_WRITE replaced by what the innermost fault path knows: a
   * constant per fault path, so merging sees a constant branch (SEMANTICS "the fault
   * path knows whether a read or a write access faulted"). Outside a fault: FL342.
   */
  flags(e: Expr, env: Env, s: Stmt): Expr {
    return mapExpr(e, (x) => {
      if (x.kind !== "fault-flag") return x;
      const name = faultFlagName(x.flag);
      if (env.faultWrite === undefined) {
        this.error("FL342", `'${name}' is only known inside a fault path, and thread '${this.threadName()}' runs this line outside any page fault; move the test into the region's fault procedure`, s.loc);
        return { kind: "lit", value: false };
      }
      const value = x.flag === "write" ? env.faultWrite : x.flag === "tried" ? env.faultTried === true : env.faultRetry !== undefined;
      return { kind: "lit", value, spelled: `vmf->flags & ${name}` };
    });
  }

  access(s: Extract<Stmt, { kind: "access" }>, at: string, k: string, env: Env, d: number, tried = false): Depth {
    const region = this.model.regions.find((r) => r.id === s.region);
    const ok = this.result(s, env.via, "ok", k);
    if (!region || region.pinned) {
      this.emit(at, s, env.via, { kind: "access", region: s.region, op: s.op, next: ok, fault: { kind: "none" } });
      return d;
    }
    const target = this.fresh();
    const resident = region.resident === undefined ? {} : { resident: region.resident };
    if (d > 0) {
      // SEMANTICS: with page faults disabled a fault takes no lock and the access fails.
      this.emit(at, s, env.via, { kind: "access", region: s.region, op: s.op, next: ok, fault: { kind: "fail", target, ...resident } });
      const handler = this.fresh();
      this.alias.set(target, this.result(s, env.via, "fault", handler));
      const end = this.seq(s.onFault ?? [], handler, k, env, d);
      return this.join(s, [d, end]);
    }
    // SEMANTICS: the fault path runs in the faulting thread: down_read(owner's mmap_lock),
    // the region's fault procedure (file regions), up_read.
    this.emit(at, s, env.via, { kind: "access", region: s.region, op: s.op, next: ok, fault: { kind: "handle", target, ...resident } });
    const owner = this.model.processes.find((p) => p.id === region.process);
    const mmap = owner?.mmapLock ?? "?lock";
    const via: Frame[] = [...env.via, { kind: "fault", region: region.id, loc: s.loc }];
    const handler = this.fresh();
    const release = this.fresh();
    this.emit(target, s, via, { kind: "acquire", lock: mmap, mode: "read", next: handler, fault: region.id });
    // SEMANTICS "VM_FAULT_RETRY": the access is attempted again from the start, and may
    // fault and retry again (since Linux 5.7 FAULT_FLAG_ALLOW_RETRY stays set on the
    // attempts after a retry, which carry FAULT_FLAG_TRIED): a back edge. A fault
    // procedure that reads FAULT_FLAG_TRIED gets a second copy of the access for the
    // retried attempts, which loops to itself; one that does not loops to the first.
    const again = tried || !readsTried(this.model, region) ? at : this.fresh();
    const retry: Retry = { lock: mmap, region: region.id, again, depth: d, used: false };
    const installed = this.faultPath(s, region, handler, release, via, d, s.op !== "get_user_pages" && writesUser(s.op), { tried, retry });
    this.emit(installed, s, via, { kind: "release", lock: mmap, mode: "read", next: ok, fault: region.id });
    if (retry.used && again !== at) this.access(s, again, k, env, d, true);
    return d;
  }

  /**
   * get_user_pages under the caller's mmap_lock (SEMANTICS "get_user_pages"): it may
   * fault (a tracked region: iff absent), and the fault runs the region's fault
   * procedure without taking mmap_lock again. Page faults disabled or not, it is the
   * same (faultin_page calls handle_mm_fault itself). FL340 checks the lock is held.
   */
  gup(s: Extract<Stmt, { kind: "gup" }>, at: string, k: string, env: Env, d: number): Depth {
    const region = this.model.regions.find((r) => r.id === s.region);
    const emptyPath = region !== undefined && region.fault === undefined && region.resident === undefined;
    if (!region || region.pinned || emptyPath) {
      // Pinned: never faults; an untracked anonymous page: a fault would change nothing visible.
      this.emit(at, s, env.via, { kind: "access", region: s.region, op: "get_user_pages", next: k, fault: { kind: "none" } });
      return d;
    }
    const target = this.fresh();
    const resident = region.resident === undefined ? {} : { resident: region.resident };
    this.emit(at, s, env.via, { kind: "access", region: s.region, op: "get_user_pages", next: k, fault: { kind: "handle", target, ...resident } });
    const via: Frame[] = [...env.via, { kind: "fault", region: region.id, loc: s.loc }];
    const end = this.faultPath(s, region, target, k, via, d, s.write);
    if (end !== k) this.alias.set(end, k);
    return d;
  }

  /**
   * The region's fault procedure from `entry` to `exit`, with FAULT_FLAG_WRITE set to
   * `write`; for a tracked region, then the pte install that makes it present. Returns
   * the label after all of it (where the fault path's up_read goes, if any).
   */
  faultPath(
    s: Stmt,
    region: Region,
    entry: string,
    exit: string,
    via: readonly Frame[],
    d: number,
    write: boolean,
    attempt: { readonly tried: boolean; readonly retry?: Retry } = { tried: false },
  ): string {
    const installed = region.resident === undefined ? exit : this.fresh();
    const proc = region.fault ? this.model.procs.find((p) => p.id === region.fault) : undefined;
    if (proc) {
      const retry = attempt.retry ? { faultRetry: attempt.retry } : {};
      const inner: Env = { via: [...via, { kind: "call", proc: proc.id, loc: region.loc }], ret: installed, entryDepth: d, faultWrite: write, faultTried: attempt.tried, ...retry };
      const end = this.seq(proc.body, this.resets(proc.id, s, entry, inner.via), installed, inner, d);
      if (end !== null && end !== d) {
        this.error("FL312", `fault procedure '${proc.name}' returns with page faults disabled; balance pagefaultDisable()/pagefaultEnable() inside it`, proc.loc);
      }
    } else {
      this.alias.set(entry, installed);
    }
    if (region.resident === undefined) return exit;
    const after = this.fresh();
    this.emit(installed, s, via, { kind: "set", variable: region.resident, value: { kind: "lit", value: true }, next: after });
    return after;
  }

  resolve(label: string): string {
    let l = label;
    const seen = new Set<string>();
    while (!this.nodes.has(l) && l !== DONE) {
      if (seen.has(l)) return DONE;
      seen.add(l);
      const next = this.alias.get(l);
      if (next === undefined) return DONE;
      l = next;
    }
    return l;
  }
}

/** Does the region's fault procedure, or a procedure it calls, test FAULT_FLAG_TRIED? */
function readsTried(model: Model, region: Region): boolean {
  const seen = new Set<string>();
  const inProc = (id: string | undefined): boolean => {
    if (id === undefined || seen.has(id)) return false;
    seen.add(id);
    return inStmts(model.procs.find((p) => p.id === id)?.body ?? []);
  };
  const tried = (e: Expr): boolean => [...subexprs(e)].some((x) => x.kind === "fault-flag" && x.flag === "tried");
  const inStmts = (ss: readonly Stmt[]): boolean =>
    ss.some((s) => {
      switch (s.kind) {
        case "call":
          return inProc(s.proc);
        case "if":
          return tried(s.cond) || inStmts(s.then) || inStmts(s.else);
        case "while":
          return tried(s.cond) || inStmts(s.body);
        case "await":
        case "assert":
          return tried(s.cond);
        case "set":
        case "assign":
          return tried(s.value);
        case "trylock":
          return inStmts(s.then) || inStmts(s.else);
        case "either":
          return s.branches.some(inStmts);
        case "repeat":
        case "fault_retry":
          return inStmts(s.body);
        case "access":
          return inStmts(s.onFault ?? []);
        default:
          return false;
      }
    });
  return inProc(region.fault);
}

/** The value of a condition its boolean literals decide (after FAULT_FLAG_* are resolved), else undefined. */
export function literal(e: Expr): boolean | undefined {
  switch (e.kind) {
    case "lit":
      return typeof e.value === "boolean" ? e.value : undefined;
    case "not": {
      const a = literal(e.arg);
      return a === undefined ? undefined : !a;
    }
    case "and":
    case "or": {
      // Decided by one literal argument alone (`FAULT_FLAG_ALLOW_RETRY && x` on a path where the flag is clear).
      const vs = e.args.map(literal);
      const absorbing = e.kind === "or";
      if (vs.some((v) => v === absorbing)) return absorbing;
      if (vs.some((v) => v === undefined)) return undefined;
      return !absorbing;
    }
    default:
      return undefined;
  }
}

/** Renames every label in `op` with `f`. */
function mapTargets(op: Op, f: (l: string) => string): Op {
  switch (op.kind) {
    case "acquire":
    case "release":
    case "set":
    case "await":
    case "assert":
    case "local":
      return { ...op, next: f(op.next) };
    case "trylock":
      return { ...op, ok: f(op.ok), fail: f(op.fail) };
    case "access":
      return { ...op, next: f(op.next), fault: op.fault.kind === "none" ? op.fault : { ...op.fault, target: f(op.fault.target) } };
    case "choose":
      return { ...op, targets: op.targets.map(f) };
    case "branch":
      return { ...op, then: f(op.then), else: f(op.else) };
    default:
      return unreachable(op);
  }
}

function lowerThread(model: Model, threadId: string, error: (code: string, message: string, loc: Loc) => void, warn = error): ThreadProgram {
  const thread = model.threads.find((t) => t.id === threadId);
  if (!thread) throw new Error(`faultline internal error: no thread ${threadId}`);
  const tl = new ThreadLowering(model, threadId, error, warn);
  const entry = tl.fresh();
  const env: Env = { via: [], ret: DONE, entryDepth: 0 };
  const end = tl.seq(thread.body, entry, DONE, env, 0);
  if (end !== null && end > 0) {
    error("FL313", `thread '${thread.name}' ends with page faults disabled; call pagefaultEnable()`, thread.loc);
  }

  // The product of the statement graph with the values of the locals live at each
  // statement: a node per (statement, values) pair reachable from the entry, with
  // every expression's locals replaced by their values there. A local nobody reads
  // any more is dropped from the pair (it holds its initial value), so a branch on
  // a local costs exactly the states the same branch written on constants costs.
  const locals = new Map(model.locals.map((l) => [l.id, l]));
  const live = liveLocals(model, tl, threadId);
  type Vals = ReadonlyMap<string, Value>;
  const keyOf = (label: string, vals: Vals): string => `${label}|${[...vals].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}`;
  const project = (label: string, vals: Vals): Vals => {
    const l = live.get(label);
    const out = new Map<string, Value>();
    for (const [k, v] of [...vals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (l?.has(k) && v !== locals.get(k)?.init) out.set(k, v);
    }
    return out;
  };
  const valueOf = (vals: Vals, id: string): Value => vals.get(id) ?? (locals.get(id)?.init as Value);

  // Numbered p1, p2, ... in depth-first program order (first successors first).
  const names = new Map<string, string>();
  const order: { key: string; label: string; vals: Vals }[] = [];
  const items = new Map<string, { key: string; label: string; vals: Vals }>();
  const opOf = new Map<string, Op>();
  /** The key of going to template `label` with `vals` (resolved, projected), or DONE. */
  const keyTo = (label: string, vals: Vals): string => {
    const r = tl.resolve(label);
    if (r === DONE) return DONE;
    const v = project(r, vals);
    const key = keyOf(r, v);
    if (!items.has(key)) items.set(key, { key, label: r, vals: v });
    return key;
  };
  const entryKey = keyTo(entry, new Map());
  const stack = entryKey === DONE ? [] : [entryKey];
  let tooLarge = false;
  while (stack.length > 0) {
    const key = stack.pop() as string;
    if (names.has(key)) continue;
    if (names.size >= MAX_NODES) {
      if (!tooLarge) error("FL320", `thread '${thread.name}' has more than ${MAX_NODES} steps after inlining, unrolling and the values of its locals; use smaller loop bounds, fewer nested calls or smaller local domains`, thread.loc);
      tooLarge = true;
      break;
    }
    const item = items.get(key) as { key: string; label: string; vals: Vals };
    names.set(key, `p${names.size + 1}`);
    order.push(item);
    const n = tl.nodes.get(item.label);
    if (!n) continue;
    let op = resolveElement(substitute(n.op, (id) => valueOf(item.vals, id)), (id) => valueOf(item.vals, id));
    let after: Vals = item.vals;
    if (op.kind === "local") {
      const l = locals.get(op.local);
      const v = evalLocal(op.value);
      if (l !== undefined && v !== undefined && !inLocalDomain(l, v)) {
        // Reported once per line; the path stops here (the model is invalid anyway).
        // A constant written out of the domain is validation's FL220 already.
        if (!(n.op.kind === "local" && n.op.value.kind === "lit")) error("FL224", `sets local '${l.name}' to a value outside its domain ${showLocalDomain(l)} on some path (first ${JSON.stringify(v)}); widen the domain or guard the assignment`, n.loc);
        opOf.set(key, mapTargets(op, () => DONE));
        continue;
      }
      if (v !== undefined) after = new Map([...item.vals, [op.local, v]]);
    }
    if (op.kind === "branch" && op.shown !== undefined && op.cond.kind === "lit") {
      // A branch on locals alone: the values here decide it; the other way is not
      // taken with these values (and may not even be valid with them).
      // Both exits name the taken one: a dead exit (to DONE, say) would tell the lock-hold
      // dataflow that the thread may finish there, holding what it holds.
      const taken = keyTo(op.cond.value === true ? op.then : op.else, after);
      op = { ...op, then: taken, else: taken };
    } else op = mapTargets(op, (l) => keyTo(l, after));
    opOf.set(key, op);
    const succ = successors(op);
    for (let i = succ.length - 1; i >= 0; i--) if (succ[i] !== DONE) stack.push(succ[i] as string);
  }
  const rename = (key: string): string => (key === DONE ? DONE : (names.get(key) ?? DONE));
  const entryPc = rename(entryKey);
  const nodes: Node[] = order.map(({ key, label, vals }) => {
    const n = tl.nodes.get(label);
    if (!n) throw new Error(`faultline internal error: unresolved label ${label}`);
    return { pc: names.get(key) as string, thread: threadId, stmt: n.stmt, loc: n.loc, via: n.via, op: mapTargets(opOf.get(key) ?? n.op, rename), locals: Object.fromEntries(vals) };
  });
  // A label stands before every node of its statement, whatever the locals' values.
  const labels = new Map<string, string[]>();
  for (const [name, l] of tl.labels) {
    const r = tl.resolve(l);
    labels.set(name, r === DONE ? [DONE] : order.filter((o) => o.label === r).map((o) => names.get(o.key) as string));
  }
  return { thread: threadId, entry: entryPc, nodes, labels };
}

/** The result an access stores in its `ret` local (AccessOptions.ret): 0 or -EFAULT in the local's own domain. */
function accessResult(l: Local, outcome: "ok" | "fault"): Value {
  switch (l.domain.kind) {
    case "bool":
      return outcome === "fault";
    case "int":
      return outcome === "fault" ? -14 : 0;
    case "enum":
      return outcome === "fault" ? "-EFAULT" : "0";
    default:
      return unreachable(l.domain);
  }
}

function showLocalDomain(l: Local): string {
  const d = l.domain;
  return d.kind === "bool" ? "boolean" : d.kind === "int" ? `${d.min}..${d.max}` : `{${d.values.join(", ")}}`;
}

function inLocalDomain(l: Local, v: Value): boolean {
  const d = l.domain;
  if (d.kind === "bool") return typeof v === "boolean";
  if (d.kind === "int") return typeof v === "number" && v >= d.min && v <= d.max;
  return typeof v === "string" && d.values.includes(v);
}

/** The locals an expression reads. */
export function localsRead(e: Expr): string[] {
  return [...subexprs(e)].flatMap((x) => (x.kind === "local" ? [x.local] : []));
}

/**
 * Live locals per statement label of a thread (backwards dataflow to a fixpoint:
 * the graph has cycles): a local is live where some path reads it before it is
 * assigned. A thread local an invariant reads is live everywhere.
 */
function liveLocals(model: Model, tl: ThreadLowering, threadId: string): Map<string, Set<string>> {
  const always = new Set<string>();
  for (const inv of model.invariants) for (const x of subexprs(inv.cond)) if (x.kind === "local" && x.thread === threadId) always.add(x.local);
  const live = new Map<string, Set<string>>();
  const labels = [...tl.nodes.keys()];
  for (const l of labels) live.set(l, new Set(always));
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = labels.length - 1; i >= 0; i--) {
      const label = labels[i] as string;
      const op = (tl.nodes.get(label) as { op: Op }).op;
      const out = new Set<string>(always);
      for (const s of successors(op)) {
        const r = tl.resolve(s);
        for (const x of live.get(r) ?? []) out.add(x);
      }
      if (op.kind === "local") out.delete(op.local);
      for (const e of opExprs(op)) for (const x of localsRead(e)) out.add(x);
      if ((op.kind === "acquire" || op.kind === "release" || op.kind === "trylock" || op.kind === "set") && op.byLocal) out.add(op.byLocal.local);
      const cur = live.get(label) as Set<string>;
      if (out.size !== cur.size || [...out].some((x) => !cur.has(x))) {
        live.set(label, out);
        changed = true;
      }
    }
  }
  return live;
}

/** A lock operation or `set` on the array element a local names, with that local's value here: the element itself. */
function resolveElement(op: Op, val: (id: string) => Value): Op {
  if ((op.kind !== "acquire" && op.kind !== "release" && op.kind !== "trylock" && op.kind !== "set") || op.byLocal === undefined) return op;
  const { byLocal, ...rest } = op;
  const element = byLocal.elements[String(val(byLocal.local))];
  return (op.kind === "set" ? { ...rest, variable: element ?? op.variable } : { ...rest, lock: element ?? op.lock }) as Op;
}

/** `op` with every local replaced by its value (`val`), constant parts folded. */
function substitute(op: Op, val: (id: string) => Value): Op {
  // Expressions without locals stay exactly as written (the generated text too).
  const sub = (e: Expr): Expr => (localsRead(e).length === 0 ? e : fold(e, val));
  switch (op.kind) {
    case "set":
    case "local":
      return { ...op, value: sub(op.value) };
    case "branch":
    case "await":
    case "assert":
      return localsRead(op.cond).length === 0 ? op : { ...op, cond: sub(op.cond), shown: op.cond };
    default:
      return op;
  }
}

/** Replaces locals by literals and folds what becomes constant (so a branch on locals is a constant branch). */
function fold(e: Expr, val: (id: string) => Value): Expr {
  const lit = (value: Value): Expr => ({ kind: "lit", value });
  // Bottom-up: each node sees its children folded already.
  return mapExpr(e, (x) => {
    switch (x.kind) {
      case "local":
        return lit(val(x.local));
      case "elem": {
        // The element the local names here is a plain variable (validation: its values are all indexes).
        const v = x.index.kind === "lit" ? x.elements[String(x.index.value)] : undefined;
        return v !== undefined ? { kind: "var", variable: v } : x;
      }
      case "not":
        return x.arg.kind === "lit" ? lit(x.arg.value !== true) : x;
      case "and":
      case "or": {
        const absorbing = x.kind === "or";
        if (x.args.some((a) => a.kind === "lit" && a.value === absorbing)) return lit(absorbing);
        const rest = x.args.filter((a) => a.kind !== "lit");
        if (rest.length === 0) return lit(!absorbing);
        return rest.length === x.args.length ? x : { ...x, args: rest };
      }
      case "cmp":
        return x.left.kind === "lit" && x.right.kind === "lit" ? lit(compareValues(x.op, x.left.value, x.right.value)) : x;
      case "arith":
        if (x.left.kind === "lit" && x.right.kind === "lit") return lit(x.op === "+" ? (x.left.value as number) + (x.right.value as number) : (x.left.value as number) - (x.right.value as number));
        return x;
      default:
        // lit, var, held, done, at; fault-flag is resolved by lowering (flags()) before locals are folded.
        return x;
    }
  });
}

/** The value of a local assignment after substitution, when it is constant. */
function evalLocal(e: Expr): Value | undefined {
  return e.kind === "lit" ? e.value : undefined;
}

/** Lowers every thread and runs the path-sensitive checks (page-fault balance, unreachable releases). */
export function lower(model: Model): Program {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const error = (code: string, message: string, loc: Loc): void => {
    // One report per code and line (a line lowered many times, e.g. per value of the locals, says it once).
    const key = `${code}|${code === "FL224" ? "" : message}|${loc.file}:${loc.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    diagnostics.push({ code, message, loc });
  };
  // A reachable release of a lock the thread cannot hold is no error: TLC reports it
  // as a `bad-unlock` finding with its trace (SEMANTICS "Lock kinds").
  const warn = (code: string, message: string, loc: Loc): void => {
    const key = `${code}|${message}|${loc.file}:${loc.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    diagnostics.push({ code, message, loc, severity: "warning" });
  };
  const threads = model.threads.map((t) => lowerThread(model, t.id, error, warn));
  deadOnFault(model, threads, diagnostics);
  for (const tp of threads) checkGupLocked(model, tp, error);
  return { threads, diagnostics };
}

/**
 * `onFault` runs only when the access faults with page faults disabled (SEMANTICS
 * "User memory access"): given where they are enabled on every path that reaches
 * the access, or on a pinned region, it is dead code: warning FL314 at its line.
 */
function deadOnFault(model: Model, threads: readonly ThreadProgram[], out: Diagnostic[]): void {
  const reached = new Set<string>();
  const fails = new Set<string>();
  for (const n of threads.flatMap((tp) => tp.nodes)) {
    if (n.op.kind !== "access") continue;
    reached.add(n.stmt);
    if (n.op.fault.kind === "fail") fails.add(n.stmt);
  }
  const seen = new Set<string>();
  const walk = (ss: readonly Stmt[]): void => {
    for (const s of ss) {
      if (s.kind === "access" && s.onFault && reached.has(s.id) && !fails.has(s.id) && !seen.has(s.id)) {
        seen.add(s.id);
        const region = model.regions.find((r) => r.id === s.region);
        const why = region?.pinned
          ? `'${region.name}' is pinned, so this access never faults`
          : "page faults are enabled here on every path, so a fault runs the fault path and the access does not fail";
        out.push({ code: "FL314", severity: "warning", message: `onFault never runs: ${why}; put the access between pagefaultDisable() and pagefaultEnable(), or drop onFault`, loc: s.loc });
      }
      const nested = s.kind === "trylock" || s.kind === "if" ? [s.then, s.else] : s.kind === "either" ? s.branches : s.kind === "repeat" || s.kind === "while" ? [s.body] : s.kind === "access" && s.onFault ? [s.onFault] : [];
      nested.forEach(walk);
    }
  };
  for (const p of model.procs) walk(p.body);
  for (const t of model.threads) walk(t.body);
}

const indexCache = new WeakMap<ThreadProgram, ReadonlyMap<string, Node>>();
/** pc -> node of a thread (built once per ThreadProgram). */
export function nodeIndex(tp: ThreadProgram): ReadonlyMap<string, Node> {
  let m = indexCache.get(tp);
  if (!m) {
    m = new Map(tp.nodes.map((n) => [n.pc, n]));
    indexCache.set(tp, m);
  }
  return m;
}

/** The expressions a node evaluates. */
export function opExprs(op: Op): readonly Expr[] {
  switch (op.kind) {
    case "set":
      return [op.value];
    case "local":
      return [op.value];
    case "branch":
    case "await":
    case "assert":
      return [op.cond];
    default:
      return [];
  }
}

/** The node `thread` stands at when its pc is `pc` (undefined at DONE). */
export function nodeAt(program: Program, thread: string, pc: string | undefined): Node | undefined {
  const tp = program.threads.find((t) => t.thread === thread);
  return tp && pc !== undefined ? nodeIndex(tp).get(pc) : undefined;
}

/** Every expression the model evaluates: invariants, then each node's. */
export function modelExprs(model: Model, program: Program): Expr[] {
  return [...model.invariants.map((i) => i.cond), ...program.threads.flatMap((tp) => tp.nodes.flatMap((n) => opExprs(n.op)))];
}

/** The key of a lock held in a mode, in heldCounts' maps. */
export function lockKey(lock: string, mode: LockMode): string {
  return `${lock}/${mode}`;
}

/**
 * Holds counted past this are counted as this many (a loop that keeps acquiring):
 * a count that reaches it means "this many or more".
 */
export const MAX_HOLDS = 8;

/** Does any count of a heldCounts result reach MAX_HOLDS (past it, counts may read low)? */
export function saturated(held: ReadonlyMap<string, ReadonlyMap<string, number>>): boolean {
  return [...held.values()].some((m) => [...m.values()].some((k) => k >= MAX_HOLDS));
}

/**
 * Lock-hold dataflow: for each pc, how many times the thread holds each lock in
 * each mode (`lockKey`) on arrival there: the most over all paths from the entry
 * (`may`), or the least (`must`); under DONE, on finishing. Loops make the graph
 * cyclic, so it runs to a fixpoint (counts capped at MAX_HOLDS, so it ends).
 */
export function heldCounts(tp: ThreadProgram, join: "may" | "must"): Map<string, Map<string, number>> {
  const byPc = nodeIndex(tp);
  const held = new Map<string, Map<string, number>>();
  const ready: string[] = [];
  const queued = new Set<string>();
  held.set(tp.entry, new Map());
  if (tp.entry !== DONE) {
    ready.push(tp.entry);
    queued.add(tp.entry);
  }
  const flow = (pc: string, h: ReadonlyMap<string, number>): void => {
    const cur = held.get(pc);
    let changed = false;
    if (!cur) {
      held.set(pc, new Map(h));
      changed = true;
    } else if (join === "may") {
      for (const [k, n] of h) {
        if (n > (cur.get(k) ?? 0)) {
          cur.set(k, n);
          changed = true;
        }
      }
    } else {
      for (const [k, n] of cur) {
        const m = Math.min(n, h.get(k) ?? 0);
        if (m !== n) {
          cur.set(k, m);
          changed = true;
        }
      }
    }
    if (changed && pc !== DONE && !queued.has(pc)) {
      queued.add(pc);
      ready.push(pc);
    }
  };
  while (ready.length > 0) {
    const pc = ready.shift() as string;
    queued.delete(pc);
    const n = byPc.get(pc);
    if (!n) continue;
    const h = held.get(pc) ?? new Map<string, number>();
    const op = n.op;
    const plus = (lock: string, mode: LockMode, d: number) => {
      const after = new Map(h);
      after.set(lockKey(lock, mode), Math.min(MAX_HOLDS, Math.max(0, (h.get(lockKey(lock, mode)) ?? 0) + d)));
      return after;
    };
    if (op.kind === "acquire") flow(op.next, plus(op.lock, op.mode, 1));
    else if (op.kind === "trylock") {
      flow(op.ok, plus(op.lock, op.mode, 1));
      flow(op.fail, h);
    } else if (op.kind === "release") flow(op.next, plus(op.lock, op.mode, -1));
    else for (const s of successors(op)) flow(s, h);
  }
  return held;
}

/**
 * get_user_pages needs the region owner's mmap_lock, for read or write, on every
 * path to it (SEMANTICS "get_user_pages": a model that does not hold it is invalid):
 * FL340 otherwise. The fault path's own down_read counts, as in the kernel.
 */
function checkGupLocked(model: Model, tp: ThreadProgram, error: (code: string, message: string, loc: Loc) => void): void {
  const gups = tp.nodes.filter((n) => n.op.kind === "access" && n.op.op === "get_user_pages");
  if (gups.length === 0) return;
  const must = heldCounts(tp, "must");
  for (const n of gups) {
    if (n.op.kind !== "access") continue;
    const region = model.regions.find((r) => r.id === (n.op as { region: string }).region);
    const owner = model.processes.find((p) => p.id === region?.process);
    if (!region || !owner) continue;
    const h = must.get(n.pc);
    const held = (h?.get(lockKey(owner.mmapLock, "read")) ?? 0) + (h?.get(lockKey(owner.mmapLock, "write")) ?? 0);
    if (held > 0) continue;
    const lock = model.locks.find((l) => l.id === owner.mmapLock)?.name ?? "mmap_lock";
    const thread = model.threads.find((t) => t.id === tp.thread)?.name ?? tp.thread;
    error(
      "FL340",
      `thread '${thread}' calls getUserPages(${region.name}) without holding '${lock}' on every path to this line; take downRead(${owner.name}.mmapLock) (or downWrite) before it, as get_user_pages requires`,
      n.loc,
    );
  }
}
