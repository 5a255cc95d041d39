// Lowering: each thread's body becomes a flat graph of nodes, one per visible
// operation, with procedures inlined, loops unrolled and every user access
// expanded into its page-fault path (SEMANTICS "User memory access"). The
// generator emits one TLA+ action per node; trace translation maps pcs back here.

import type { Diagnostic } from "./diagnostics.js";
import { formatLoc } from "./diagnostics.js";
import type { AccessOp, Expr, Loc, LockMode, Model, Stmt } from "./types.js";
import { unreachable } from "./types.js";

/** The pc of a finished thread. */
export const DONE = "Done";

/** How a node was reached: through a procedure call, or inside a page fault's handler. */
export type Frame =
  | { readonly kind: "call"; readonly proc: string; readonly loc: Loc }
  | { readonly kind: "fault"; readonly region: string; readonly loc: Loc };

export type FaultOutcome =
  /** Pinned memory: the access never faults. */
  | { readonly kind: "none" }
  /** Page faults enabled: the fault path runs from `target`. */
  | { readonly kind: "handle"; readonly target: string }
  /** Page faults disabled: the access fails (-EFAULT) and control goes to `target`. */
  | { readonly kind: "fail"; readonly target: string };

export type Op =
  | {
      readonly kind: "acquire";
      readonly lock: string;
      readonly mode: LockMode;
      readonly next: string;
      /** Set when this is the fault path's down_read of the region owner's mmap_lock. */
      readonly fault?: string;
    }
  | { readonly kind: "release"; readonly lock: string; readonly mode: LockMode; readonly next: string; readonly fault?: string }
  | { readonly kind: "trylock"; readonly lock: string; readonly mode: LockMode; readonly ok: string; readonly fail: string }
  | { readonly kind: "access"; readonly region: string; readonly op: AccessOp; readonly next: string; readonly fault: FaultOutcome }
  | { readonly kind: "choose"; readonly targets: readonly string[] }
  | { readonly kind: "set"; readonly variable: string; readonly value: Expr; readonly next: string }
  | { readonly kind: "branch"; readonly cond: Expr; readonly then: string; readonly else: string; readonly loop: boolean }
  | { readonly kind: "await"; readonly cond: Expr; readonly next: string }
  | { readonly kind: "assert"; readonly cond: Expr; readonly message: string; readonly next: string };

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
}

