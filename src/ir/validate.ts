// Model validation: every problem at once, each with a code and the model line.
// Structural checks here; path-sensitive ones (held locks, page-fault balance) in program.ts.

import type { Diagnostic } from "./diagnostics.js";
import { formatLoc } from "./diagnostics.js";
import { type Program, lower } from "./program.js";
import { forbiddenWhileHeld } from "./order.js";
import type { Domain, Expr, Loc, Local, Model, Stmt, Value } from "./types.js";
import { elementName, subexprs, unreachable } from "./types.js";

/** Most iterations a `repeat` may unroll. */
const MAX_REPEAT = 64;
/** TLC's integers are Java ints: a number beyond this is not a TLA+ value TLC can hold. */
export const TLC_MAX_INT = 2 ** 31 - 1;
/** Deepest nesting of statements and expressions the (recursive) passes after validation take. */
export const MAX_NESTING = 1000;

type Type = { readonly kind: "bool" } | { readonly kind: "int" } | { readonly kind: "enum"; readonly values: readonly string[] } | { readonly kind: "unknown" };

export interface Validated {
  /** Errors and warnings, sorted by line. */
  readonly diagnostics: readonly Diagnostic[];
  /** Present when no diagnostic is an error. */
  readonly program?: Program;
}

export function validate(model: Model, fromBuild: readonly Diagnostic[] = []): Validated {
  const out: Diagnostic[] = [...fromBuild];
  const error = (code: string, message: string, loc: Loc): void => {
    out.push({ code, message, loc });
  };

  // Before any recursive pass: 20,000 nested not()s would overflow the stack.
  const deep = tooDeep(model);
  if (deep) {
    error("FL321", `the model is nested too deeply to be checked (an expression or statement inside more than ${MAX_NESTING} others); build it flatter`, deep);
    return { diagnostics: sortDiagnostics(out) };
  }

  if (model.threads.length === 0) {
    error("FL201", `model '${model.name}' has no threads; add one with process.thread(name, (t) => { ... })`, model.loc);
  }

  // Names: non-empty and unique within their kind.
  const kinds: [string, readonly { name: string; loc: Loc }[]][] = [
    ["process", model.processes],
    ["lock", model.locks],
    ["shared variable", model.vars],
    // Regions are named within their process (both A and B may map a "buf").
    ["region", model.regions.map((r) => ({ name: `${model.processes.find((p) => p.id === r.process)?.name ?? "?"}.${r.name}`, loc: r.loc }))],
    ["procedure", model.procs],
    ["thread", model.threads],
    ["invariant", model.invariants],
  ];
  for (const [kind, items] of kinds) {
    const first = new Map<string, Loc>();
    for (const it of items) {
      if (typeof it.name !== "string" || it.name.trim() === "") {
        error("FL202", `a ${kind} needs a non-empty name`, it.loc);
        continue;
      }
      const prev = first.get(it.name);
      if (prev) error("FL203", `duplicate ${kind} name '${it.name}' (first declared at ${formatLoc(prev)}); give each ${kind} its own name`, it.loc);
      else first.set(it.name, it.loc);
    }
  }

  for (const v of model.vars) checkVar(v.name, v.domain, v.init, v.loc, error);
  for (const l of model.locals) checkVar(l.name, l.domain, l.init, l.loc, error);
  // Locals are named within their thread or procedure.
  const localNames = new Map<string, Loc>();
  for (const l of model.locals) {
    const key = `${l.owner.kind}:${l.owner.id}:${l.name}`;
    const prev = localNames.get(key);
    if (prev) error("FL203", `duplicate local name '${l.name}' (first declared at ${formatLoc(prev)}); give each local its own name`, l.loc);
    else localNames.set(key, l.loc);
  }
  const locals = new Map(model.locals.map((l) => [l.id, l]));
  const ownerName = (l: Local): string =>
    l.owner.kind === "thread" ? `thread '${model.threads.find((t) => t.id === l.owner.id)?.name ?? l.owner.id}'` : `procedure '${model.procs.find((p) => p.id === l.owner.id)?.name ?? l.owner.id}'`;
  type Scope = { readonly kind: "thread" | "proc"; readonly id: string; readonly loops: number };
  /** Every local `e` reads must be one of `scope`'s own (SEMANTICS "Objects": only its own thread reads it). */
  const inScope = (e: Expr, scope: Scope | undefined, loc: Loc): void => {
    for (const x of subexprs(e)) {
      if (x.kind !== "local") continue;
      const l = locals.get(x.local);
      if (!l) continue;
      if (scope === undefined) {
        if (l.owner.kind === "proc") error("FL261", `reads local '${l.name}' of ${ownerName(l)} outside it; an invariant may read thread locals only`, loc);
      } else if (l.owner.kind !== scope.kind || l.owner.id !== scope.id) {
        error("FL260", `reads local '${l.name}' of ${ownerName(l)} here; a local belongs to its own thread or procedure: use a shared variable to pass values between them`, loc);
      }
    }
  };

  const locks = new Map(model.locks.map((l) => [l.id, l]));
  const vars = new Map(model.vars.map((v) => [v.id, v]));
  const procs = new Map(model.procs.map((p) => [p.id, p]));
  const regions = new Map(model.regions.map((r) => [r.id, r]));

  const typeOf = (e: Expr, loc: Loc): Type => {
    switch (e.kind) {
      case "lit":
        if (typeof e.value === "number" && !tlcInt(e.value)) error("FL223", `${showNumber(e.value)} is not a number TLC can hold: use whole numbers from ${-TLC_MAX_INT} to ${TLC_MAX_INT}`, loc);
        return typeof e.value === "boolean" ? { kind: "bool" } : typeof e.value === "number" ? { kind: "int" } : { kind: "enum", values: [e.value] };
      case "var": {
        const v = vars.get(e.variable);
        if (!v) return { kind: "unknown" };
        return v.domain.kind === "enum" ? { kind: "enum", values: v.domain.values } : { kind: v.domain.kind };
      }
      case "local": {
        const v = locals.get(e.local);
        if (!v) return { kind: "unknown" };
        return v.domain.kind === "enum" ? { kind: "enum", values: v.domain.values } : { kind: v.domain.kind };
      }
      case "elem": {
        // Every element has the array's domain; the DSL checked the local's values are indexes.
        typeOf(e.index, loc);
        const v = vars.get(Object.values(e.elements)[0] ?? "");
        if (!v) return { kind: "unknown" };
        return v.domain.kind === "enum" ? { kind: "enum", values: v.domain.values } : { kind: v.domain.kind };
      }
      case "not":
        expect(e.arg, "bool", loc, "'not'");
        return { kind: "bool" };
      case "and":
      case "or":
        for (const a of e.args) expect(a, "bool", loc, `'${e.kind}'`);
        return { kind: "bool" };
      case "arith":
        expect(e.left, "int", loc, `'${e.op}'`);
        expect(e.right, "int", loc, `'${e.op}'`);
        return { kind: "int" };
      case "cmp": {
        const a = typeOf(e.left, loc);
        const b = typeOf(e.right, loc);
        if (e.op !== "=" && e.op !== "!=") {
          expect(e.left, "int", loc, `'${e.op}'`);
          expect(e.right, "int", loc, `'${e.op}'`);
        } else if (a.kind !== "unknown" && b.kind !== "unknown") {
          if (a.kind !== b.kind) error("FL221", `compares ${article(a.kind)} with ${article(b.kind)}`, loc);
          else if (a.kind === "enum" && b.kind === "enum" && !a.values.some((x) => b.values.includes(x))) {
            error("FL221", `compares values that can never be equal (${a.values.join(", ")} vs ${b.values.join(", ")})`, loc);
          }
        }
        return { kind: "bool" };
      }
      case "held": {
        const l = locks.get(e.lock);
        if (l && e.mode && l.kind !== "rwsem") error("FL212", `'held' with mode '${e.mode}' needs a rwsem; '${l.name}' is a ${l.kind}`, loc);
        return { kind: "bool" };
      }
      case "done":
      case "fault-flag":
        return { kind: "bool" };
      case "at": {
        const t = model.threads.find((x) => x.id === e.thread);
        if (t && !hasLabel(t.body, e.label, procs)) {
          error("FL250", `thread '${t.name}' has no label '${e.label}'; add t.label(${JSON.stringify(e.label)}) to its body`, loc);
        }
        return { kind: "bool" };
      }
      default:
        return unreachable(e);
    }
  };
  const expect = (e: Expr, kind: "bool" | "int", loc: Loc, what: string): void => {
    const t = typeOf(e, loc);
    if (t.kind !== "unknown" && t.kind !== kind) error("FL221", `${what} needs a ${kind === "bool" ? "boolean condition" : "number"}, got ${article(t.kind)}`, loc);
  };

  const walk = (stmts: readonly Stmt[], scope: Scope): void => {
    const inner = { ...scope, loops: scope.loops + 1 };
    const exprs = (s: Stmt): Expr[] =>
      s.kind === "set" || s.kind === "assign" ? [s.value] : s.kind === "if" || s.kind === "await" || s.kind === "assert" || s.kind === "while" ? [s.cond] : [];
    for (const s of stmts) {
      for (const e of exprs(s)) inScope(e, scope, s.loc);
      switch (s.kind) {
        case "acquire":
        case "release":
        case "trylock": {
          const l = locks.get(s.lock);
          if (!l) {
            if (!s.lock.startsWith("?")) error("FL211", `unknown lock`, s.loc);
          } else if (s.mode === "excl" && l.kind === "rwsem") {
            error("FL210", `'${l.name}' is a rwsem: use downRead/downWrite and upRead/upWrite`, s.loc);
          } else if (s.mode !== "excl" && l.kind !== "rwsem") {
            error("FL210", `'${l.name}' is a ${l.kind}: use lock/unlock`, s.loc);
          }
          const el = s.byLocal === undefined ? undefined : locals.get(s.byLocal.local);
          if (el && (el.owner.kind !== scope.kind || el.owner.id !== scope.id)) {
            error("FL260", `names an array element by local '${el.name}' of ${ownerName(el)}; a local belongs to its own thread or procedure`, s.loc);
          }
          if (s.kind === "trylock") {
            walk(s.then, scope);
            walk(s.else, scope);
          }
          break;
        }
        case "call":
          break;
        case "access": {
          if (s.onFault) walk(s.onFault, scope);
          const l = s.ret === undefined ? undefined : locals.get(s.ret);
          if (l) {
            if (l.owner.kind !== scope.kind || l.owner.id !== scope.id) {
              error("FL260", `stores the result in local '${l.name}' of ${ownerName(l)}; a local belongs to its own thread or procedure`, s.loc);
            } else if (l.domain.kind === "enum" && !(l.domain.values.includes("0") && l.domain.values.includes("-EFAULT"))) {
              error("FL263", `local '${l.name}' receives the access's result: its values must include "0" and "-EFAULT"`, s.loc);
            } else if (l.domain.kind === "int" && !(l.domain.min <= -14 && l.domain.max >= 0)) {
              error("FL263", `local '${l.name}' receives the access's result: its range must include 0 and -14 (-EFAULT)`, s.loc);
            }
          }
          break;
        }
        case "gup":
          if (typeof s.write !== "boolean") {
            error("FL344", `getUserPages needs { write: true } (FOLL_WRITE) or { write: false }, got ${JSON.stringify(s.write) ?? "nothing"}`, s.loc);
          }
          break;
        case "evict": {
          const r = regions.get(s.region);
          if (r?.pinned) {
            error("FL341", `evict(${r.name}): the region is pinned (mlock()ed) and reclaim never takes its page; drop { pinned: true } or the evict`, s.loc);
          } else if (r && r.resident === undefined) {
            error("FL341", `evict(${r.name}): the region is not tracked, so any access may fault already; declare it with { tracked: "present" } or { tracked: "absent" } to model reclaim`, s.loc);
          }
          break;
        }
        case "either":
          if (s.branches.length === 0) error("FL232", `either() needs at least one branch`, s.loc);
          for (const b of s.branches) walk(b, scope);
          break;
        case "set": {
          const el = s.byLocal === undefined ? undefined : locals.get(s.byLocal.local);
          if (el && (el.owner.kind !== scope.kind || el.owner.id !== scope.id)) {
            error("FL260", `names an array element by local '${el.name}' of ${ownerName(el)}; a local belongs to its own thread or procedure`, s.loc);
          }
          const found = vars.get(s.variable);
          if (!found) break;
          // An element named by a local: every element has the array's domain; say it as written.
          const v = el && found.element ? { ...found, name: elementName(found.element.array, el.name) } : found;
          const t = typeOf(s.value, s.loc);
          if (s.value.kind === "lit") {
            if (!inDomain(v.domain, s.value.value)) {
              error("FL220", `assigns ${JSON.stringify(s.value.value)} to '${v.name}', outside its domain ${showDomain(v.domain)}`, s.loc);
            }
          } else if (t.kind !== "unknown" && t.kind !== v.domain.kind) {
            error("FL220", `assigns ${article(t.kind)} to '${v.name}', whose domain is ${showDomain(v.domain)}`, s.loc);
          }
          break;
        }
        case "assign": {
          const l = locals.get(s.local);
          if (!l) break;
          if (l.owner.kind !== scope.kind || l.owner.id !== scope.id) {
            error("FL260", `assigns local '${l.name}' of ${ownerName(l)} here; a local belongs to its own thread or procedure`, s.loc);
          }
          const t = typeOf(s.value, s.loc);
          if (s.value.kind === "lit") {
            if (!inDomain(l.domain, s.value.value)) {
              error("FL220", `assigns ${JSON.stringify(s.value.value)} to local '${l.name}', outside its domain ${showDomain(l.domain)}`, s.loc);
            }
          } else if (t.kind !== "unknown" && t.kind !== l.domain.kind) {
            error("FL220", `assigns a ${t.kind} to local '${l.name}', whose domain is ${showDomain(l.domain)}`, s.loc);
          }
          const shared = [...subexprs(s.value)].find((x) => x.kind === "var" || x.kind === "elem" || x.kind === "held" || x.kind === "done" || x.kind === "at");
          if (shared) {
            error("FL262", `assigns local '${l.name}' from shared state; a local is set from locals and constants: read shared state with if (e.g. t.if(v.eq(x), (b) => b.set(${l.name}, x)))`, s.loc);
          }
          break;
        }
        case "if":
          expect(s.cond, "bool", s.loc, "if");
          walk(s.then, scope);
          walk(s.else, scope);
          break;
        case "await":
          expect(s.cond, "bool", s.loc, "await");
          break;
        case "assert":
          expect(s.cond, "bool", s.loc, "assert");
          break;
        case "repeat":
          if (!Number.isInteger(s.times) || s.times < 0 || s.times > MAX_REPEAT) {
            error("FL230", `repeat needs a whole number of iterations from 0 to ${MAX_REPEAT}, got ${String(s.times)}`, s.loc);
          }
          walk(s.body, inner);
          break;
        case "while":
          expect(s.cond, "bool", s.loc, "while");
          if (s.bound !== undefined && (!Number.isInteger(s.bound) || s.bound < 1 || s.bound > MAX_REPEAT)) {
            error("FL231", `a loop bound is a whole number from 1 to ${MAX_REPEAT} (or none: the loop is a back edge), got ${String(s.bound)}`, s.loc);
          }
          walk(s.body, inner);
          break;
        case "break":
        case "continue":
          if (scope.loops === 0) error("FL234", `${s.kind}() outside a loop; use it inside t.while(...) or t.loop(...)`, s.loc);
          break;
        case "fault_retry":
          walk(s.body, scope);
          break;
        case "return":
        case "pagefault_disable":
        case "pagefault_enable":
        case "label":
          break;
        default:
          unreachable(s);
      }
    }
  };
  for (const p of model.procs) walk(p.body, { kind: "proc", id: p.id, loops: 0 });
  for (const t of model.threads) walk(t.body, { kind: "thread", id: t.id, loops: 0 });
  for (const inv of model.invariants) {
    expect(inv.cond, "bool", inv.loc, `invariant '${inv.name}'`);
    inScope(inv.cond, undefined, inv.loc);
    if ([...subexprs(inv.cond)].some((x) => x.kind === "fault-flag")) {
      error("FL342", `invariant '${inv.name}' reads a FAULT_FLAG_*, which only a fault procedure knows; use it in an if inside the region's fault procedure`, inv.loc);
    }
  }
  for (const r of model.regions) {
    if (r.pinned && r.resident !== undefined) {
      error("FL343", `region '${r.name}' is both pinned and tracked: a pinned page is always present; drop one of the two`, r.loc);
    }
  }

  checkCalls(model, procs, regions, error);
  checkLockOrders(model, error);

  // Every problem at once: the path-sensitive checks of lowering run even when the
  // structural ones failed, on a model whose loop counts are cut to something lowering
  // can unroll (FL230/FL231 said so already). Only a recursive call graph cannot be inlined.
  const recursive = out.some((d) => d.code === "FL240");
  const program = recursive ? undefined : lower(out.length > 0 ? saneLoops(model) : model);
  const all = sortDiagnostics(dedupe([...out, ...(program?.diagnostics ?? [])]));
  if (!program || all.some((d) => d.severity !== "warning")) return { diagnostics: all };
  return { diagnostics: all, program };
}

