// One TLA+ action per kept node (src/ir/merge.ts): the node's own operation, then
// on each outcome that moves the pc, the paths through the absorbed nodes it
// reaches, composed into one primed update per variable (`owner' = Free(Take(owner,
// "M", t), "M")`), one disjunct per path. Text only: view.ts owns the tables.

import { formatLoc } from "../ir/diagnostics.js";
import { type MergePlan, type Path, entryPaths, isGuardedPath, pathAcquires, pathEffect, pathReleases, paths, throughPaths } from "../ir/merge.js";
import { DONE, type Node, type ThreadProgram, successors } from "../ir/program.js";
import { spellOp, spellOutcome, spellVia, threadName } from "../ir/spell.js";
import type { Expr, LockMode, Model } from "../ir/types.js";
import { queues, unreachable } from "../ir/types.js";
import { commentText } from "./names.js";

export interface ActionContext {
  readonly model: Model;
  readonly plan: MergePlan;
  readonly tp: ThreadProgram;
  /** The thread as a TLA+ string literal. */
  readonly t: string;
  /** A lock as a TLA+ string literal. */
  readonly L: (id: string) => string;
  readonly expr: (e: Expr) => string;
  readonly varIdent: ReadonlyMap<string, string>;
  /** Every spec variable, in VARIABLES order. */
  readonly variables: readonly string[];
  /** Shared variables (ids) the worlds of Grant carry (view.ts): Become sets them. */
  readonly worldVars: readonly string[];
}

/** New values an outcome gives before the absorbed path runs: TLA+ expressions over the unprimed state. */
interface Effect {
  readonly owner?: string;
  readonly rw?: string;
  /** The kept operation's own assignment (a set), composed with the path's (merge.ts pathEffect). */
  readonly assign?: { readonly variable: string; readonly value: Expr };
  /** The kept operation's own release (owner/rw above give it back without waking anyone). */
  readonly freed?: { readonly lock: string; readonly mode: LockMode };
}

type Item = readonly string[];

const str = (s: string): string => `"${s}"`;

/** A junction list: each item's first line after the bullet, its other lines aligned under it. */
function junction(bullet: "/\\" | "\\/", items: readonly Item[]): string[] {
  return items.flatMap((item) => [`${bullet} ${item[0] ?? ""}`, ...item.slice(1).map((l) => `   ${l}`)]);
}

function ite(cond: string, then: readonly string[], otherwise: readonly string[]): Item {
  return [`IF ${cond}`, `THEN ${then[0] ?? ""}`, ...then.slice(1).map((l) => `     ${l}`), `ELSE ${otherwise[0] ?? ""}`, ...otherwise.slice(1).map((l) => `     ${l}`)];
}

/** The variables an action leaves alone, given those it writes (pc is always written). */
function unchanged(ctx: ActionContext, written: readonly string[]): string | undefined {
  const rest = ctx.variables.filter((v) => v !== "pc" && !written.includes(v));
  return rest.length === 0 ? undefined : `UNCHANGED <<${rest.join(", ")}>>`;
}

/** The condition for taking lock `r` in `mode` now, and the new lock state after (on top of `e`). */
function take(mode: LockMode, r: string, t: string, e: Effect = {}): [string, Effect] {
  if (mode === "excl") return [`owner[${r}] = NoOne`, { owner: `Take(${e.owner ?? "owner"}, ${r}, ${t})` }];
  const rw = e.rw ?? "rw";
  return mode === "read" ? [`CanRead(${r}, ${t})`, { rw: `TakeRead(${rw}, ${r}, ${t})` }] : [`CanWrite(${r}, ${t})`, { rw: `TakeWrite(${rw}, ${r}, ${t})` }];
}