export interface ThreadProgram {
  readonly thread: string;
  readonly entry: string;
  readonly nodes: readonly Node[];
  /** Label name -> pc of the node it stands before (or DONE). */
  readonly labels: ReadonlyMap<string, string>;
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
        this.emit(at, s, env.via, { kind: s.kind, lock: s.lock, mode: s.mode, next: k });
        return d;
      case "trylock": {
        const ok = this.fresh();
        const fail = this.fresh();
        this.emit(at, s, env.via, { kind: "trylock", lock: s.lock, mode: s.mode, ok, fail });
        return this.join(s, [this.seq(s.then, ok, k, env, d), this.seq(s.else, fail, k, env, d)]);
      }
      case "call": {
        const proc = this.model.procs.find((p) => p.id === s.proc);
        if (!proc) {
          this.alias.set(at, k);
          return d;
        }
        const inner: Env = { via: [...env.via, { kind: "call", proc: proc.id, loc: s.loc }], ret: k, entryDepth: d };
        const end = this.seq(proc.body, at, k, inner, d);
        if (end !== null && end !== d) {
          this.error("FL312", `procedure '${proc.name}' returns with page faults ${end > d ? "still disabled" : "enabled more often than disabled"}; balance pagefaultDisable()/pagefaultEnable() inside it`, proc.loc);
        }
        return d;
      }
      case "access":
        return this.access(s, at, k, env, d);
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
        this.emit(at, s, env.via, { kind: "set", variable: s.variable, value: s.value, next: k });
        return d;
      case "if": {
        const t = this.fresh();
        const e = this.fresh();
        this.emit(at, s, env.via, { kind: "branch", cond: s.cond, then: t, else: e, loop: false });
        return this.join(s, [this.seq(s.then, t, k, env, d), this.seq(s.else, e, k, env, d)]);
      }
      case "await":
        this.emit(at, s, env.via, { kind: "await", cond: s.cond, next: k });
        return d;
      case "repeat": {
        let cur = at;
        for (let i = 0; i < s.times; i++) {
          const next = i === s.times - 1 ? k : this.fresh();
          const end = this.seq(s.body, cur, next, env, d);
          if (end !== null && end !== d) this.unbalancedLoop(s);
          cur = next;
        }
        if (s.times <= 0) this.alias.set(at, k);
        return d;
      }
      case "while": {
        // Unrolled `bound` times; a further iteration would run past the bound (a finding).
        let cur = at;
        for (let i = 0; i < s.bound; i++) {
          const body = this.fresh();
          const next = this.fresh();
          this.emit(cur, s, env.via, { kind: "branch", cond: s.cond, then: body, else: k, loop: true });
          const end = this.seq(s.body, body, next, env, d);
          if (end !== null && end !== d) this.unbalancedLoop(s);
          cur = next;
        }
        const message = `loop at ${formatLoc(s.loc)} would run more than its bound of ${s.bound} iterations`;
        this.emit(cur, s, env.via, { kind: "assert", cond: { kind: "not", arg: s.cond }, message, next: k });
        return d;
      }
      case "return":
        if (d !== env.entryDepth) {
          this.error("FL313", `returns with page faults disabled; call pagefaultEnable() before returning`, s.loc);
        }
        this.alias.set(at, env.ret);
        return null;
      case "assert":
        this.emit(at, s, env.via, { kind: "assert", cond: s.cond, message: s.message, next: k });
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

  unbalancedLoop(s: Stmt): void {
    this.error("FL311", `the loop body changes whether page faults are disabled; balance pagefaultDisable()/pagefaultEnable() inside it`, s.loc);
  }

