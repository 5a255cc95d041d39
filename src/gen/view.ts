// IR + lowered program -> the view model the Handlebars templates render, and
// the name tables trace translation needs to read TLC's states back.

import { formatLoc } from "../ir/diagnostics.js";
import { type MergePlan, isConstant, isGuardedPath, pathEffect, pathReleases, paths, varsTouched } from "../ir/merge.js";
import { DONE, type Node, type Program, type ThreadProgram, heldCounts, saturated } from "../ir/program.js";
import { forbiddenWhileHeld } from "../ir/order.js";
import { spellExpr } from "../ir/spell.js";
import type { Symmetry } from "../ir/symmetry.js";
import type { Expr, Lock, LockMode, Model, Value } from "../ir/types.js";
import { queues, subexprs, unreachable } from "../ir/types.js";
import { type ActionContext, actionBody, actionComment, entryPcs, grants, releaseSeq } from "./actions.js";
import { Namer, commentText } from "./names.js";

/** What an invariant in the spec stands for, so a violation reads in model words. */
export type SpecCheck =
  | { readonly kind: "deadlock" }
  | { readonly kind: "bad-unlock" }
  | { readonly kind: "lock-leak" }
  | { readonly kind: "sleep-in-atomic" }
  /** A user assertion, or with `bound` a bounded loop's cut-off (verdict `loop-bound`). */
  | { readonly kind: "assertion"; readonly thread: string; readonly pc: string; readonly message: string; readonly bound?: number }
  | { readonly kind: "invariant"; readonly invariant: string }
  | { readonly kind: "domain"; readonly variable: string }
  | { readonly kind: "lock-order" };

/** How the spec names model objects: the table trace translation reads states with. */
export interface SpecNames {
  readonly module: string;
  /** Thread id -> TLA+ string. */
  readonly threads: ReadonlyMap<string, string>;
  /** Lock id -> TLA+ string. */
  readonly locks: ReadonlyMap<string, string>;
  /** Shared variable id -> TLA+ variable. */
  readonly vars: ReadonlyMap<string, string>;
  /** Enum value as written -> TLA+ string (one table for the whole model). */
  readonly enumValues: ReadonlyMap<string, string>;
  /** Action name -> the node it performs. */
  readonly actions: ReadonlyMap<string, { readonly thread: string; readonly pc: string }>;
  /** Invariant name -> what it checks, in the order the .cfg lists them. */
  readonly checks: ReadonlyMap<string, SpecCheck>;
  /** Thread id -> the pcs merging absorbed (src/ir/merge.ts): no state stands at them. */
  readonly absorbed: ReadonlyMap<string, readonly string[]>;
  /** Thread id -> acquire pc -> the kept pcs its step runs on through (src/ir/merge.ts `through`); absent: none. */
  readonly through?: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /**
   * Thread id -> pc -> the thread's locals there, by name (threads with locals only):
   * lowering folds them into the pc, so a state's locals are read off its pcs (ITF).
   */
  readonly locals?: ReadonlyMap<string, ReadonlyMap<string, Readonly<Record<string, Value>>>>;
}

export interface SpecView {
  readonly module: string;
  readonly source: string;
  readonly modelName: string;
  readonly constants: readonly { name: string; value: string; comment: string }[];
  readonly variables: string;
  /** Threads TLC may permute (src/ir/symmetry.ts): model values, declared as CONSTANTS. */
  readonly modelValues: readonly string[];
  /** The SYMMETRY set, or "" when no group is symmetric. */
  readonly symmetry: string;
  /** The same groups as a tuple of tuples of threads, for faultline's view of the states (src/tlc/canon.ts). */
  readonly symmetryGroups: string;
  readonly hasExcl: boolean;
  readonly hasRw: boolean;
  readonly hasSpin: boolean;
  readonly init: readonly string[];
  readonly threads: readonly {
    header: string;
    actions: readonly { name: string; comment: readonly string[]; lines: readonly string[] }[];
    step: string;
    stepLines: readonly string[];
  }[];
  readonly next: readonly string[];
  readonly termination: boolean;
  readonly fairness: readonly string[];
  readonly holdsAs: string;
  readonly holdsAny: string;
  /** Per thread, `t = <thread> -> [<pc> |-> <<lock, mode>> or <<>>, ..., Done |-> <<>>]` (the arms of a CASE). */
  readonly waitTable: readonly string[];
  /** Per thread, `t = <thread> -> [<pc> |-> {<<pc, <<releases>>>>, ...}, ...]` for its queueing acquires, or `<<>>`. */
  readonly afterGrant: readonly string[];
  /** Shared variables (identifiers) a woken thread's continuation touches: Grant's worlds carry them. */
  readonly worldVars: readonly string[];
  /** Continue(w, k)'s arms, one per woken path that reads or writes them (src/ir/merge.ts guarded nodes). */
  readonly continuations: readonly string[];
  readonly canTake: string;
  readonly lockBlockers: string;
  readonly awaitBlocked: readonly string[];
  /** The blocked threads of a state as one set expression, lock by lock (see blockedNow). */
  readonly blockedNow: string;
  /** BlockedNow asks only the pcs where a thread may hold a lock (no wait_events) */
  readonly holdersOnly: boolean;
  readonly releaseAt: string;
  readonly sleepingAt: string;
  /** `<<thread, pc, lock held, mode>>` for each kept acquire and lock declared after the one it takes; undefined without lockOrder. */
  readonly orderAt?: string;
  readonly properties: readonly { name: string; comment: readonly string[]; body: string }[];
  readonly invariants: readonly string[];
}