/** `e` with lock `r` given back in `mode` on top. */
function free(e: Effect, mode: LockMode, r: string, t: string): Effect {
  // Giving back what this step took last undoes it (the lock was free before: the
  // take's condition, or an absorbed acquire's lock, which no state shows held).
  // TLC then builds no new function, and an update back to the variable is none.
  if (mode === "excl") {
    const took = `, ${r}, ${t})`;
    if (e.owner?.startsWith("Take(") && e.owner.endsWith(took)) return without(e, "owner", e.owner.slice(5, -took.length));
    return { ...e, owner: `Free(${e.owner ?? "owner"}, ${r})` };
  }
  const took = `, ${r}${mode === "read" ? `, ${t}` : ""})`;
  const prefix = mode === "read" ? "TakeRead(" : "TakeWrite(";
  if (e.rw?.startsWith(prefix) && e.rw.endsWith(took)) return without(e, "rw", e.rw.slice(prefix.length, -took.length));
  return { ...e, rw: mode === "read" ? `FreeRead(${e.rw ?? "rw"}, ${r}, ${t})` : `FreeWrite(${e.rw ?? "rw"}, ${r})` };
}

/** `e` with `key` set back to `value`: no update at all when that is the variable itself. */
function without(e: Effect, key: "owner" | "rw", value: string): Effect {
  const { [key]: _gone, ...rest } = e;
  return value === key ? rest : { ...rest, [key]: value };
}

/** The comment lines of a kept node's action: its operation, then every absorbed operation it may run. */
export function actionComment(ctx: ActionContext, n: Node): string[] {
  const { model } = ctx;
  const line = (x: Node, prefix: string) => {
    const via = spellVia(model, x);
    return commentText(`${prefix}${spellOp(model, x.op)}${via ? `  [in ${via}]` : ""}  (${formatLoc(x.loc)})`);
  };
  const out = [line(n, `${threadName(model, n.thread)}: `)];
  const seen = new Set<string>();
  const through = n.op.kind === "acquire" ? ctx.plan.through?.get(ctx.tp.thread)?.get(n.pc) : undefined;
  // An acquire running on through kept accesses (src/ir/merge.ts) lists them too.
  for (const exit of successors(n.op)) {
    for (const p of throughPaths(ctx.plan, ctx.tp, exit, through)) {
      for (const { node } of p.steps) {
        if (seen.has(node.pc)) continue;
        seen.add(node.pc);
        out.push(line(node, "  then, in the same step: "));
      }
    }
  }
  if (n.op.kind === "acquire" && n.op.fault) out.push("page fault path: the handler takes the region owner's mmap_lock for read");
  return out;
}

/**
 * The body of a kept node's action, after `pc[t] = "pN"`. When every outcome
 * reaches one kept pc without releasing anything the compact form is kept (the
 * lock operators of the templates, with the pc the path ends at); otherwise every
 * path is written out.
 */
