// Model validation: every problem at once, each with a code and the model line.
// Structural checks here; path-sensitive ones (held locks, page-fault balance) in program.ts.

import type { Diagnostic } from "./diagnostics.js";
import { formatLoc } from "./diagnostics.js";
import { type Program, lower } from "./program.js";
import { forbiddenWhileHeld } from "./order.js";
import type { Domain, Expr, Loc, Model, Stmt, Value } from "./types.js";
import { unreachable } from "./types.js";

/** Most iterations a `repeat` may unroll. */
const MAX_REPEAT = 64;

type Type = { readonly kind: "bool" } | { readonly kind: "int" } | { readonly kind: "enum"; readonly values: readonly string[] } | { readonly kind: "unknown" };

export interface Validated {
  readonly diagnostics: readonly Diagnostic[];
  /** Present when there are no diagnostics. */
  readonly program?: Program;
}

export function validate(model: Model, fromBuild: readonly Diagnostic[] = []): Validated {
  const out: Diagnostic[] = [...fromBuild];
  const error = (code: string, message: string, loc: Loc): void => {
    out.push({ code, message, loc });
  };

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

  const locks = new Map(model.locks.map((l) => [l.id, l]));
  const vars = new Map(model.vars.map((v) => [v.id, v]));
  const procs = new Map(model.procs.map((p) => [p.id, p]));
  const regions = new Map(model.regions.map((r) => [r.id, r]));

  const typeOf = (e: Expr, loc: Loc): Type => {
    switch (e.kind) {
      case "lit":
        return typeof e.value === "boolean" ? { kind: "bool" } : typeof e.value === "number" ? { kind: "int" } : { kind: "enum", values: [e.value] };
      case "var": {
        const v = vars.get(e.variable);
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
          if (a.kind !== b.kind) error("FL221", `compares a ${a.kind} with a ${b.kind}`, loc);
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
    if (t.kind !== "unknown" && t.kind !== kind) error("FL221", `${what} needs a ${kind === "bool" ? "boolean condition" : "number"}, got a ${t.kind}`, loc);
  };

  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
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
          if (s.kind === "trylock") {
            walk(s.then);
            walk(s.else);
          }
          break;
        }
        case "call":
          break;
        case "access":
          if (s.onFault) walk(s.onFault);
          break;
        case "either":
          if (s.branches.length === 0) error("FL232", `either() needs at least one branch`, s.loc);
          for (const b of s.branches) walk(b);
          break;
        case "set": {
          const v = vars.get(s.variable);
          if (!v) break;
          const t = typeOf(s.value, s.loc);
          if (s.value.kind === "lit") {
            if (!inDomain(v.domain, s.value.value)) {
              error("FL220", `assigns ${JSON.stringify(s.value.value)} to '${v.name}', outside its domain ${showDomain(v.domain)}`, s.loc);
            }
          } else if (t.kind !== "unknown" && t.kind !== v.domain.kind) {
            error("FL220", `assigns a ${t.kind} to '${v.name}', whose domain is ${showDomain(v.domain)}`, s.loc);
          }
          break;
        }
        case "if":
          expect(s.cond, "bool", s.loc, "if");
          walk(s.then);
          walk(s.else);
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
          walk(s.body);
          break;
        case "while":
          expect(s.cond, "bool", s.loc, "while");
          if (!Number.isInteger(s.bound) || s.bound < 1 || s.bound > MAX_REPEAT) {
            error("FL231", `a while loop needs a bound from 1 to ${MAX_REPEAT}: t.while(cond, { bound: N }, body)`, s.loc);
          }
          walk(s.body);
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
  for (const p of model.procs) walk(p.body);
  for (const t of model.threads) walk(t.body);
  for (const inv of model.invariants) expect(inv.cond, "bool", inv.loc, `invariant '${inv.name}'`);

  checkCalls(model, procs, regions, error);
  checkLockOrders(model, error);

  if (out.length > 0) return { diagnostics: sortDiagnostics(out) };
  const program = lower(model);
  if (program.diagnostics.length > 0) return { diagnostics: sortDiagnostics(program.diagnostics) };
  return { diagnostics: [], program };
}

/** FL260-FL262: each declared lock order names two or more distinct locks, and no two orders contradict. */
function checkLockOrders(model: Model, error: (c: string, m: string, l: Loc) => void): void {
  const name = (id: string) => model.locks.find((l) => l.id === id)?.name ?? id;
  const orders = model.lockOrders ?? [];
  for (const o of orders) {
    if (o.locks.some((l) => l.startsWith("?"))) continue; // a bad handle: FL101/FL102 already
    if (new Set(o.locks).size < 2) error("FL260", `lockOrder needs at least two different locks, earliest first, e.g. m.lockOrder(a, b)`, o.loc);
    const twice = o.locks.find((l, i) => o.locks.indexOf(l) !== i);
    if (twice !== undefined && new Set(o.locks).size >= 2) error("FL261", `lockOrder names '${name(twice)}' twice; list each lock once, earliest first`, o.loc);
  }
  const after = forbiddenWhileHeld(model);
  for (const o of orders) {
    for (const [i, a] of o.locks.entries()) {
      for (const b of o.locks.slice(i + 1)) {
        if (a !== b && after.get(b)?.has(a) && after.get(a)?.has(b)) {
          error("FL262", `lock orders contradict each other: '${name(a)}' is declared both before and after '${name(b)}'; keep one order`, o.loc);
          return;
        }
      }
    }
  }
}

function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.loc.file.localeCompare(b.loc.file) || a.loc.line - b.loc.line || a.code.localeCompare(b.code));
}

function checkVar(name: string, d: Domain, init: Value, loc: Loc, error: (c: string, m: string, l: Loc) => void): void {
  if (d.kind === "int" && (!Number.isInteger(d.min) || !Number.isInteger(d.max) || d.min > d.max)) {
    error("FL222", `'${name}' needs a range of whole numbers with min <= max`, loc);
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
          : s.kind === "repeat" || s.kind === "while"
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
        if (s.kind === "repeat" || s.kind === "while") go(s.body);
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
