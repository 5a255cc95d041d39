// TLC counterexample -> numbered steps in the model's own words, and the
// explanation of the finding: who waits for whom and why, which lock leaked, ...

import { type SpecCheck, type SpecNames, mergePlanOf } from "../gen/index.js";
import type { MergePlan } from "../ir/merge.js";
import { formatLoc } from "../ir/diagnostics.js";
import { DONE, type Node, type Program, nodeAt } from "../ir/program.js";
import { declarationOf, forbiddenWhileHeld } from "../ir/order.js";
import { atomsOf, lockName, lockRef, shownMode, spellExpr, spellFalse, spellOp, spellVia, threadName, spellOutcome, spellSet } from "../ir/spell.js";
import { type TakenPath, absorbedPath } from "./merged.js";
import type { Expr, Loc, Model } from "../ir/types.js";
import { focusSteps } from "./focus.js";
import { type LockdepReport, lockdepReport } from "./lockdep.js";
import { Blocking, type ModelState, type RawState, type Wait, type WaitReason, decodeState, evalExpr } from "./state.js";

export type Verdict = "ok" | "deadlock" | "lock-leak" | "bad-unlock" | "sleep-in-atomic" | "invariant" | "assertion" | "loop-bound" | "termination" | "lock-order";

export interface Step {
  /** 1-based position in the trace's list of operations. */
  readonly index: number;
  /**
   * The TLC step (1-based; 0 for Init) that ran this operation. With step merging
   * one TLC step runs a kept operation and then the absorbed ones it reaches: those
   * follow it here, each a Step of its own with the same `tlcStep` and `merged` set.
   */
  readonly tlcStep: number;
  /** Ran inside the TLC step of the operation before it (absorbed by step merging). */
  readonly merged: boolean;
  readonly thread: string;
  readonly threadId: string;
  readonly pc: string;
  /** Kernel spelling, e.g. `down_read(&app->mmap_lock)`. */
  readonly operation: string;
  readonly loc: Loc;
  /** Call/fault context, e.g. `driverA_decrypt() <- page fault on squashfs_map`; empty at top level. */
  readonly via: string;
  /** What the step did: `acquired`, `queued: held for read by T2`, `page fault`, `x: 0 -> 1`. */
  readonly effect: string;
  /** The whole state after the step, one line per thread, lock and variable (for --full). */
  readonly state: readonly string[];
  /**
   * The step unmapped a tracked region's page (evict): shown even when its thread
   * is not part of the finding, since it is what makes a later access fault.
   */
  readonly reclaim?: true;
}

export interface WaitLine {
  readonly thread: string;
  readonly threadId: string;
  /** The pc the thread is stuck at. */
  readonly pc: string;
  /** The lock as the kernel spells it (`&app->mmap_lock`), or undefined for wait_event. */
  readonly lock?: string;
  /** The lock's IR id and its name in the model (`app.mmap_lock`), for tools. */
  readonly lockId?: string;
  readonly lockName?: string;
  readonly mode?: string;
  readonly loc: Loc;
  /** Call/fault context with the line it was entered from (`in filemap_nopage() <- page fault on map at a.ts:26`); empty at top level. */
  readonly via: string;
  readonly reasons: readonly string[];
  /** `T1 ioctl waits for &app->mmap_lock (read) at seed.ts:23: queued behind writer T3 mmap`. */
  readonly text: string;
}

export interface Finding {
  readonly verdict: Exclude<Verdict, "ok">;
  /** One line: what went wrong. */
  readonly summary: string;
  readonly steps: readonly Step[];
  /** Explanation lines after the steps. */
  readonly details: readonly string[];
  /** Deadlock only: each stuck thread's wait, and the cycle of thread names. */
  readonly waits?: readonly WaitLine[];
  readonly cycle?: readonly string[];
  /** Termination only: the step the final state loops back to (0 = initial state). */
  readonly loopsTo?: number;
  /**
   * The indexes of the steps the focused default view shows: the involved threads'
   * steps and every earlier step they depend on (src/trace/focus.ts).
   */
  readonly focus?: readonly number[];
  /** Ids of the threads the finding is about (the stuck set, the leaking thread, ...). */
  readonly involved: readonly string[];
  /** Threads merging ran entirely in the initial state: that they ran, and when they could have. */
  readonly notes?: readonly string[];
  /** The same finding in lockdep's words, where lockdep has words for it. */
  readonly lockdep?: LockdepReport;
}