/** `model` with each `repeat` count and `while` bound outside 0..MAX_REPEAT (1..) replaced by 1. */
function saneLoops(model: Model): Model {
  const ok = (n: number, min: number) => Number.isInteger(n) && n >= min && n <= MAX_REPEAT;
  const body = (ss: readonly Stmt[]): Stmt[] =>
    ss.map((s): Stmt => {
      switch (s.kind) {
        case "trylock":
        case "if":
          return { ...s, then: body(s.then), else: body(s.else) };
        case "access":
          return s.onFault ? { ...s, onFault: body(s.onFault) } : s;
        case "either":
          return { ...s, branches: s.branches.map(body) };
        case "repeat":
          return { ...s, times: ok(s.times, 0) ? s.times : 1, body: body(s.body) };
        case "while":
          return s.bound === undefined || ok(s.bound, 1) ? { ...s, body: body(s.body) } : { ...s, bound: 1, body: body(s.body) };
        default:
          return s;
      }
    });
  return { ...model, procs: model.procs.map((p) => ({ ...p, body: body(p.body) })), threads: model.threads.map((t) => ({ ...t, body: body(t.body) })) };
}

function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.code}|${d.loc.file}:${d.loc.line}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `a bool`, `an int`, `an enum`. */
function article(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;
}