export function actionBody(ctx: ActionContext, n: Node): string[] {
  const { t, L, expr, tp, plan } = ctx;
  const op = n.op;
  const pathsOf = (pc: string) => paths(plan, tp, pc);
  const through = op.kind === "acquire" ? plan.through?.get(tp.thread)?.get(n.pc) : undefined;
  const compact =
    through === undefined &&
    successors(n.op).every((x) => {
      const ps = pathsOf(x);
      return ps.length === 1 && pathReleases(ps[0] as Path).length === 0 && pathAcquires(ps[0] as Path).length === 0 && !isGuardedPath(ps[0] as Path);
    });
  if (compact) return compactBody(ctx, n, (pc) => (pathsOf(pc)[0] as Path).end);

  // Each outcome's effect, then its paths; one disjunct per path of every outcome listed.
  // An acquire's step running on through kept accesses (src/ir/merge.ts) is one path
  // through them: pathEffect composes the accesses like guarded nodes, each reading
  // the state the ones before it leave.
  const outcomes = (effect: Effect, exits: readonly string[], onward?: ReadonlySet<string>): Item[] => {
    const all = exits.flatMap((x) => throughPaths(plan, tp, x, onward));
    if (all.length === 1) return leaf(ctx, effect, all[0] as Path);
    return [junction("\\/", all.map((p) => junction("/\\", leaf(ctx, effect, p))))];
  };
  const others = (written: readonly string[]): Item[] => {
    const u = unchanged(ctx, written);
    return u === undefined ? [] : [[u]];
  };
  switch (op.kind) {
    case "acquire": {
      const r = L(op.lock);
      const [can, took] = take(op.mode, r, t);
      if (op.mode === "excl") return junction("/\\", [[can], ...outcomes(took, [op.next], through)]);
      // Queueing leaves the pc where it is: no continuation.
      const queue = junction("/\\", [[`Enqueue(${t}, ${r}, ${str(op.mode)})`], ...others(["rw"])]);
      return junction("/\\", [ite(can, junction("/\\", outcomes(took, [op.next], through)), queue)]);
    }
    case "release": {
      const r = L(op.lock);
      const holds = op.mode === "excl" ? `owner[${r}] = ${t}` : op.mode === "read" ? `BagIn(${t}, rw[${r}].readers)` : `rw[${r}].writer = ${t}`;
      return junction("/\\", [[holds], ...outcomes({ ...free({}, op.mode, r, t), freed: { lock: op.lock, mode: op.mode } }, [op.next])]);
    }
    case "trylock": {
      const [can, took] = take(op.mode, L(op.lock), t);
      return junction("/\\", [ite(can, junction("/\\", outcomes(took, [op.ok])), junction("/\\", outcomes({}, [op.fail])))]);
    }
    case "access":
      if (op.fault.kind !== "none" && op.fault.resident !== undefined) {
        // A tracked region: its residency decides (SEMANTICS "Residency").
        const present = ctx.varIdent.get(op.fault.resident) as string;
        return junction("/\\", [ite(present, junction("/\\", outcomes({}, [op.next])), junction("/\\", outcomes({}, [op.fault.target])))]);
      }
      return junction("/\\", outcomes({}, successors(op)));
    case "choose":
    case "assert":
    case "local":
      return junction("/\\", outcomes({}, successors(op)));
    case "set":
      return junction("/\\", outcomes({ assign: { variable: op.variable, value: op.value } }, [op.next]));
    case "branch":
      return junction("/\\", [ite(expr(op.cond), junction("/\\", outcomes({}, [op.then])), junction("/\\", outcomes({}, [op.else])))]);
    case "await":
      return junction("/\\", [ite(expr(op.cond), junction("/\\", outcomes({}, [op.next])), ["FALSE  \\* blocks while false"])]);
    default:
      return unreachable(op);
  }
}

/** Does releasing this lock grant it to waiters? Only rwsems with a queue (not "reader-preferring"). */
export function grants(model: Model, lock: string): boolean {
  return queues(model.locks.find((x) => x.id === lock));
}

/** Locks given back, in order, as a TLA+ sequence of <<lock, mode>>. */
export function releaseSeq(releases: readonly { readonly lock: string; readonly mode: LockMode }[], L: (id: string) => string): string {
  return `<<${releases.map((r) => `<<${L(r.lock)}, ${str(r.mode)}>>`).join(", ")}>>`;
}

/**
 * One path: the outcome's effect with the absorbed releases composed on top, the
 * pc, the rest unchanged. Where a release may wake waiters of a rwsem, the releases
 * go through Release instead, and the step ends in one of the worlds it gives.
 */
