// TLC counterexample -> numbered steps in the model's own words, and the
// explanation of the finding: who waits for whom and why, which lock leaked, ...

import { type SpecCheck, type SpecNames, mergePlanOf } from "../gen/index.js";
import type { MergePlan } from "../ir/merge.js";
import { formatLoc } from "../ir/diagnostics.js";
import { DONE, type Node, type Program, nodeAt } from "../ir/program.js";
import { declarationOf, forbiddenWhileHeld } from "../ir/order.js";
import { lockName, spellExpr, spellOp, spellVia, threadName, spellOutcome } from "../ir/spell.js";
import { type TakenPath, absorbedPath } from "./merged.js";
import type { Expr, Loc, Model } from "../ir/types.js";
import { type LockdepReport, lockdepReport } from "./lockdep.js";
import { Blocking, type ModelState, type RawState, type Wait, type WaitReason, decodeState, evalExpr } from "./state.js";

export type Verdict = "ok" | "deadlock" | "lock-leak" | "bad-unlock" | "sleep-in-atomic" | "invariant" | "assertion" | "termination" | "lock-order";

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
}

export interface WaitLine {
  readonly thread: string;
  readonly threadId: string;
  /** The pc the thread is stuck at. */
  readonly pc: string;
  /** The lock's name, or undefined for wait_event. */
  readonly lock?: string;
  readonly mode?: string;
  readonly loc: Loc;
  readonly reasons: readonly string[];
  /** `T1 ioctl waits for app.mmap_lock (read) at seed.ts:23: queued behind writer T3 mmap`. */
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
  /** Ids of the threads the finding is about (the stuck set, the leaking thread, ...). */
  readonly involved: readonly string[];
  /** The same finding in lockdep's words, where lockdep has words for it. */
  readonly lockdep?: LockdepReport;
}

export interface RawTrace {
  readonly states: readonly RawState[];
  readonly actions: readonly (string | null)[];
  readonly loopTo?: number;
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
  return { ...f, involved, ...(lockdep ? { lockdep } : {}) };
}

