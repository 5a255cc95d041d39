// Kernel spelling of model operations and expressions, shared by the spec's
// comments and the readable trace: `down_read(&app->mmap_lock)`, `mutex_lock(&A_mutex)`.

import { type Node, type Op, literal } from "./program.js";
import type { Expr, Lock, LockMode, Model, Value } from "./types.js";
import { elementName, faultFlagName, unreachable } from "./types.js";

export function lockRef(model: Model, lockId: string): string {
  const l = model.locks.find((x) => x.id === lockId);
  return l ? `&${l.name.replace(".", "->")}` : `&${lockId}`;
}

export function lockName(model: Model, lockId: string): string {
  return model.locks.find((x) => x.id === lockId)?.name ?? lockId;
}

function lockOf(model: Model, id: string): Lock | undefined {
  return model.locks.find((x) => x.id === id);
}

export function acquireWord(kind: Lock["kind"] | undefined, mode: LockMode, trylock = false): string {
  const t = trylock ? "_trylock" : "";
  if (mode === "read") return `down_read${t}`;
  if (mode === "write") return `down_write${t}`;
  return kind === "spinlock" ? (trylock ? "spin_trylock" : "spin_lock") : trylock ? "mutex_trylock" : "mutex_lock";
}

export function releaseWord(kind: Lock["kind"] | undefined, mode: LockMode): string {
  if (mode === "read") return "up_read";
  if (mode === "write") return "up_write";
  return kind === "spinlock" ? "spin_unlock" : "mutex_unlock";
}

/** The mode reports give a hold or wait: "write" for a rwsem encoded as a mutex (src/ir/encode.ts), whose operations carry "excl". */
export function shownMode(model: Model, lockId: string, mode: LockMode): LockMode {
  return mode === "excl" && lockOf(model, lockId)?.writeOnly ? "write" : mode;
}

export function threadName(model: Model, id: string): string {
  return model.threads.find((t) => t.id === id)?.name ?? id;
}

/** A region's name; prefixed by its process (`P:buf`) when another process has a region of that name too. */
export function regionName(model: Model, id: string): string {
  const r = model.regions.find((x) => x.id === id);
  if (!r) return id;
  if (!model.regions.some((x) => x.name === r.name && x.process !== r.process)) return r.name;
  return `${model.processes.find((p) => p.id === r.process)?.name ?? r.process}:${r.name}`;
}

/** One operation in kernel words, e.g. `copy_to_user(user_buf)`. */
export function spellOp(model: Model, op: Op): string {
  switch (op.kind) {
    case "acquire":
    case "release":
    case "trylock": {
      // A page lock reads as the kernel writes it: lock_page(P), not mutex_lock(&page[P]).
      const page = lockOf(model, op.lock)?.element;
      if (page?.page) return `${op.kind === "acquire" ? "lock_page" : op.kind === "release" ? "unlock_page" : "trylock_page"}(${page.index})`;
      const l = lockOf(model, op.lock);
      const mode = l?.writeOnly ? "write" : op.mode;
      const word = op.kind === "release" ? releaseWord(l?.kind, mode) : acquireWord(l?.kind, mode, op.kind === "trylock");
      const spelled = `${word}(${lockRef(model, op.lock)})`;
      return op.kind === "release" && op.retry ? `return VM_FAULT_RETRY: ${spelled}` : spelled;
    }
    case "access":
      return `${op.op}(${regionName(model, op.region)})`;
    case "choose":
      return `either (${op.targets.length} ways)`;
    case "set": {
      // A tracked region's residency: the fault installs the pte, reclaim evicts it.
      const of = model.vars.find((v) => v.id === op.variable)?.residencyOf;
      if (of !== undefined && op.value.kind === "lit") return `${op.value.value === true ? "install_pte" : "evict"}(${regionName(model, of)})`;
      return `${varName(model, op.variable)} = ${spellExpr(model, op.value)}`;
    }
    case "branch":
      return `${op.loop ? "while" : "if"} (${spellExpr(model, op.shown ?? op.cond)})`;
    case "await":
      return `wait_event(${spellExpr(model, op.shown ?? op.cond)})`;
    case "assert":
      return op.bound !== undefined ? `loop bound ${op.bound}` : `assert(${spellExpr(model, op.shown ?? op.cond)})`;
    case "local":
      return `${localName(model, op.local)} = ${spellExpr(model, op.value)}`;
    default:
      return unreachable(op);
  }
}