const str = (s: string): string => `"${s}"`;

/** A TLA+ set literal, one element per line when long. */
function setLiteral(items: readonly string[], indent = "    "): string {
  if (items.length === 0) return "{}";
  const flat = `{${items.join(", ")}}`;
  if (flat.length <= 72) return flat;
  return `{\n${indent}  ${items.join(`,\n${indent}  `)}\n${indent}}`;
}

export function buildView(
  model: Model,
  program: Program,
  source: string,
  plan: MergePlan,
  sym: Symmetry,
): { view: SpecView; names: SpecNames } {
  const idents = new Namer();
  const strings = new Namer([]);
  const module = idents.take(model.name);

  const threadStr = new Map(model.threads.map((t) => [t.id, strings.take(t.name)]));
  // Threads of a symmetric group are model values (TLC permutes only those): their
  // name in the spec is an identifier, which TLC prints the way it prints a string.
  const valueThreads = new Set<string>();
  const groupValues = sym.groups.map((g) =>
    g.threads.map((t) => {
      const v = idents.take(threadStr.get(t) ?? t, "", { modelValue: true });
      threadStr.set(t, v);
      valueThreads.add(t);
      return v;
    }),
  );
  const lockStr = new Map(model.locks.map((l) => [l.id, strings.take(l.name)]));
  const enumStrings = new Namer([]);
  const enumValues = new Map<string, string>();
  // Locals' values too: an invariant compares a thread local's value with them, and
  // with the indexes of the array elements it names.
  for (const v of [...model.vars, ...model.locals]) {
    if (v.domain.kind !== "enum") continue;
    for (const x of v.domain.values) if (!enumValues.has(x)) enumValues.set(x, enumStrings.take(x));
  }
  const varIdent = new Map(model.vars.map((v) => [v.id, idents.take(v.name)]));

  const T = (id: string) => (valueThreads.has(id) ? (threadStr.get(id) as string) : str(threadStr.get(id) ?? id));
  const L = (id: string) => str(lockStr.get(id) ?? id);
  const lockKind = (id: string) => model.locks.find((l) => l.id === id)?.kind;

  const value = (v: Value): string =>
    typeof v === "boolean" ? (v ? "TRUE" : "FALSE") : typeof v === "number" ? String(v) : str(enumValues.get(v) ?? v);

  /** An expression as TLA+; `varText` spells a shared variable (default: its identifier). */
  const exprWith = (varText: (id: string) => string) => {
    const expr = (e: Expr): string => {
      switch (e.kind) {
        case "lit":
          return value(e.value);
        case "var":
          return varText(e.variable);
        case "not":
          return `~(${expr(e.arg)})`;
        case "and":
        case "or":
          return e.args.length === 0 ? (e.kind === "and" ? "TRUE" : "FALSE") : `(${e.args.map(expr).join(e.kind === "and" ? " /\\ " : " \\/ ")})`;
        case "cmp": {
          const op = { "=": "=", "!=": "#", "<": "<", "<=": "=<", ">": ">", ">=": ">=" }[e.op];
          return `(${expr(e.left)} ${op} ${expr(e.right)})`;
        }
        case "arith":
          return `(${expr(e.left)} ${e.op} ${expr(e.right)})`;
        case "held": {
          const kind = lockKind(e.lock);
          if (e.thread) {
            const modes = kind === "rwsem" ? (e.mode ? [e.mode] : ["read", "write"]) : ["excl"];
            const parts = modes.map((m) => `HoldsAs(${T(e.thread as string)}, ${L(e.lock)}, ${str(m)})`);
            return parts.length === 1 ? (parts[0] as string) : `(${parts.join(" \\/ ")})`;
          }
          if (kind !== "rwsem") return `(owner[${L(e.lock)}] # NoOne)`;
          if (e.mode === "read") return `(Readers(${L(e.lock)}) # {})`;
          if (e.mode === "write") return `(rw[${L(e.lock)}].writer # NoOne)`;
          return `(Holders(${L(e.lock)}) # {})`;
        }
        case "done":
          return `(pc[${T(e.thread)}] = "Done")`;
        case "at": {
          const tp = program.threads.find((x) => x.thread === e.thread);
          const pcs = tp?.labels.get(e.label) ?? [DONE];
          return pcs.length === 1 ? `(pc[${T(e.thread)}] = ${str(pcs[0] as string)})` : `(pc[${T(e.thread)}] \\in ${setLiteral(pcs.map(str))})`;
        }
        case "local": {
          // A thread local lives in the thread's pc (src/ir/program.ts): its value is a
          // table over the pcs; a finished thread's locals read their initial value.
          const l = model.locals.find((x) => x.id === e.local);
          const tp = program.threads.find((x) => x.thread === e.thread);
          const owner = e.thread;
          if (!l || !tp || owner === undefined) return value(l?.init ?? false);
          const byValue = new Map<string, string[]>();
          for (const n of tp.nodes) {
            const v = n.locals[l.id];
            if (v === undefined || v === l.init) continue;
            const k = value(v);
            byValue.set(k, [...(byValue.get(k) ?? []), str(n.pc)]);
          }
          if (byValue.size === 0) return value(l.init);
          const arms = [...byValue].map(([v, pcs]) => `pc[${T(owner)}] \\in ${setLiteral(pcs)} -> ${v}`);
          return `(CASE ${arms.join(" [] ")} [] OTHER -> ${value(l.init)})`;
        }
        case "elem": {
          // Only invariants keep one (lowering folds it in bodies): a CASE over the local's values.
          const idx = expr(e.index);
          const arms = Object.entries(e.elements).map(([i, v]) => `${idx} = ${value(i)} -> ${varText(v)}`);
          return `(CASE ${arms.join(" [] ")})`;
        }
        case "fault-flag":
          throw new Error("faultline internal error: FAULT_FLAG_WRITE survived lowering");
        default:
          return unreachable(e);
      }
    };
    return expr;
  };
  const expr = exprWith((id) => varIdent.get(id) ?? id);

  const excl = model.locks.filter((l) => l.kind !== "rwsem");
  const rwsems = model.locks.filter((l) => l.kind === "rwsem");
  const hasExcl = excl.length > 0;
  const hasRw = rwsems.length > 0;
  const hasSpin = model.locks.some((l) => l.kind === "spinlock");
  const lockSet = (pred: (l: (typeof model.locks)[number]) => boolean) => setLiteral(model.locks.filter(pred).map((l) => L(l.id)));

  const constants: { name: string; value: string; comment: string }[] = [
    {
      name: "Threads",
      value: setLiteral(model.threads.map((t) => T(t.id))),
      comment: model.threads.map((t) => `${threadStr.get(t.id)}: "${commentText(t.name)}" ${formatLoc(t.loc)}`).join("; "),
    },
    { name: "NoOne", value: `"-"`, comment: "no thread (no thread name can be \"-\")" },
  ];
  if (hasExcl) {
    const writeOnly = model.locks.filter((l) => l.writeOnly).map((l) => L(l.id));
    const asMutex = writeOnly.length === 0 ? "" : commentText(`${writeOnly.join(", ")}: ${writeOnly.length === 1 ? "a rwsem" : "rwsems"} the model never takes for read, so ${writeOnly.length === 1 ? "a mutex" : "mutexes"} here: one owner, no queue (same states reached; not under checkTermination)`);
    constants.push({ name: "Mutexes", value: lockSet((l) => l.kind === "mutex"), comment: asMutex });
    constants.push({ name: "Spinlocks", value: lockSet((l) => l.kind === "spinlock"), comment: "" });
    constants.push({ name: "ExclLocks", value: "Mutexes \\cup Spinlocks", comment: "" });
  }
  if (hasRw) {
    constants.push({ name: "FairRwsems", value: lockSet((l) => l.kind === "rwsem" && (l.policy ?? "fair") === "fair"), comment: "" });
    constants.push({ name: "RecursiveReadRwsems", value: lockSet((l) => l.policy === "recursive-read"), comment: "" });
    constants.push({ name: "ReaderPreferringRwsems", value: lockSet((l) => l.policy === "reader-preferring"), comment: "" });
    constants.push({ name: "Rwsems", value: "FairRwsems \\cup RecursiveReadRwsems \\cup ReaderPreferringRwsems", comment: "" });
  }

  const variables = ["pc", ...(hasExcl ? ["owner"] : []), ...(hasRw ? ["rw"] : []), ...model.vars.map((v) => varIdent.get(v.id) as string)];

  const init = [
    initPc(model, program, plan, T, valueThreads.size > 0),
    ...(hasExcl ? ["owner = [l \\in ExclLocks |-> NoOne]"] : []),
    ...(hasRw ? ["rw = [l \\in Rwsems |-> [writer |-> NoOne, readers |-> EmptyBag, queue |-> <<>>]]"] : []),
    ...model.vars.map((v) => `${varIdent.get(v.id)} = ${value(v.init)}`),
  ];

  const actions = new Map<string, { thread: string; pc: string }>();
  const checks = new Map<string, SpecCheck>();
  const waitTable: string[] = [];
  const afterGrant: string[] = [];
  const releaseAt: string[] = [];
  const sleepingAt: string[] = [];
  const orderAt: string[] = [];
  const forbidden = forbiddenWhileHeld(model);
  const lockModes = (id: string): string[] => (lockKind(id) === "rwsem" ? ["read", "write"] : ["excl"]);
  const awaitBlocked: string[] = [];
  // lock -> mode -> thread (TLA+) -> the kept pcs where it acquires the lock in that
  // mode; holdWaitAt, those where it may hold a lock while it does.
  const acquiresAt = new Map<string, Map<LockMode, Map<string, string[]>>>();
  const holdWaitAt = new Map<string, Map<LockMode, Map<string, string[]>>>();
  const addAt = (at: Map<string, Map<LockMode, Map<string, string[]>>>, lock: string, mode: LockMode, t: string, pc: string) => {
    const byMode = at.get(lock) ?? new Map<LockMode, Map<string, string[]>>();
    const byThread = byMode.get(mode) ?? new Map<string, string[]>();
    byThread.set(t, [...(byThread.get(t) ?? []), pc]);
    byMode.set(mode, byThread);
    at.set(lock, byMode);
  };
  const asserts: { name: string; comment: string[]; body: string }[] = [];

  // Shared variables a woken thread's continuation reads or writes (guarded nodes,
  // src/ir/merge.ts): the worlds of Grant carry them, and Continue applies each path.
  const worldVarSet = new Set<string>();
  if (plan.guarded) {
    for (const tp of program.threads) {
      for (const n of tp.nodes) {
        if (n.op.kind !== "acquire" || !grants(model, n.op.lock) || plan.absorbed.get(tp.thread)?.has(n.pc)) continue;
        for (const p of paths(plan, tp, n.op.next)) for (const { node } of p.steps) for (const v of varsTouched(node)) worldVarSet.add(v);
      }
    }
  }
  const worldVars = model.vars.filter((v) => worldVarSet.has(v.id)).map((v) => v.id);
  const inWorld = exprWith((id) => `w.${varIdent.get(id) ?? id}`);
  /** Continue's arms: `k = i -> <set of worlds>` for each woken path that reads or writes variables. */
  const continuations: string[] = [];

  const threads = program.threads.map((tp) => {
    const thread = model.threads.find((t) => t.id === tp.thread);
    const t = T(tp.thread);
    const tIdent = threadStr.get(tp.thread) as string;
    const ctx: ActionContext = { model, plan, tp, t, L, expr, varIdent, variables, worldVars };
    const absorbed = plan.absorbed.get(tp.thread);
    const group = sym.groups.find((g) => g.threads.includes(tp.thread));
    const twins = twinGuards(model, tp, group ? group.threads.slice(0, group.threads.indexOf(tp.thread)).map(T) : [], L);
    const waits: string[] = [];
    const granted: string[] = [];
    // May the thread hold a lock at pc? A count capped at MAX_HOLDS anywhere may
    // have been released to 0 in the analysis while one is still held: then yes.
    const mayHold = heldCounts(tp, "may");
    const anyHeld = saturated(mayHold);
    const holdsAt = (pc: string) => anyHeld || [...(mayHold.get(pc) ?? new Map<string, number>()).values()].some((k) => k > 0);
    const acts = tp.nodes
      .filter((n) => !absorbed?.has(n.pc))
      .map((n) => {
        const name = idents.take(`${tIdent}_${n.pc}`);
        actions.set(name, { thread: tp.thread, pc: n.pc });
        const comment = actionComment(ctx, n);
        const op = n.op;
        // The findings' tables list kept pcs only: no state stands at an absorbed one.
        switch (op.kind) {
          case "acquire":
            for (const later of forbidden.get(op.lock) ?? []) for (const m of lockModes(later)) orderAt.push(`<<${t}, ${str(n.pc)}, ${L(later)}, ${str(m)}>>`);
            addAt(acquiresAt, op.lock, op.mode, t, n.pc);
            if (holdsAt(n.pc)) addAt(holdWaitAt, op.lock, op.mode, t, n.pc);
            if (lockKind(op.lock) !== "spinlock") sleepingAt.push(`<<${t}, ${str(n.pc)}>>`);
            if (grants(model, op.lock)) {
              const ways = new Set(
                paths(plan, tp, op.next).map((p) => {
                  const way = `<<${str(p.end)}, ${releaseSeq(pathReleases(p), L)}`;
                  if (worldVars.length === 0) return `${way}>>`;
                  if (!isGuardedPath(p)) return `${way}, 0>>`;
                  const eff = pathEffect(p);
                  const upd = [...eff.assigns].map(([v, e]) => `!.${varIdent.get(v)} = ${inWorld(e)}`);
                  const world = upd.length > 0 ? `{[w EXCEPT ${upd.join(", ")}]}` : "{w}";
                  const body = eff.guards.length > 0 ? `IF ${eff.guards.map(inWorld).join(" /\\ ")} THEN ${world} ELSE {}` : world;
                  continuations.push(`k = ${continuations.length + 1} -> ${body}`);
                  return `${way}, ${continuations.length}>>`;
                }),
              );
              granted.push(`${n.pc} |-> {${[...ways].join(", ")}}`);
            }
            break;
          case "release":
            releaseAt.push(`<<${t}, ${str(n.pc)}, ${L(op.lock)}, ${str(op.mode)}>>`);
            break;
          case "await":
            awaitBlocked.push(`\\/ t = ${t} /\\ pc[t] = ${str(n.pc)} /\\ ~${expr(op.cond)}`);
            sleepingAt.push(`<<${t}, ${str(n.pc)}>>`);
            break;
          case "assert": {
            const aname = idents.take(`Assert_${tIdent}_${n.pc}`);
            checks.set(aname, { kind: "assertion", thread: tp.thread, pc: n.pc, message: op.message, ...(op.bound !== undefined ? { bound: op.bound } : {}) });
            asserts.push({
              name: aname,
              comment: [commentText(`assertion "${op.message}" (${formatLoc(n.loc)}): ${spellExpr(model, op.cond)}`)],
              body: `pc[${t}] = ${str(n.pc)} => ${expr(op.cond)}`,
            });
            break;
          }
          default:
            break;
        }
        waits.push(`${n.pc} |-> ${op.kind === "acquire" ? `<<${L(op.lock)}, ${str(op.mode)}>>` : "<<>>"}`);
        return { name, comment, lines: [`/\\ pc[${t}] = ${str(n.pc)}`, ...twins(n), ...actionBody(ctx, n)] };
      });
    waitTable.push(`t = ${t} -> [${[...waits, `${DONE} |-> <<>>`].join(", ")}]`);
    // One pc per line, aligned under the first (the template puts 13 columns before the arm).
    const arm = `t = ${t} -> [`;
    afterGrant.push(granted.length > 0 ? `${arm}${granted.join(`,\n${" ".repeat(13 + arm.length)}`)}]` : `t = ${t} -> <<>>`);
    const step = idents.take(`Step_${tIdent}`);
    return {
      header: commentText(`Thread "${thread?.name}" of process "${model.processes.find((p) => p.id === thread?.process)?.name}" (${thread ? formatLoc(thread.loc) : ""})`),
      actions: acts,
      step,
      stepLines: acts.length === 0 ? ["FALSE"] : acts.map((a) => `\\/ ${a.name}`),
    };
  });

  const properties: { name: string; comment: string[]; body: string }[] = [...asserts];
  for (const inv of model.invariants) {
    const name = idents.take(`Inv_${inv.name}`);
    checks.set(name, { kind: "invariant", invariant: inv.id });
    // TLC rejects a constant invariant that is FALSE as a config error ("The invariant
    // of X is equal to FALSE") instead of reporting it: make it a state predicate.
    // A local that never leaves its initial value renders as that value: constant too.
    const varies = (l: string, t: string | undefined) => program.threads.some((tp) => tp.thread === t && tp.nodes.some((n) => n.locals[l] !== undefined));
    const constant = isConstant(inv.cond) || [...subexprs(inv.cond)].every((x) => x.kind !== "var" && x.kind !== "elem" && x.kind !== "held" && x.kind !== "done" && x.kind !== "at" && !(x.kind === "local" && varies(x.local, x.thread)));
    const body = constant ? `pc = pc /\\ ${expr(inv.cond)}` : expr(inv.cond);
    properties.push({ name, comment: [commentText(`invariant "${inv.name}" (${formatLoc(inv.loc)}): ${spellExpr(model, inv.cond)}`)], body });
  }
  // Integer variables assigned computed values can leave their domain: check it.
  const computed = new Set(program.threads.flatMap((tp) => tp.nodes.flatMap((n) => (n.op.kind === "set" && n.op.value.kind !== "lit" ? [n.op.variable] : []))));
  const domains: { name: string; comment: string[]; body: string }[] = [];
  for (const v of model.vars) {
    if (!computed.has(v.id) || v.domain.kind === "bool") continue;
    const name = idents.take(`Domain_${v.name}`);
    checks.set(name, { kind: "domain", variable: v.id });
    const set = v.domain.kind === "int" ? `${v.domain.min}..${v.domain.max}` : setLiteral(v.domain.values.map((x) => value(x)));
    domains.push({ name, comment: [commentText(`'${v.name}' stays in its domain (${formatLoc(v.loc)})`)], body: `${varIdent.get(v.id)} \\in ${set}` });
  }
  properties.unshift(...domains);

  checks.set("NoDeadlock", { kind: "deadlock" });
  checks.set("NoBadUnlock", { kind: "bad-unlock" });
  checks.set("NoLockLeak", { kind: "lock-leak" });
  if (hasSpin) checks.set("NotSleepingInAtomic", { kind: "sleep-in-atomic" });
  const hasOrder = (model.lockOrders ?? []).length > 0;
  if (hasOrder) checks.set("NoLockOrderViolation", { kind: "lock-order" });

  // Order matters: TLC reports the first violated invariant of a state.
  const invariants = [
    ...domains.map((d) => d.name),
    "NoBadUnlock",
    ...(hasSpin ? ["NotSleepingInAtomic"] : []),
    "NoDeadlock",
    "NoLockLeak",
    ...(hasOrder ? ["NoLockOrderViolation"] : []),
    ...properties.filter((p) => !domains.includes(p)).map((p) => p.name),
  ];

  const holdsCases: string[] = [];
  if (hasExcl) holdsCases.push(`m = "excl" -> owner[l] = t`);
  if (hasRw) holdsCases.push(`m = "read" -> BagIn(t, rw[l].readers)`, `m = "write" -> rw[l].writer = t`);
  const anyParts: string[] = [];
  if (hasExcl) anyParts.push(`(\\E l \\in ExclLocks : owner[l] = t)`);
  if (hasRw) anyParts.push(`(\\E l \\in Rwsems : rw[l].writer = t \\/ BagIn(t, rw[l].readers))`);

  // With no wait_event, the deadlock check looks only at threads that may hold a
  // lock (templates/findings.hbs says why).
  const holdersOnly = awaitBlocked.length === 0;
  const view: SpecView = {
    module,
    source: commentText(source),
    modelName: commentText(model.name).replace(/"/g, "'"),
    constants,
    variables: variables.join(", "),
    modelValues: groupValues.flat(),
    symmetry: symmetrySet(groupValues),
    symmetryGroups: `<<${groupValues.map((g) => `<<${g.join(", ")}>>`).join(", ")}>>`,
    hasExcl,
    hasRw,
    hasSpin,
    init,
    threads,
    next: [...threads.map((t) => t.step), "Terminated"],
    termination: model.termination,
    fairness: threads.map((t) => `WF_vars(${t.step})`),
    holdsAs: holdsCases.length === 0 ? "FALSE" : `CASE ${holdsCases.join(" [] ")} [] OTHER -> FALSE`,
    holdsAny: anyParts.length === 0 ? "FALSE" : anyParts.join(" \\/ "),
    waitTable,
    afterGrant,
    worldVars: worldVars.map((v) => varIdent.get(v) as string),
    continuations,
    canTake:
      hasExcl && hasRw
        ? `CASE m = "excl" -> owner[l] = NoOne [] m = "read" -> CanRead(l, t) [] OTHER -> CanWrite(l, t)`
        : hasExcl
          ? "owner[l] = NoOne"
          : hasRw
            ? `IF m = "read" THEN CanRead(l, t) ELSE CanWrite(l, t)`
            : "TRUE",
    lockBlockers:
      hasExcl && hasRw
        ? `IF m = "excl" THEN {owner[l]} \\ {NoOne} ELSE Holders(l)`
        : hasExcl
          ? "{owner[l]} \\ {NoOne}"
          : hasRw
            ? "Holders(l)"
            : "{}",
    awaitBlocked: awaitBlocked.length === 0 ? ["FALSE"] : awaitBlocked,
    holdersOnly,
    blockedNow: blockedNow(holdersOnly ? holdWaitAt : acquiresAt, L, (id) => model.locks.find((l) => l.id === id), !holdersOnly),
    releaseAt: setLiteral(releaseAt),
    sleepingAt: setLiteral(sleepingAt),
    ...(hasOrder ? { orderAt: setLiteral(orderAt) } : {}),
    properties,
    invariants,
  };
  // The checks in cfg order, so that a reader can find the first violated one as TLC does.
  const ordered = new Map(invariants.flatMap((n) => {
    const c = checks.get(n);
    return c ? [[n, c] as const] : [];
  }));
  const absorbed = new Map(program.threads.map((tp) => [tp.thread, tp.nodes.filter((n) => plan.absorbed.get(tp.thread)?.has(n.pc)).map((n) => n.pc)]));
  const locals = new Map<string, Map<string, Record<string, Value>>>();
  for (const tp of program.threads) {
    const own = model.locals.filter((l) => l.owner.kind === "thread" && l.owner.id === tp.thread);
    if (own.length === 0) continue;
    // A thread's own locals (procedure locals live only during their call).
    const byPc = new Map(tp.nodes.map((n) => [n.pc, Object.fromEntries(own.map((l) => [l.name, n.locals[l.id] ?? l.init]))]));
    byPc.set(DONE, Object.fromEntries(own.map((l) => [l.name, l.init])));
    locals.set(tp.thread, byPc);
  }
  const through = new Map(
    [...(plan.through ?? new Map<string, ReadonlyMap<string, ReadonlySet<string>>>())]
      .filter(([, m]) => m.size > 0)
      .map(([t, m]) => [t, new Map([...m].map(([pc, ends]) => [pc, [...ends]]))] as const),
  );
  const names: SpecNames = { module, threads: threadStr, locks: lockStr, vars: varIdent, enumValues, actions, checks: ordered, absorbed, ...(through.size > 0 ? { through } : {}), locals };
  return { view, names };
}

/**
 * Init's pc: every thread at its entry; where merging absorbs a thread's entry,
 * the set of first kept pcs it may start at, as a record set (one field per thread)
 * or, when threads are model values, one function per choice bound by \\E.
 */
function initPc(model: Model, program: Program, plan: MergePlan, T: (id: string) => string, modelValues: boolean): string {
  const entries = program.threads.map((tp) => [T(tp.thread), entryPcs(model, plan, tp)] as const);
  if (entries.some(([, e]) => e.length > 1)) {
    if (!modelValues) return `pc \\in [${entries.map(([t, e]) => `${t.slice(1, -1)} : {${e.map(str).join(", ")}}`).join(", ")}]`;
    // A record set cannot have model values as its fields: one function per choice of
    // each thread's first pc (not a filter over [Threads -> pcs], exponential in threads).
    // Bound by \\E, not collected into a set: TLC enumerates the choices one by one,
    // where a set of them is refused past a million elements.
    const chosen = entries.filter(([, e]) => e.length > 1);
    const bound = new Map(chosen.map(([t], i) => [t, `s${i + 1}`]));
    const arms = entries.map(([t, e]) => `t = ${t} -> ${bound.get(t) ?? str(e[0] ?? DONE)}`).join(" [] ");
    return `\\E ${chosen.map(([t, e]) => `${bound.get(t)} \\in {${e.map(str).join(", ")}}`).join(", ")} :\n          pc = [t \\in Threads |-> CASE ${arms}]`;
  }
  const distinct = new Set(entries.map(([, e]) => e[0]));
  const f = distinct.size === 1 ? str(entries[0]?.[1][0] ?? DONE) : `CASE ${entries.map(([t, e]) => `t = ${t} -> ${str(e[0] ?? DONE)}`).join(" [] ")}`;
  return `pc = [t \\in Threads |-> ${f}]`;
}

/**
 * Symmetry: threads of a group that stand at the same pc, hold the locks that pc
 * implies and wait in no queue are interchangeable there (swapping them leaves the
 * state as it is), so their moves lead to states TLC's symmetry reduction takes as
 * one. Only the first of them moves: the others' moves would only make TLC generate,
 * and fingerprint under every permutation, states it has already. A pc implies its
 * locks when every path to it holds the same ones (may-hold = must-hold); a thread
 * stands queued only at a rwsem acquire, and one that may move is not queued.
 * `ahead` are the thread's group mates declared before it (empty: no guard).
 */
function twinGuards(model: Model, tp: ThreadProgram, ahead: readonly string[], L: (id: string) => string): (n: Node) => string[] {
  if (ahead.length === 0) return () => [];
  const may = heldCounts(tp, "may");
  const must = heldCounts(tp, "must");
  // Counts capped at MAX_HOLDS can read the same on paths that hold differently.
  if (saturated(may)) return () => [];
  const held = (m: ReadonlyMap<string, number> | undefined) =>
    JSON.stringify([...(m ?? [])].filter(([, k]) => k > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return (n) => {
    if (held(may.get(n.pc)) !== held(must.get(n.pc))) return [];
    const op = n.op;
    const queue = op.kind === "acquire" && queues(model.locks.find((l) => l.id === op.lock)) ? L(op.lock) : undefined;
    return ahead.map((u, i) => {
      const guard = queue ? `~(pc[${u}] = ${str(n.pc)} /\\ ~Queued(${queue}, ${u}))` : `pc[${u}] # ${str(n.pc)}`;
      return `/\\ ${guard}${i === 0 ? "  \\* a twin ahead stands here: it moves instead (symmetry)" : ""}`;
    });
  };
}

/**
 * Every permutation that permutes each group within itself (the product of the
 * groups' permutation groups), so TLC identifies states up to all of them at once.
 */
function symmetrySet(groups: readonly (readonly string[])[]): string {
  if (groups.length === 0) return "";
  if (groups.length === 1) return `Permutations(${setLiteral(groups[0] as string[])})`;
  const ps = groups.map((_, i) => `p${i + 1}`);
  const dom = groups.map((g) => setLiteral(g)).join(" \\cup ");
  const pick = groups
    .slice(0, -1)
    .map((g, i) => `IF x \\in ${setLiteral(g)} THEN ${ps[i]}[x] ELSE `)
    .join("");
  const bind = groups.map((g, i) => `${ps[i]} \\in Permutations(${setLiteral(g)})`).join(", ");
  return `{[x \\in ${dom} |-> ${pick}${ps[groups.length - 1]}[x]] :\n        ${bind}}`;
}

/**
 * `{t \in Threads : Blocked(t)}` written lock by lock, for TLC's speed: a free lock
 * with nobody queued (most locks in most states) blocks nobody and costs one test;
 * otherwise only the threads standing at one of its acquires are asked. Threads
 * with the same acquire pcs (a threads(n, ...) group) share one set filter.
 */
function blockedNow(
  acquiresAt: ReadonlyMap<string, ReadonlyMap<LockMode, ReadonlyMap<string, readonly string[]>>>,
  L: (id: string) => string,
  lockOf: (id: string) => Lock | undefined,
  awaits: boolean,
): string {
  const str = (x: string) => `"${x}"`;
  const parts: string[] = [];
  const atSets = (byThread: ReadonlyMap<string, readonly string[]>, cond: (t: string) => string): string[] => {
    const byPcs = new Map<string, string[]>();
    for (const [t, pcs] of byThread) {
      const key = [...new Set(pcs)].map(str).join(", ");
      byPcs.set(key, [...(byPcs.get(key) ?? []), t]);
    }
    return [...byPcs].map(([pcs, ts]) => {
      const at = pcs.includes(",") ? `pc[t] \\in {${pcs}}` : `pc[t] = ${pcs}`;
      const c = cond("t");
      return `{t \\in {${ts.join(", ")}} : ${at}${c ? ` /\\ ${c}` : ""}}`;
    });
  };
  for (const [lock, byMode] of acquiresAt) {
    const r = L(lock);
    const l = lockOf(lock);
    if (l?.kind !== "rwsem") {
      const sets = atSets(byMode.get("excl") ?? new Map(), () => "");
      parts.push(`(IF owner[${r}] = NoOne THEN {} ELSE ${sets.join(" \\cup ")})`);
      continue;
    }
    const reads = byMode.get("read") ?? new Map<string, readonly string[]>();
    const writes = byMode.get("write") ?? new Map<string, readonly string[]>();
    const policy = l.policy ?? "fair";
    if (policy === "recursive-read") {
      // Whether a reader may enter depends on the reader (does it hold the lock?).
      const sets = [...atSets(reads, (t) => `~CanRead(${r}, ${t})`), ...atSets(writes, (t) => `~CanWrite(${r}, ${t})`)];
      parts.push(`(IF rw[${r}] = FreeRw THEN {} ELSE ${sets.join(" \\cup ")})`);
      continue;
    }
    // CanRead and CanWrite do not depend on the thread here: asked once per lock.
    const queue = policy === "fair" ? " /\\ r.queue = <<>>" : "";
    const arms: string[] = [];
    if (reads.size > 0) arms.push(`(IF r.writer = NoOne${queue} THEN {} ELSE ${atSets(reads, () => "").join(" \\cup ")})`);
    if (writes.size > 0) arms.push(`(IF r.writer = NoOne /\\ r.readers = EmptyBag${queue} THEN {} ELSE ${atSets(writes, () => "").join(" \\cup ")})`);
    if (arms.length > 0) parts.push(`(LET r == rw[${r}] IN ${arms.join(" \\cup ")})`);
  }
  if (awaits) parts.push("{t \\in Threads : AwaitBlocked(t)}");
  return parts.length === 0 ? "{}" : parts.join("\n    \\cup ");
}