function explain(input: TranslateInput): Finding {
  const { model, program, names, trace } = input;
  const states = trace.states.map((s) => decodeState(names, s));
  const blocking = new Blocking(model, program);

  const plan = mergePlanOf(names);
  const steps: Step[] = [];
  const push = (tlcStep: number, merged: boolean, node: Node, effect: string, state: ModelState) => {
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
  for (let i = 1; i < states.length; i++) {
    const action = trace.actions[i];
    const act = action ? names.actions.get(action) : undefined;
    const before = states[i - 1] as ModelState;
    const after = states[i] as ModelState;
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
      push(i, true, w.node, `${spellOutcome(op, op.next)}: granted when ${threadName(model, w.by)} released it`, notYet(w.path?.kept ?? after, k + 1));
      for (const x of w.path?.steps ?? []) push(i, true, x.node, x.effect, notYet(x.state, k + 1));
    });
  }

  const last = states[states.length - 1] as ModelState;
  const check: SpecCheck | undefined = input.violated ? names.checks.get(input.violated) : undefined;
  if (!input.violated) return termination(model, steps, last, trace.loopTo);
  if (!check) {
    return { verdict: "invariant", summary: `invariant ${input.violated} is violated`, steps, details: [], involved: [] };
  }
  const holding = (thread: string): { lock: string; mode: string }[] => heldBy(last, thread);
  switch (check.kind) {
    case "deadlock":
      return deadlock(model, blocking, steps, last);
    case "lock-leak": {
      const details: string[] = [];
      const involved: string[] = [];
      for (const t of model.threads) {
        if (last.pc.get(t.id) !== DONE) continue;
        for (const h of holding(t.id)) {
          const taken = [...steps].reverse().find((s) => s.threadId === t.id && /^(mutex_lock|spin_lock|down_read|down_write|mutex_trylock|spin_trylock|down_read_trylock|down_write_trylock)\b/.test(s.operation) && s.operation.includes(refOf(model, h.lock)));
          involved.push(t.id);
          details.push(`${t.name} finished holding ${lockName(model, h.lock)}${h.mode === "excl" ? "" : ` (${h.mode})`}${taken ? `, taken in step ${taken.index} at ${formatLoc(taken.loc)}` : ""}`);
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
        if (holding(t.id).some((h) => h.lock === op.lock && h.mode === op.mode)) continue;
        involved.push(t.id);
        details.push(`${t.name} calls ${spellOp(model, op)} at ${formatLoc(n.loc)} without holding ${lockName(model, op.lock)}${op.mode === "excl" ? "" : ` for ${op.mode}`}`);
      }
      return { verdict: "bad-unlock", summary: details[0] ?? "a thread releases a lock it does not hold", steps, details, involved };
    }
    case "sleep-in-atomic": {
      const details: string[] = [];
      const involved: string[] = [];
      for (const t of model.threads) {
        const n = nodeAt(program, t.id, last.pc.get(t.id));
        if (!n || (n.op.kind !== "acquire" && n.op.kind !== "await")) continue;
        const spins = [...last.owner].filter(([l, o]) => o === t.id && model.locks.find((x) => x.id === l)?.kind === "spinlock").map(([l]) => lockName(model, l));
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
      return {
        verdict: "assertion",
        summary: `assertion failed in ${threadName(model, check.thread)}${where}: ${check.message}`,
        steps,
        details: cond ? [`${spellExpr(model, cond)} is false`, ...valuesOf(model, last, cond, program)] : [],
        involved: [check.thread],
      };
    }
    case "invariant": {
      const inv = model.invariants.find((x) => x.id === check.invariant);
      return {
        verdict: "invariant",
        summary: `invariant '${inv?.name}' violated${inv ? ` (${formatLoc(inv.loc)})` : ""}`,
        steps,
        details: inv ? [`${spellExpr(model, inv.cond)} is false`, ...valuesOf(model, last, inv.cond, program)] : [],
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
  for (const [l, o] of s.owner) if (o !== null && ts.has(o) && before.owner.get(l) !== o) owner.set(l, before.owner.get(l) ?? null);
  const rw = new Map(s.rw);
  for (const [l, r] of s.rw) {
    const b = before.rw.get(l);
    if (!b) continue;
    const readers = new Map([...r.readers].filter(([t]) => !ts.has(t)));
    for (const [t, n] of b.readers) if (ts.has(t)) readers.set(t, n);
    const writer = (r.writer !== null && ts.has(r.writer)) || (b.writer !== null && ts.has(b.writer)) ? b.writer : r.writer;
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
    for (const h of heldBy(s, t.id)) if (later.has(h.lock)) out.push({ thread: t.id, node: n, acquires: n.op.lock, held: h.lock, mode: h.mode });
  }
  return out;
}

function refOf(model: Model, lock: string): string {
  return `&${lockName(model, lock).replace(".", "->")}`;
}

function heldBy(s: ModelState, thread: string): { lock: string; mode: string }[] {
  const out: { lock: string; mode: string }[] = [];
  for (const [l, o] of s.owner) if (o === thread) out.push({ lock: l, mode: "excl" });
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

/** What a step did: a wait in the queue, a variable's change, or the outcome spelled as for merged steps. */
function effectOf(model: Model, blocking: Blocking, node: Node, before: ModelState, after: ModelState): string {
  const t = node.thread;
  const op = node.op;
  if (op.kind === "acquire" && after.pc.get(t) === before.pc.get(t)) {
    const w = blocking.waitOf(before, t);
    const why = w ? w.reasons.map((r) => reasonText(model, r)).join(", ") : "";
    return `waits in the queue${why ? `: ${why}` : ""}`;
  }
  if (op.kind === "set") {
    const name = model.vars.find((v) => v.id === op.variable)?.name ?? op.variable;
    return `${name}: ${String(before.vars.get(op.variable))} -> ${String(after.vars.get(op.variable))}`;
  }
  return spellOutcome(op, after.pc.get(t) ?? "");
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
    const text = `${thread} waits for ${cond}${at}: ${others.length > 0 ? `only ${others.join(", ")} could make it true, and they are stuck` : "no thread is left to make it true"}`;
    return { thread, threadId: w.thread, pc: w.pc, loc, reasons: [], text };
  }
  const lock = lockName(model, w.lock);
  const mode = w.mode === "excl" || w.mode === undefined ? "" : ` (${w.mode})`;
  const fault = node?.op.kind === "acquire" && node.op.fault ? " in a page fault" : "";
  const reasons = w.reasons.map((r) => reasonText(model, r));
  const text = `${thread} waits for ${lock}${mode}${fault}${at}: ${reasons.join(", ")}`;
  return { thread, threadId: w.thread, pc: w.pc, lock, ...(w.mode ? { mode: w.mode } : {}), loc, reasons, text };
}

function termination(model: Model, steps: Step[], last: ModelState, loopTo: number | undefined): Finding {
  const running = model.threads.filter((t) => last.pc.get(t.id) !== DONE).map((t) => t.name);
  return {
    verdict: "termination",
    summary: `not every thread finishes: ${running.join(", ")} can run forever without finishing`,
    steps,
    details: loopTo !== undefined ? [`the behaviour repeats from state ${loopTo} forever`] : [],
    involved: [],
    ...(loopTo !== undefined ? { loopsTo: loopTo } : {}),
  };
}

function valuesOf(model: Model, s: ModelState, e: Expr, program: Program): string[] {
  const vars = new Set<string>();
  const walk = (x: Expr): void => {
    if (x.kind === "var") vars.add(x.variable);
    if (x.kind === "not") walk(x.arg);
    if (x.kind === "and" || x.kind === "or") x.args.forEach(walk);
    if (x.kind === "cmp" || x.kind === "arith") {
      walk(x.left);
      walk(x.right);
    }
  };
  walk(e);
  const parts = [...vars].map((v) => `${model.vars.find((x) => x.id === v)?.name ?? v} = ${String(evalExpr(model, s, program, { kind: "var", variable: v }))}`);
  return parts.length > 0 ? [`with ${parts.join(", ")}`] : [];
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
    if (o) out.push(`${l.name}: held by ${threadName(model, o)}`);
    if (r) {
      const parts: string[] = [];
      if (r.writer) parts.push(`write-held by ${threadName(model, r.writer)}`);
      if (r.readers.size > 0) parts.push(`read-held by ${[...r.readers].map(([t, k]) => `${threadName(model, t)}${k > 1 ? ` x${k}` : ""}`).join(", ")}`);
      if (r.queue.length > 0) parts.push(`queue: ${r.queue.map((e) => `${threadName(model, e.thread)} (${e.mode})`).join(", ")}`);
      if (parts.length > 0) out.push(`${l.name}: ${parts.join("; ")}`);
    }
  }
  for (const v of model.vars) out.push(`${v.name} = ${String(s.vars.get(v.id))}`);
  return out;
}