export function localName(model: Model, id: string): string {
  return model.locals.find((l) => l.id === id)?.name ?? id;
}

/** Where a node sits: `in driverA_decrypt() <- page fault on squashfs_map`. */
export function spellVia(model: Model, node: Node): string {
  return node.via
    .map((f) =>
      f.kind === "call"
        ? procCall(model.procs.find((p) => p.id === f.proc)?.name ?? f.proc)
        : `page fault on ${regionName(model, f.region)}`,
    )
    .reverse()
    .join(" <- ");
}

/** `name()`, unless the name already reads as a call (`__dax_fault(write)`). */
function procCall(name: string): string {
  return name.endsWith(")") ? name : `${name}()`;
}

function varName(model: Model, id: string): string {
  return model.vars.find((v) => v.id === id)?.name ?? id;
}

/**
 * `e` with the detours a builder leaves taken out: `!!x` is `x`, and a boolean
 * compared with a literal (`x.eq(false)`) is `!x` (or `x`).
 */
export function simplify(e: Expr): Expr {
  if (e.kind === "not" && e.arg.kind === "not") return simplify(e.arg.arg);
  if (e.kind === "cmp" && (e.op === "=" || e.op === "!=")) {
    const [lit, other] = e.right.kind === "lit" ? [e.right, e.left] : e.left.kind === "lit" ? [e.left, e.right] : [undefined, undefined];
    if (lit && other && typeof lit.value === "boolean" && other.kind !== "lit") {
      const positive = lit.value === (e.op === "=");
      return positive ? simplify(other) : simplify({ kind: "not", arg: other });
    }
  }
  return e;
}

/** C-like spelling of an expression, for comments and traces. */
export function spellExpr(model: Model, expr: Expr): string {
  const e = simplify(expr);
  switch (e.kind) {
    case "lit":
      if (e.spelled !== undefined) return e.spelled;
      return typeof e.value === "string" ? e.value : String(e.value);
    case "var":
      return varName(model, e.variable);
    case "local": {
      const l = model.locals.find((x) => x.id === e.local);
      return l?.owner.kind === "thread" && e.thread !== undefined ? `${threadName(model, e.thread)}.${l.name}` : localName(model, e.local);
    }
    case "not":
      return `!${paren(model, e.arg)}`;
    case "and":
    case "or":
      return e.args.length === 0 ? (e.kind === "and" ? "true" : "false") : e.args.map((a) => paren(model, a)).join(e.kind === "and" ? " && " : " || ");
    case "cmp":
      return `${paren(model, e.left)} ${e.op === "=" ? "==" : e.op} ${paren(model, e.right)}`;
    case "arith":
      return `${paren(model, e.left)} ${e.op} ${paren(model, e.right)}`;
    case "held": {
      const who = e.thread ? ` by ${threadName(model, e.thread)}` : "";
      const how = e.mode ? ` for ${e.mode}` : "";
      return `held(${lockRef(model, e.lock)}${how}${who})`;
    }
    case "done":
      return `done(${threadName(model, e.thread)})`;
    case "at":
      return `at(${threadName(model, e.thread)}, ${e.label})`;
    case "elem": {
      // blk[i], inode[i].state: the array's name with the index as written.
      return elementName(e.array, spellExpr(model, e.index));
    }
    case "fault-flag":
      return `vmf->flags & ${faultFlagName(e.flag)}`;
    default:
      return unreachable(e);
  }
}

function paren(model: Model, expr: Expr): string {
  const e = simplify(expr);
  const s = spellExpr(model, e);
  const compound = e.kind === "and" || e.kind === "or" || e.kind === "cmp" || e.kind === "arith" || (e.kind === "lit" && e.spelled !== undefined);
  return compound ? `(${s})` : s;
}

/** Lock state and thread positions: the parts of a condition that are not variables. */
function isAtom(e: Expr): boolean {
  return e.kind === "var" || e.kind === "elem" || e.kind === "held" || e.kind === "done" || e.kind === "at";
}