/** FL280-FL282: each declared lock order names two or more distinct locks, and no two orders contradict. */
function checkLockOrders(model: Model, error: (c: string, m: string, l: Loc) => void): void {
  const name = (id: string) => model.locks.find((l) => l.id === id)?.name ?? id;
  const orders = model.lockOrders ?? [];
  for (const o of orders) {
    if (o.locks.some((l) => l.startsWith("?"))) continue; // a bad handle: FL101/FL102 already
    if (new Set(o.locks).size < 2) error("FL280", `lockOrder needs at least two different locks, earliest first, e.g. m.lockOrder(a, b)`, o.loc);
    const twice = o.locks.find((l, i) => o.locks.indexOf(l) !== i);
    if (twice !== undefined && new Set(o.locks).size >= 2) error("FL281", `lockOrder names '${name(twice)}' twice; list each lock once, earliest first`, o.loc);
  }
  const after = forbiddenWhileHeld(model);
  for (const o of orders) {
    for (const [i, a] of o.locks.entries()) {
      for (const b of o.locks.slice(i + 1)) {
        if (a !== b && after.get(b)?.has(a) && after.get(a)?.has(b)) {
          error("FL282", `lock orders contradict each other: '${name(a)}' is declared both before and after '${name(b)}'; keep one order`, o.loc);
          return;
        }
      }
    }
  }
}