function leaf(ctx: ActionContext, effect: Effect, p: Path): Item[] {
  const { t, L, expr } = ctx;
  const how = p.steps.map(({ node, to }) => (node.op.kind === "release" || node.op.kind === "acquire" ? spellOp(ctx.model, node.op) : spellOutcome(node.op, to)));
  const note = how.length > 0 ? `  \\* ${commentText(how.join("; "))}` : "";
  // Guarded nodes (src/ir/merge.ts): the path's conditions, and each variable's value after it.
  const eff = pathEffect(p, effect.assign);
  // A guard TLC would split (a disjunction it meets as an action: one successor per
  // true disjunct, each counted as generated) is written as an IF around the rest.
  const splitting = eff.guards.filter(splits);
  const guards: Item[] = eff.guards.filter((g) => !splits(g)).map((g) => [expr(g)]);
  const guarded = (rest: Item[]): Item[] =>
    splitting.length === 0 ? [...guards, ...rest] : [...guards, ite(splitting.map(expr).join(" /\\ "), junction("/\\", rest), ["FALSE"])];
  const assigned = [...eff.assigns].map(([v, e]) => ({ id: v, ident: ctx.varIdent.get(v) as string, value: expr(e) }));
  // The path composed into one primed update per variable: what the step does when
  // no release wakes anyone.
  const direct: Item[] = [];
  const { owner, rw } = p.steps.reduce((e, { node: { op } }) => {
    if (op.kind === "release") return free(e, op.mode, L(op.lock), t);
    if (op.kind === "acquire") return { ...e, ...take(op.mode, L(op.lock), t, e)[1] };
    return e;
  }, effect);
  if (owner !== undefined) direct.push([`owner' = ${owner}`]);
  if (rw !== undefined) direct.push([`rw' = ${rw}`]);
  for (const a of assigned) direct.push([`${a.ident}' = ${a.value}`]);
  direct.push([`Goto(${t}, ${str(p.end)})${note}`]);
  const u = unchanged(ctx, [...(owner !== undefined ? ["owner"] : []), ...(rw !== undefined ? ["rw"] : []), ...assigned.map((a) => a.ident)]);
  if (u !== undefined) direct.push([u]);
  const releases = [...(effect.freed ? [effect.freed] : []), ...pathReleases(p)];
  const granting = [...new Set(releases.filter((r) => grants(ctx.model, r.lock)).map((r) => r.lock))];
  if (granting.length === 0) return guarded(direct);
  // Every release, the kept one first, goes through Release: each may wake waiters.
  // An absorbed acquire (of a lock no state shows held) is taken up front: its
  // release is in the sequence, and no release before it may wake anyone.
  const base = pathAcquires(p).reduce((e, a) => ({ ...e, ...take(a.mode, L(a.lock), t, e)[1] }), effect.freed ? {} : effect);
  const world = `World([pc EXCEPT ![${t}] = ${str(p.end)}], ${base.rw ?? "rw"})`;
  // Variables the worlds carry get their new values there (woken threads read them);
  // the path's other assignments are the step's own.
  const inWorld = assigned.filter((a) => ctx.worldVars.includes(a.id));
  const updates = [...(base.owner !== undefined ? [`!.owner = ${base.owner}`] : []), ...inWorld.map((a) => `!.${a.ident} = ${a.value}`)];
  const start = updates.length > 0 ? `[${world} EXCEPT ${updates.join(", ")}]` : world;
  const own = assigned.filter((a) => !ctx.worldVars.includes(a.id));
  const worlds: Item[] = own.map((a) => [`${a.ident}' = ${a.value}`]);
  worlds.push([`Become(Release(${start}, ${t}, ${releaseSeq(releases, L)}))${note}`]);
  const uw = unchanged(ctx, ["owner", "rw", ...ctx.worldVars.map((v) => ctx.varIdent.get(v) as string), ...own.map((a) => a.ident)]);
  if (uw !== undefined) worlds.push([uw]);
  // Only a queue can be woken: while the queues of the rwsems it gives back are
  // empty (a step neither joins nor leaves a queue before its releases), the step
  // is the direct update, and TLC builds no worlds (the same successor states).
  const empty = granting.map((l) => `rw[${L(l)}].queue = <<>>`).join(" /\\ ");
  return guarded([ite(empty, junction("/\\", direct), junction("/\\", worlds))]);
}

/** Would TLC split `e` met as a conjunct of an action (a disjunction, possibly inside conjunctions)? */
function splits(e: Expr): boolean {
  return (e.kind === "or" && e.args.length > 1) || (e.kind === "and" && e.args.some(splits));
}