/**
 * Why condition `expr` is false in a state (`holds` evaluates a subexpression there),
 * in words: `done(U munmap) is true but tables_freed is false`, `reused is true`;
 * empty for the literal `false`, which needs no explanation.
 */
export function spellFalse(model: Model, expr: Expr, holds: (e: Expr) => boolean): string {
  const e = simplify(expr);
  switch (e.kind) {
    case "lit":
      return e.value === false ? "" : `${spellExpr(model, e)} is false`;
    case "not": {
      const a = simplify(e.arg);
      return `${spellExpr(model, a)} ${isAtom(a) ? "is true" : "holds"}`;
    }
    case "and": {
      const parts = e.args.filter((a) => !holds(a)).map((a) => spellFalse(model, a, holds)).filter((x) => x !== "");
      return parts.length > 0 ? parts.join(" and ") : `${spellExpr(model, e)} is false`;
    }
    case "or": {
      // implies(a, b) is or(not(a), b): false when a holds and b does not.
      const [first, ...rest] = e.args.map(simplify);
      if (first?.kind === "not" && rest.length > 0) {
        const b: Expr = rest.length === 1 ? (rest[0] as Expr) : { kind: "or", args: rest };
        const a = simplify(first.arg);
        const tail = spellFalse(model, b, holds);
        return `${spellExpr(model, a)} ${isAtom(a) ? "is true" : "holds"}${tail ? ` but ${tail}` : ""}`;
      }
      const parts = e.args.map((a) => spellFalse(model, a, holds)).filter((x) => x !== "");
      return parts.length > 0 ? parts.join(" and ") : `${spellExpr(model, e)} is false`;
    }
    default:
      return `${spellExpr(model, e)} is false`;
  }
}

/** The lock states, thread positions and variables a condition reads, each once, in order. */
export function atomsOf(expr: Expr): Expr[] {
  const out: Expr[] = [];
  const seen = new Set<string>();
  const walk = (x: Expr): void => {
    if (isAtom(x)) {
      const key = JSON.stringify(x);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(x);
      }
      return;
    }
    if (x.kind === "not") walk(x.arg);
    if (x.kind === "and" || x.kind === "or") x.args.forEach(walk);
    if (x.kind === "cmp" || x.kind === "arith") {
      walk(x.left);
      walk(x.right);
    }
  };
  walk(expr);
  return out;
}

/** What a `set` did, as a trace says it: `name: old -> new`, or the page's residency. */
export function spellSet(model: Model, variable: string, old: Value | undefined, now: Value | undefined): string {
  const v = model.vars.find((x) => x.id === variable);
  if (v?.residencyOf !== undefined) return now === true ? "page mapped: present" : "page unmapped: the next access faults";
  return `${v?.name ?? variable}: ${String(old)} -> ${String(now)}`;
}

/** What a node did when it went on to `to` without waiting: the trace's effect words for thread-local outcomes. */
export function spellOutcome(op: Op, to: string, model?: Model): string {
  switch (op.kind) {
    case "access":
      if (op.fault.kind !== "none" && to === op.fault.target) {
        if (op.op === "get_user_pages") return "page fault: handle_mm_fault, mmap lock already held";
        return op.fault.kind === "handle" ? "page fault" : "page fault with page faults disabled: -EFAULT";
      }
      if (op.op === "get_user_pages") return "page present, pinned";
      return op.fault.kind === "none" ? "page pinned, no fault" : "page present, no fault";
    case "choose":
      return `takes branch ${op.targets.indexOf(to) + 1} of ${op.targets.length}`;
    case "branch":
      // A branch decided by its locals, or by FAULT_FLAG_* (lowering drops the other
      // branch), has both exits the same: its condition says which way.
      if (op.then === op.else) return String(literal(op.cond) ?? true);
      return to === op.then ? "true" : "false";
    case "release":
      return "released";
    case "acquire":
    {
      const mode = model ? shownMode(model, op.lock, op.mode) : op.mode;
      return mode === "excl" ? "acquired" : `acquired for ${mode}`;
    }
    case "trylock":
      return to === op.ok ? "succeeded" : "failed (lock busy)";
    case "await":
      return "condition holds, continues";
    case "assert":
      return "holds";
    case "set":
    case "local":
      return "assigned";
    default:
      return unreachable(op);
  }
}