function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.loc.file.localeCompare(b.loc.file) || a.loc.line - b.loc.line || a.code.localeCompare(b.code));
}

/** A whole number TLC can hold (not NaN, not infinite, within Java's int). */
function tlcInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) <= TLC_MAX_INT;
}

function showNumber(n: number): string {
  return Number.isNaN(n) ? "NaN" : Number.isInteger(n) && Math.abs(n) > 1e6 ? `${n} (${n < 0 ? "-" : ""}2^${Math.log2(Math.abs(n)).toFixed(1).replace(/\.0$/, "")})` : String(n);
}

/** The statement under which the model is nested past MAX_NESTING, if it is; iterative, so any depth is safe. */
function tooDeep(model: Model): Loc | undefined {
  const todo: [unknown, number, Loc][] = [[model, 0, model.loc]];
  while (todo.length > 0) {
    const [x, depth, loc] = todo.pop() as [unknown, number, Loc];
    if (typeof x !== "object" || x === null) continue;
    const l = (x as { loc?: Loc }).loc;
    const at = l && typeof l.line === "number" ? l : loc;
    if (depth > MAX_NESTING) return at;
    for (const v of Object.values(x)) if (typeof v === "object" && v !== null) todo.push([v, depth + 1, at]);
  }
  return undefined;
}