export interface RawTrace {
  readonly states: readonly RawState[];
  readonly actions: readonly (string | null)[];
  readonly loopTo?: number;
  /** The action that closes a lasso (last state -> state `loopTo`); null or absent when it stutters. */
  readonly loopAction?: string | null;
}

export interface TranslateInput {
  readonly model: Model;
  readonly program: Program;
  readonly names: SpecNames;
  readonly trace: RawTrace;
  /** The violated invariant's name, or undefined for a liveness (termination) violation. */
  readonly violated?: string;
}

export function translate(input: TranslateInput): Finding {
  const f = explain(input);
  const involved = f.involved.length > 0 ? f.involved : [...new Set(f.steps.map((s) => s.threadId))];
  const lockdep = lockdepReport(input.model, input.program, f, involved);
  const notes = initNotes(input, f.steps);
  const focus = focusOf(input, f, involved);
  return { ...f, involved, focus, ...(lockdep ? { lockdep } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

/** The steps the focused view shows (src/trace/focus.ts): the involved threads' and what they depend on. */
function focusOf(input: TranslateInput, f: Finding, involved: readonly string[]): number[] {
  const { model, program, names, trace } = input;
  const raw = trace.states[trace.states.length - 1];
  const last = raw ? decodeState(names, raw) : undefined;
  const pending = last ? model.threads.flatMap((t) => nodeAt(program, t.id, last.pc.get(t.id)) ?? []) : [];
  const check = input.violated ? names.checks.get(input.violated) : undefined;
  const conds: Expr[] = [];
  if (check?.kind === "invariant") {
    const inv = model.invariants.find((x) => x.id === check.invariant);
    if (inv) conds.push(inv.cond);
  }
  return focusSteps(program, f.steps, involved, conds, pending);
}

/**
 * Threads already finished in the initial state: merging ran their whole body in
 * Init (src/ir/merge.ts), which is sound because nothing they do is visible to
 * another thread, so they could as well have run at any other point of the trace.
 */
function initNotes(input: TranslateInput, steps: readonly Step[]): string[] {
  const raw = input.trace.states[0];
  if (!raw) return [];
  const first = decodeState(input.names, raw);
  const out: string[] = [];
  for (const t of input.model.threads) {
    if (first.pc.get(t.id) !== DONE) continue;
    const own = steps.filter((s) => s.threadId === t.id && s.tlcStep === 0).map((s) => s.index);
    const where = own.length === 0 ? "" : own.length === 1 ? ` (step ${own[0]})` : ` (steps ${own[0]}-${own[own.length - 1]})`;
    const what = own.length === 0 ? "has no operation another thread could see, and finished in the initial state" : `ran its whole body in the initial state${where}`;
    out.push(`${t.name} ${what}: nothing it does is visible to the other threads, so it could have run at any point of the trace`);
  }
  return out;
}

function explain(input: TranslateInput): Finding {
  const { model, program, names, trace } = input;
  const states = trace.states.map((s) => decodeState(names, s));
  const blocking = new Blocking(model, program);

  const plan = mergePlanOf(names);
  const steps: Step[] = [];
  const push = (tlcStep: number, merged: boolean, node: Node, effect: string, state: ModelState) => {
    // A procedure's locals made fresh at a call are no operation of the model's.
    if (node.op.kind === "local" && node.op.reset) return;
    steps.push({
      index: steps.length + 1,
      tlcStep,
      merged,
      thread: threadName(model, node.thread),
      threadId: node.thread,
      pc: node.pc,
      operation: spellOp(model, node.op),
      loc: node.loc,
      via: spellVia(model, node),
      effect,
      state: describeState(model, program, state),
      ...(isEviction(model, node) ? { reclaim: true as const } : {}),
    });
  };
  // Absorbed entries ran in Init: show each thread's way to its first pc first.
  const first = states[0];
  if (first) {
    for (const tp of program.threads) {
      const entry = absorbedPath(model, program, plan, tp.thread, tp.entry, first, first);
      for (const x of entry?.steps ?? []) push(0, true, x.node, x.effect, x.state);
    }
  }
  // A lasso's closing step (last state -> the state it loops to) runs after the others.
  const lasso = trace.loopAction && trace.loopTo !== undefined ? trace.loopTo : undefined;
  const total = states.length + (lasso !== undefined ? 1 : 0);
  let firstRepeat: number | undefined;
  for (let i = 1; i < total; i++) {
    const closing = i === states.length;
    const action = closing ? trace.loopAction : trace.actions[i];
    const act = action ? names.actions.get(action) : undefined;
    const before = states[i - 1] as ModelState;
    const after = states[closing ? (lasso as number) : i] as ModelState;
    if (lasso !== undefined && i === lasso + 1) firstRepeat = steps.length + 1;
    if (!act) continue; // `Terminated` stuttering
    const node = nodeAt(program, act.thread, act.pc);
    if (!node) continue;
    // Which way through the absorbed nodes this step went (undefined: it queued, or no merging).
    const path = after.pc.get(act.thread) === before.pc.get(act.thread) ? undefined : absorbedPath(model, program, plan, act.thread, node.pc, before, after);
    // Waiters its releases woke ran the rest of their own step inside this one:
    // each shows after the releasing thread's operations, in the order woken.
    const released = [...(node.op.kind === "release" ? [node.op.lock] : []), ...releasedOn(path)];
    const wake = woken(model, program, plan, act.thread, released, before, after);
    const notYet = (s: ModelState, from: number) => unwake(s, before, wake.slice(from).map((w) => w.node.thread));
    const mid = path?.kept ?? after;
    push(i, false, node, effectOf(model, blocking, node, before, mid), notYet(mid, 0));
    for (const x of path?.steps ?? []) push(i, true, x.node, x.effect, notYet(x.state, 0));
    wake.forEach((w, k) => {
      const op = w.node.op as Extract<Node["op"], { kind: "acquire" }>;
      push(i, true, w.node, `${spellOutcome(op, op.next, model)}: granted when ${threadName(model, w.by)} released it`, notYet(w.path?.kept ?? after, k + 1));
      for (const x of w.path?.steps ?? []) push(i, true, x.node, x.effect, notYet(x.state, k + 1));
    });
  }

  faultsWhereHandled(steps);

  const last = states[states.length - 1] as ModelState;
  const check: SpecCheck | undefined = input.violated ? names.checks.get(input.violated) : undefined;
  if (!input.violated) return termination(model, steps, last, trace.loopTo, firstRepeat);
  if (!check) {
    return { verdict: "invariant", summary: `invariant ${input.violated} is violated`, steps, details: [], involved: [] };
  }
  const holding = (thread: string): { lock: string; mode: string }[] => heldBy(model, last, thread);
  switch (check.kind) {
    case "deadlock":
      return deadlock(model, blocking, steps, last);
    case "lock-leak": {
      const details: string[] = [];
      const involved: string[] = [];
      for (const t of model.threads) {
        if (last.pc.get(t.id) !== DONE) continue;
        for (const h of holding(t.id)) {
          const taken = [...steps].reverse().find((s) => s.threadId === t.id && /^(mutex_lock|spin_lock|down_read|down_write|mutex_trylock|spin_trylock|down_read_trylock|down_write_trylock)\b/.test(s.operation) && s.operation.endsWith(`(${lockRef(model, h.lock)})`));
          involved.push(t.id);
          details.push(`${t.name} finished holding ${lockRef(model, h.lock)}${h.mode === "excl" ? "" : ` (${h.mode})`}${taken ? `, taken in step ${taken.index} at ${formatLoc(taken.loc)}` : ""}`);
        }
      }
      return { verdict: "lock-leak", summary: details[0] ?? "a thread finished holding a lock", steps, details, involved: [...new Set(involved)] };
    }
    case "bad-unlock": {
      const details: string[] = [];
      const involved: string[] = [];
      for (const t of model.threads) {
        const n = nodeAt(program, t.id, last.pc.get(t.id));
        if (n?.op.kind !== "release") continue;
        const op = n.op;
        if (holding(t.id).some((h) => h.lock === op.lock && h.mode === shownMode(model, op.lock, op.mode))) continue;
        involved.push(t.id);
        details.push(`${t.name} calls ${spellOp(model, op)} at ${formatLoc(n.loc)} without holding ${lockRef(model, op.lock)}${shownMode(model, op.lock, op.mode) === "excl" ? "" : ` for ${shownMode(model, op.lock, op.mode)}`}`);
      }
      return { verdict: "bad-unlock", summary: details[0] ?? "a thread releases a lock it does not hold", steps, details, involved };
    }
    case "sleep-in-atomic": {
      const details: string[] = [];
      const involved: string[] = [];
      for (const t of model.threads) {
        const n = nodeAt(program, t.id, last.pc.get(t.id));
        if (!n || (n.op.kind !== "acquire" && n.op.kind !== "await")) continue;
        const spins = [...last.owner].filter(([l, o]) => o === t.id && model.locks.find((x) => x.id === l)?.kind === "spinlock").map(([l]) => lockRef(model, l));
        if (spins.length === 0) continue;
        const what = n.op.kind === "acquire" && n.op.fault ? `handles a page fault (${spellOp(model, n.op)})` : `sleeps in ${spellOp(model, n.op)}`;
        involved.push(t.id);
        details.push(`${t.name} ${what} at ${formatLoc(n.loc)} while holding spinlock ${spins.join(", ")}`);
      }
      return { verdict: "sleep-in-atomic", summary: details[0] ?? "sleeping in atomic context", steps, details, involved };
    }
    case "assertion": {
      const n = nodeAt(program, check.thread, check.pc);
      const cond = n?.op.kind === "assert" ? n.op.cond : undefined;
      const where = n ? ` at ${formatLoc(n.loc)}` : "";
      if (check.bound !== undefined) {
        // A bounded loop's cut-off (SEMANTICS "Control flow"): not a property of the model.
        return {
          verdict: "loop-bound",
          summary: `${threadName(model, check.thread)}: ${check.message}; exploration stops here (raise the bound, or drop it to make the loop a back edge)`,
          steps,
          details: [],
          involved: [check.thread],
        };
      }
      return {
        verdict: "assertion",
        summary: `assertion failed in ${threadName(model, check.thread)}${where}: ${check.message}`,
        steps,
        details: cond ? whyFalse(model, last, cond, program) : [],
        involved: [check.thread],
      };
    }
    case "invariant": {
      const inv = model.invariants.find((x) => x.id === check.invariant);
      return {
        verdict: "invariant",
        summary: `invariant '${inv?.name}' violated${inv ? ` (${formatLoc(inv.loc)})` : ""}`,
        steps,
        details: inv ? whyFalse(model, last, inv.cond, program) : [],
        involved: [],
      };
    }
    case "lock-order": {
      const bad = orderViolations(model, program, last);
      const details = bad.map((b) => {
        const decl = declarationOf(model, b.acquires, b.held);
        const taken = [...steps].reverse().find((st) => st.threadId === b.thread && /^(mutex_lock|spin_lock|down_read|down_write|mutex_trylock|spin_trylock|down_read_trylock|down_write_trylock)\b/.test(st.operation) && st.operation.includes(refOf(model, b.held)));
        const held = `${lockName(model, b.held)}${b.mode === "excl" ? "" : ` (${b.mode})`}`;
        return `${threadName(model, b.thread)} takes ${lockName(model, b.acquires)} at ${formatLoc(b.node.loc)} while holding ${held}${taken ? `, taken in step ${taken.index} at ${formatLoc(taken.loc)}` : ""}; the lock order${decl ? ` declared at ${formatLoc(decl.loc)}` : ""} puts ${lockName(model, b.acquires)} before ${lockName(model, b.held)}`;
      });
      return { verdict: "lock-order", summary: details[0] ?? "a lock is taken out of the declared order", steps, details, involved: [...new Set(bad.map((b) => b.thread))] };
    }
    case "domain": {
      const v = model.vars.find((x) => x.id === check.variable);
      const value = last.vars.get(check.variable);
      return {
        verdict: "invariant",
        summary: `'${v?.name}' = ${String(value)} is outside its domain${v ? ` (declared at ${formatLoc(v.loc)})` : ""}`,
        steps,
        details: [],
        involved: [],
      };
    }
  }
}

/**
 * Merging decides that an access faults inside the step before it (src/ir/merge.ts),
 * but the handler runs at the thread's next step, maybe after other threads' steps:
 * the fault is shown where its handler starts, in that TLC step. Renumbers `steps`.
 */
function faultsWhereHandled(steps: Step[]): void {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i] as Step;
    if (s.effect !== "page fault") continue;
    const j = steps.findIndex((x, k) => k > i && x.threadId === s.threadId);
    if (j <= i + 1) continue;
    const handler = steps[j] as Step;
    const moved: Step = { ...s, tlcStep: handler.tlcStep, merged: handler.merged, state: (steps[j - 1] as Step).state };
    steps.splice(j, 1, moved, { ...handler, merged: true });
    steps.splice(i, 1);
  }
  steps.forEach((s, k) => {
    if (s.index !== k + 1) steps[k] = { ...s, index: k + 1 };
  });
}

/**
 * The threads a step of `actor` woke (SEMANTICS "rwsem": on release the head is
 * granted), in the order the grants reached them: queued in `before`, past their
 * acquire in `after`. A woken thread's own releases may wake others in turn.
 */
function woken(model: Model, program: Program, plan: MergePlan, actor: string, released: readonly string[], before: ModelState, after: ModelState): { node: Node; by: string; path: TakenPath | undefined }[] {
  const moved = new Set(program.threads.map((tp) => tp.thread).filter((t) => t !== actor && after.pc.get(t) !== before.pc.get(t)));
  const out: { node: Node; by: string; path: TakenPath | undefined }[] = [];
  const work = released.map((lock) => ({ lock, by: actor }));
  for (let k = 0; k < work.length && moved.size > 0; k++) {
    const { lock, by } = work[k] as { lock: string; by: string };
    for (const e of before.rw.get(lock)?.queue ?? []) {
      if (!moved.has(e.thread)) continue;
      const node = nodeAt(program, e.thread, before.pc.get(e.thread));
      if (node?.op.kind !== "acquire") continue;
      moved.delete(e.thread);
      const path = absorbedPath(model, program, plan, e.thread, node.pc, before, after);
      out.push({ node, by, path });
      for (const lock of releasedOn(path)) work.push({ lock, by: e.thread });
    }
  }
  return out;
}

/** The locks the absorbed operations of a step gave back, in order. */
function releasedOn(path: TakenPath | undefined): string[] {
  return (path?.steps ?? []).flatMap((x) => (x.node.op.kind === "release" ? [x.node.op.lock] : []));
}

/**
 * `s` with `threads` (woken later in the step) still where they were in
 * `before`: their pcs, holds and queue places as then. Exact for one release
 * that wakes waiters; where woken threads wake others in turn, their holds of
 * the locks involved are those of `before` until they are shown.
 */
function unwake(s: ModelState, before: ModelState, threads: readonly string[]): ModelState {
  if (threads.length === 0) return s;
  const ts = new Set(threads);
  const pc = new Map(s.pc);
  for (const t of ts) pc.set(t, before.pc.get(t) ?? DONE);
  const owner = new Map(s.owner);
  for (const [l, o] of before.owner) if (o !== null && ts.has(o)) owner.set(l, o);
  // A lock a woken thread took in this step was free just before it: given back by the releaser or a thread woken earlier.
  for (const [l, o] of s.owner) if (o !== null && ts.has(o) && !ts.has(before.owner.get(l) ?? "")) owner.set(l, null);
  const rw = new Map(s.rw);
  for (const [l, r] of s.rw) {
    const b = before.rw.get(l);
    if (!b) continue;
    const readers = new Map([...r.readers].filter(([t]) => !ts.has(t)));
    for (const [t, n] of b.readers) if (ts.has(t)) readers.set(t, n);
    // A woken writer did not hold it yet; whoever held it before (the releaser) gave it back.
    const writer = b.writer !== null && ts.has(b.writer) ? b.writer : r.writer !== null && ts.has(r.writer) ? null : r.writer;
    const queue = [...b.queue.filter((e) => ts.has(e.thread)), ...r.queue.filter((e) => !ts.has(e.thread))];
    rw.set(l, { writer, readers, queue });
  }
  return { ...s, pc, owner, rw };
}

/**
 * SEMANTICS "lock-order": the threads of s standing at an acquire while holding a
 * lock the model's lockOrder declares after the one they take.
 */
export function orderViolations(model: Model, program: Program, s: ModelState): { thread: string; node: Node; acquires: string; held: string; mode: string }[] {
  const forbidden = forbiddenWhileHeld(model);
  const out: { thread: string; node: Node; acquires: string; held: string; mode: string }[] = [];
  for (const t of model.threads) {
    const n = nodeAt(program, t.id, s.pc.get(t.id));
    if (n?.op.kind !== "acquire") continue;
    const later = forbidden.get(n.op.lock);
    if (!later) continue;
    for (const h of heldBy(model, s, t.id)) if (later.has(h.lock)) out.push({ thread: t.id, node: n, acquires: n.op.lock, held: h.lock, mode: h.mode });
  }
  return out;
}

function refOf(model: Model, lock: string): string {
  return `&${lockName(model, lock).replace(".", "->")}`;
}

function heldBy(model: Model, s: ModelState, thread: string): { lock: string; mode: string }[] {
  const out: { lock: string; mode: string }[] = [];
  for (const [l, o] of s.owner) if (o === thread) out.push({ lock: l, mode: shownMode(model, l, "excl") });
  for (const [l, r] of s.rw) {
    if (r.writer === thread) out.push({ lock: l, mode: "write" });
    if ((r.readers.get(thread) ?? 0) > 0) out.push({ lock: l, mode: "read" });
  }
  return out;
}

function reasonText(model: Model, r: WaitReason): string {
  const who = threadName(model, r.by);
  if (r.kind === "queued-behind") return `queued behind ${r.mode === "write" ? "writer" : "reader"} ${who}`;
  return r.mode === "excl" ? `held by ${who}` : `held for ${r.mode} by ${who}`;
}

/** Does the node unmap a tracked region's page (SEMANTICS "Residency")? */
function isEviction(model: Model, node: Node): boolean {
  const op = node.op;
  return op.kind === "set" && op.value.kind === "lit" && op.value.value === false && model.vars.some((v) => v.id === op.variable && v.residencyOf !== undefined);
}

/** What a step did: a wait in the queue, a variable's change, or the outcome spelled as for merged steps. */
function effectOf(model: Model, blocking: Blocking, node: Node, before: ModelState, after: ModelState): string {
  const t = node.thread;
  const op = node.op;
  if (op.kind === "acquire" && after.pc.get(t) === before.pc.get(t)) {
    const w = blocking.waitOf(before, t);
    const why = w ? w.reasons.map((r) => reasonText(model, r)).join(", ") : "";
    return `waits in the queue${why ? `: ${why}` : ""}`;
  }
  if (op.kind === "set") return spellSet(model, op.variable, before.vars.get(op.variable), after.vars.get(op.variable));
  return spellOutcome(op, after.pc.get(t) ?? "", model);
}

function deadlock(model: Model, blocking: Blocking, steps: Step[], last: ModelState): Finding {
  const stuck = blocking.stuck(last);
  const ids = new Set(stuck.map((w) => w.thread));
  const waits: WaitLine[] = stuck.map((w) => waitLine(model, blocking, w));
  // The cycle: follow each thread's first blocker inside the stuck set (others before itself).
  const next = new Map<string, string>();
  for (const w of stuck) {
    const direct = w.reasons.map((r) => r.by).filter((b) => ids.has(b));
    const inSet = direct.length > 0 ? direct : w.blockers.filter((b) => ids.has(b));
    next.set(w.thread, inSet.find((b) => b !== w.thread) ?? inSet[0] ?? w.thread);
  }
  const cycle: string[] = [];
  // Start from the stuck thread that moved first in the trace: the story's beginning.
  const firstMover = steps.find((s) => ids.has(s.threadId))?.threadId;
  const start = firstMover ?? stuck[0]?.thread;
  if (start) {
    const seen = new Map<string, number>();
    let cur = start;
    const path: string[] = [];
    while (!seen.has(cur)) {
      seen.set(cur, path.length);
      path.push(cur);
      cur = next.get(cur) ?? cur;
    }
    cycle.push(...path.slice(seen.get(cur)), cur);
  }
  const names = cycle.map((t) => threadName(model, t));
  // Explain in cycle order, then any stuck thread outside the cycle.
  const rank = (t: string) => (cycle.includes(t) ? cycle.indexOf(t) : cycle.length);
  waits.sort((a, b) => rank(a.threadId) - rank(b.threadId));
  const inCycle = [...new Set(cycle)];
  const behind = stuck.map((w) => w.thread).filter((t) => !inCycle.includes(t));
  const also = behind.length > 0 ? `; also blocked behind them: ${behind.map((t) => threadName(model, t)).join(", ")}` : "";
  const summary =
    inCycle.length === 1
      ? `deadlock: ${threadName(model, inCycle[0] as string)} waits for itself${also}`
      : `deadlock: ${inCycle.map((t) => threadName(model, t)).join(", ")} wait for each other${also}`;
  return {
    verdict: "deadlock",
    summary,
    steps,
    details: [...waits.map((w) => w.text), ...(names.length > 1 ? [`cycle: ${names.join(" -> ")}`] : [])],
    waits,
    cycle: names,
    // The cycle's threads; those merely blocked behind it are named in the summary.
    involved: inCycle.length > 0 ? inCycle : stuck.map((w) => w.thread),
  };
}

function waitLine(model: Model, blocking: Blocking, w: Wait): WaitLine {
  const thread = threadName(model, w.thread);
  const node = nodeAt(blocking.program, w.thread, w.pc);
  const loc = node?.loc ?? { file: "?", line: 0, column: 0 };
  const at = ` at ${formatLoc(loc)}`;
  if (w.lock === undefined) {
    const cond = node?.op.kind === "await" ? spellExpr(model, node.op.cond) : "its condition";
    const others = w.blockers.map((b) => threadName(model, b));
    const via = node ? viaText(model, node) : "";
    const text = `${thread} waits for ${cond}${at}${via ? ` (${via})` : ""}: ${others.length > 0 ? `only ${others.join(", ")} could make it true, and they are stuck` : "no thread is left to make it true"}`;
    return { thread, threadId: w.thread, pc: w.pc, loc, via, reasons: [], text };
  }
  const lock = lockRef(model, w.lock);
  const mode = w.mode === "excl" || w.mode === undefined ? "" : ` (${w.mode})`;
  const faultAcquire = node?.op.kind === "acquire" && node.op.fault !== undefined;
  const fault = faultAcquire ? " in a page fault" : "";
  // The fault's own down_read says "in a page fault" already: its last frame is that fault.
  const via = node ? viaText(model, faultAcquire ? { ...node, via: node.via.slice(0, -1) } : node) : "";
  const reasons = w.reasons.map((r) => reasonText(model, r));
  const text = `${thread} waits for ${lock}${mode}${fault}${at}${via ? ` (${via})` : ""}: ${reasons.join(", ")}`;
  return { thread, threadId: w.thread, pc: w.pc, lock, lockId: w.lock, lockName: lockName(model, w.lock), ...(w.mode ? { mode: w.mode } : {}), loc, via, reasons, text };
}

/** Where a node runs, with the model line the thread's own body entered it from: `in filemap_nopage() <- page fault on map at a.ts:26`. */
function viaText(model: Model, node: Node): string {
  const outer = node.via[0];
  return outer ? `in ${spellVia(model, node)} at ${formatLoc(outer.loc)}` : "";
}

function termination(model: Model, steps: Step[], last: ModelState, loopTo: number | undefined, firstRepeat: number | undefined): Finding {
  const running = model.threads.filter((t) => last.pc.get(t.id) !== DONE).map((t) => t.name);
  // A lasso (SEMANTICS "termination"): the prefix, then the steps that repeat forever.
  const cycle =
    firstRepeat !== undefined && firstRepeat <= steps.length
      ? [`livelock: steps ${firstRepeat}-${steps.length} repeat forever (${[...new Set(steps.slice(firstRepeat - 1).map((s) => s.thread))].join(", ")} going round)`]
      : [];
  return {
    verdict: "termination",
    summary: `not every thread finishes: ${running.join(", ")} can run forever without finishing`,
    steps,
    details: cycle.length > 0 ? cycle : loopTo !== undefined ? [`the behaviour repeats from state ${loopTo} forever`] : [],
    involved: [],
    ...(loopTo !== undefined ? { loopsTo: loopTo } : {}),
  };
}

/** Why a condition is false in the last state, and the value of everything it reads there. */
function whyFalse(model: Model, s: ModelState, e: Expr, program: Program): string[] {
  const why = spellFalse(model, e, (x) => evalExpr(model, s, program, x) === true);
  const parts = atomsOf(e).map((x) => `${spellExpr(model, x)} = ${String(evalExpr(model, s, program, x))}`);
  return [...(why ? [why] : []), ...(parts.length > 0 ? [`with ${parts.join(", ")}`] : [])];
}

/** The whole state in model words: where each thread is, who holds what, variables. */
function describeState(model: Model, program: Program, s: ModelState): string[] {
  const out: string[] = [];
  for (const t of model.threads) {
    const pc = s.pc.get(t.id) ?? DONE;
    const n = nodeAt(program, t.id, pc);
    out.push(`${t.name}: ${n ? `at ${spellOp(model, n.op)} (${formatLoc(n.loc)})` : "finished"}`);
  }
  for (const l of model.locks) {
    const o = s.owner.get(l.id);
    const r = s.rw.get(l.id);
    if (o) out.push(`${lockRef(model, l.id)}: ${l.writeOnly ? "write-held" : "held"} by ${threadName(model, o)}`);
    if (r) {
      const parts: string[] = [];
      if (r.writer) parts.push(`write-held by ${threadName(model, r.writer)}`);
      if (r.readers.size > 0) parts.push(`read-held by ${[...r.readers].map(([t, k]) => `${threadName(model, t)}${k > 1 ? ` x${k}` : ""}`).join(", ")}`);
      if (r.queue.length > 0) parts.push(`queue: ${r.queue.map((e) => `${threadName(model, e.thread)} (${e.mode})`).join(", ")}`);
      if (parts.length > 0) out.push(`${lockRef(model, l.id)}: ${parts.join("; ")}`);
    }
  }
  for (const v of model.vars) out.push(`${v.name} = ${String(s.vars.get(v.id))}`);
  return out;
}