/** The unmerged form of an action (one outcome per exit, no absorbed releases): `to` maps an exit to the pc its path ends at. */
function compactBody(ctx: ActionContext, n: Node, to: (pc: string) => string): string[] {
  const { t, L, expr } = ctx;
  const goto = (p: string) => `Goto(${t}, ${str(to(p))})`;
  const op = n.op;
  let body: string[];
  // The variables besides pc the action writes (the rest are UNCHANGED).
  let writes: string[] = [];
  switch (op.kind) {
    case "acquire": {
      const fn = op.mode === "read" ? "DownRead" : op.mode === "write" ? "DownWrite" : "MutexLock";
      body = [`/\\ ${fn}(${t}, ${L(op.lock)}, ${str(to(op.next))})`];
      writes = [op.mode === "excl" ? "owner" : "rw"];
      break;
    }
    case "release": {
      const fn = op.mode === "read" ? "UpRead" : op.mode === "write" ? "UpWrite" : "MutexUnlock";
      body = [`/\\ ${fn}(${t}, ${L(op.lock)}, ${str(to(op.next))})`];
      // UpRead/UpWrite end in a world (pc, owner, rw and the variables woken threads
      // touch): a woken waiter may release a mutex or set a guarded variable.
      writes = op.mode === "excl" ? ["owner"] : ["owner", "rw", ...ctx.worldVars.map((v) => ctx.varIdent.get(v) as string)];
      break;
    }
    case "trylock": {
      const fn = op.mode === "read" ? "DownReadTrylock" : op.mode === "write" ? "DownWriteTrylock" : "MutexTrylock";
      body = [`/\\ ${fn}(${t}, ${L(op.lock)}, ${str(to(op.ok))}, ${str(to(op.fail))})`];
      writes = [op.mode === "excl" ? "owner" : "rw"];
      break;
    }
    case "access":
      if (op.fault.kind === "none") {
        body = [`/\\ ${goto(op.next)}  \\* ${op.op === "get_user_pages" ? "no fault that changes anything" : "pinned: never faults"}`];
      } else if (op.fault.resident !== undefined) {
        const what = op.fault.kind === "handle" ? "absent: page fault" : "absent, page faults disabled: -EFAULT";
        body = [`/\\ IF ${ctx.varIdent.get(op.fault.resident)} THEN ${goto(op.next)}  \\* present: no fault`, `   ELSE ${goto(op.fault.target)}  \\* ${what}`];
      } else {
        const what = op.fault.kind === "handle" ? "page fault: run the fault path" : "page fault with page faults disabled: -EFAULT";
        body = [`/\\ \\/ ${goto(op.next)}  \\* page present`, `   \\/ ${goto(op.fault.target)}  \\* ${what}`];
      }
      break;
    case "choose":
      body = op.targets.map((p, i) => `${i === 0 ? "/\\ \\/" : "   \\/"} ${goto(p)}`);
      break;
    case "set":
      body = [`/\\ ${ctx.varIdent.get(op.variable)}' = ${expr(op.value)}`, `/\\ ${goto(op.next)}`];
      writes = [ctx.varIdent.get(op.variable) as string];
      break;
    case "branch":
      body = [`/\\ IF ${expr(op.cond)} THEN ${goto(op.then)} ELSE ${goto(op.else)}`];
      break;
    case "await":
      // IF, not a bare conjunct: TLC would make one successor per true disjunct of
      // the condition, counting the same state several times in "states generated".
      body = [`/\\ IF ${expr(op.cond)} THEN ${goto(op.next)} ELSE FALSE  \\* blocks while false`];
      break;
    case "assert":
      body = [`/\\ ${goto(op.next)}`];
      break;
    case "local":
      // The value is in the pc the thread goes to (src/ir/program.ts).
      body = [`/\\ ${goto(op.next)}  \\* ${commentText(spellOp(ctx.model, op))}`];
      break;
    default:
      body = unreachable(op);
  }
  const u = unchanged(ctx, writes);
  return [...body, ...(u !== undefined ? [`/\\ ${u}`] : [])];
}

/** Where each thread may start: its entry, or the first kept pcs its absorbed entry reaches. */
export function entryPcs(model: Model, plan: MergePlan, tp: ThreadProgram): string[] {
  if (tp.entry === DONE) return [DONE];
  return [...new Set(entryPaths(model, plan, tp).map((p) => p.end))];
}