  access(s: Extract<Stmt, { kind: "access" }>, at: string, k: string, env: Env, d: number): Depth {
    const region = this.model.regions.find((r) => r.id === s.region);
    if (!region || region.pinned) {
      this.emit(at, s, env.via, { kind: "access", region: s.region, op: s.op, next: k, fault: { kind: "none" } });
      return d;
    }
    const target = this.fresh();
    if (d > 0) {
      // SEMANTICS: with page faults disabled a fault takes no lock and the access fails.
      this.emit(at, s, env.via, { kind: "access", region: s.region, op: s.op, next: k, fault: { kind: "fail", target } });
      const end = this.seq(s.onFault ?? [], target, k, env, d);
      return this.join(s, [d, end]);
    }
    // SEMANTICS: the fault path runs in the faulting thread: down_read(owner's mmap_lock),
    // the region's fault procedure (file regions), up_read.
    this.emit(at, s, env.via, { kind: "access", region: s.region, op: s.op, next: k, fault: { kind: "handle", target } });
    const owner = this.model.processes.find((p) => p.id === region.process);
    const mmap = owner?.mmapLock ?? "?lock";
    const via: Frame[] = [...env.via, { kind: "fault", region: region.id, loc: s.loc }];
    const handler = this.fresh();
    const release = this.fresh();
    this.emit(target, s, via, { kind: "acquire", lock: mmap, mode: "read", next: handler, fault: region.id });
    const proc = region.fault ? this.model.procs.find((p) => p.id === region.fault) : undefined;
    if (proc) {
      const inner: Env = { via: [...via, { kind: "call", proc: proc.id, loc: region.loc }], ret: release, entryDepth: d };
      const end = this.seq(proc.body, handler, release, inner, d);
      if (end !== null && end !== d) {
        this.error("FL312", `fault procedure '${proc.name}' returns with page faults disabled; balance pagefaultDisable()/pagefaultEnable() inside it`, proc.loc);
      }
    } else {
      this.alias.set(handler, release);
    }
    this.emit(release, s, via, { kind: "release", lock: mmap, mode: "read", next: k, fault: region.id });
    return d;
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

/** Renames every label in `op` with `f`. */
function mapTargets(op: Op, f: (l: string) => string): Op {
  switch (op.kind) {
    case "acquire":
    case "release":
    case "set":
    case "await":
    case "assert":
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

  // Number the reachable nodes p1, p2, ... in depth-first program order.
  const names = new Map<string, string>();
  const order: string[] = [];
  const visit = (label: string): void => {
    const start = tl.resolve(label);
    const stack = [start];
    while (stack.length > 0) {
      const l = stack.pop() as string;
      if (l === DONE || names.has(l)) continue;
      names.set(l, `p${names.size + 1}`);
      order.push(l);
      const node = tl.nodes.get(l);
      if (!node) continue;
      const succ = successors(node.op).map((s) => tl.resolve(s));
      for (let i = succ.length - 1; i >= 0; i--) stack.push(succ[i] as string);
    }
  };
  visit(entry);
  const rename = (label: string): string => {
    const r = tl.resolve(label);
    return r === DONE ? DONE : (names.get(r) ?? DONE);
  };
  const nodes: Node[] = order.map((l) => {
    const n = tl.nodes.get(l);
    if (!n) throw new Error(`faultline internal error: unresolved label ${l}`);
    return { pc: names.get(l) as string, thread: threadId, stmt: n.stmt, loc: n.loc, via: n.via, op: mapTargets(n.op, rename) };
  });
  const labels = new Map<string, string>();
  for (const [name, l] of tl.labels) labels.set(name, rename(l));
  return { thread: threadId, entry: rename(entry), nodes, labels };
}

/** Lowers every thread and runs the path-sensitive checks (page-fault balance, unreachable releases). */
export function lower(model: Model): Program {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const error = (code: string, message: string, loc: Loc): void => {
    const key = `${code}|${message}|${loc.file}:${loc.line}`;
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
 * Lock-hold dataflow: for each pc, how many times the thread holds each lock in
 * each mode (`lockKey`) on arrival there: the most over all paths from the entry
 * (`may`), or the least (`must`); under DONE, on finishing. The graph is acyclic
 * (loops are unrolled), so one pass in topological order suffices.
 */
export function heldCounts(tp: ThreadProgram, join: "may" | "must"): Map<string, Map<string, number>> {
  const byPc = nodeIndex(tp);
  const indeg = new Map<string, number>(tp.nodes.map((n) => [n.pc, 0]));
  for (const n of tp.nodes) for (const s of successors(n.op)) if (s !== DONE) indeg.set(s, (indeg.get(s) ?? 0) + 1);
  const held = new Map<string, Map<string, number>>();
  const ready: string[] = [];
  held.set(tp.entry, new Map());
  if (tp.entry !== DONE) ready.push(tp.entry);
  const flow = (pc: string, h: ReadonlyMap<string, number>): void => {
    const cur = held.get(pc);
    if (!cur) held.set(pc, new Map(h));
    else if (join === "may") for (const [k, n] of h) cur.set(k, Math.max(cur.get(k) ?? 0, n));
    else for (const [k, n] of cur) cur.set(k, Math.min(n, h.get(k) ?? 0));
    if (pc === DONE) return;
    const left = (indeg.get(pc) ?? 0) - 1;
    indeg.set(pc, left);
    if (left === 0) ready.push(pc);
  };
  while (ready.length > 0) {
    const pc = ready.pop() as string;
    const n = byPc.get(pc);
    if (!n) continue;
    const h = held.get(pc) ?? new Map<string, number>();
    const op = n.op;
    const plus = (lock: string, mode: LockMode, d: number) => {
      const after = new Map(h);
      after.set(lockKey(lock, mode), Math.max(0, (h.get(lockKey(lock, mode)) ?? 0) + d));
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