function checkVar(name: string, d: Domain, init: Value, loc: Loc, error: (c: string, m: string, l: Loc) => void): void {
  if (d.kind === "int" && (!Number.isInteger(d.min) || !Number.isInteger(d.max) || d.min > d.max)) {
    error("FL222", `'${name}' needs a range of whole numbers with min <= max`, loc);
    return;
  }
  if (d.kind === "int" && (!tlcInt(d.min) || !tlcInt(d.max))) {
    error("FL223", `'${name}' has a range TLC cannot hold (${showNumber(d.min)}..${showNumber(d.max)}): use whole numbers from ${-TLC_MAX_INT} to ${TLC_MAX_INT}`, loc);
    return;
  }
  if (d.kind === "enum" && (d.values.length === 0 || new Set(d.values).size !== d.values.length || d.values.some((v) => typeof v !== "string"))) {
    error("FL222", `'${name}' needs a non-empty list of distinct names`, loc);
    return;
  }
  if (!inDomain(d, init)) error("FL222", `initial value ${JSON.stringify(init)} of '${name}' is outside its domain ${showDomain(d)}`, loc);
}

export function inDomain(d: Domain, v: Value): boolean {
  switch (d.kind) {
    case "bool":
      return typeof v === "boolean";
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= d.min && v <= d.max;
    case "enum":
      return typeof v === "string" && d.values.includes(v);
    default:
      return unreachable(d);
  }
}

export function showDomain(d: Domain): string {
  switch (d.kind) {
    case "bool":
      return "boolean";
    case "int":
      return `${d.min}..${d.max}`;
    case "enum":
      return `{${d.values.join(", ")}}`;
    default:
      return unreachable(d);
  }
}

function hasLabel(stmts: readonly Stmt[], label: string, procs: ReadonlyMap<string, { body: readonly Stmt[] }>, seen = new Set<string>()): boolean {
  for (const s of stmts) {
    if (s.kind === "label" && s.name === label) return true;
    const nested: (readonly Stmt[])[] =
      s.kind === "trylock" || s.kind === "if"
        ? [s.then, s.else]
        : s.kind === "either"
          ? [...s.branches]
          : s.kind === "repeat" || s.kind === "while" || s.kind === "fault_retry"
            ? [s.body]
            : s.kind === "access" && s.onFault
              ? [s.onFault]
              : [];
    if (s.kind === "call" && !seen.has(s.proc)) {
      seen.add(s.proc);
      const p = procs.get(s.proc);
      if (p) nested.push(p.body);
    }
    if (nested.some((b) => hasLabel(b, label, procs, seen))) return true;
  }
  return false;
}

/** The call graph (calls, and accesses whose fault path runs a procedure) must be acyclic. */
function checkCalls(
  model: Model,
  procs: ReadonlyMap<string, { name: string; body: readonly Stmt[]; loc: Loc }>,
  regions: ReadonlyMap<string, { fault?: string }>,
  error: (c: string, m: string, l: Loc) => void,
): void {
  const edges = (body: readonly Stmt[]): { to: string; loc: Loc }[] => {
    const out: { to: string; loc: Loc }[] = [];
    const go = (ss: readonly Stmt[]): void => {
      for (const s of ss) {
        if (s.kind === "call") out.push({ to: s.proc, loc: s.loc });
        if (s.kind === "gup") {
          const f = regions.get(s.region)?.fault;
          if (f) out.push({ to: f, loc: s.loc });
        }
        if (s.kind === "access") {
          const f = regions.get(s.region)?.fault;
          if (f) out.push({ to: f, loc: s.loc });
          if (s.onFault) go(s.onFault);
        }
        if (s.kind === "trylock" || s.kind === "if") {
          go(s.then);
          go(s.else);
        }
        if (s.kind === "either") for (const b of s.branches) go(b);
        if (s.kind === "repeat" || s.kind === "while" || s.kind === "fault_retry") go(s.body);
      }
    };
    go(body);
    return out;
  };
  const state = new Map<string, "active" | "done">();
  const reported = new Set<string>();
  const dfs = (id: string, path: string[]): void => {
    state.set(id, "active");
    const p = procs.get(id);
    for (const e of edges(p?.body ?? [])) {
      if (state.get(e.to) === "active") {
        const cycle = [...path.slice(path.indexOf(e.to)), e.to].map((x) => `'${procs.get(x)?.name ?? x}'`);
        const key = [...cycle].sort().join();
        if (!reported.has(key)) {
          reported.add(key);
          error("FL240", `recursive call graph: ${cycle.join(" -> ")}; procedures (and fault paths) may not call themselves`, e.loc);
        }
      } else if (!state.has(e.to) && procs.has(e.to)) {
        dfs(e.to, [...path, e.to]);
      }
    }
    state.set(id, "done");
  };
  for (const p of model.procs) if (!state.has(p.id)) dfs(p.id, [p.id]);
}
