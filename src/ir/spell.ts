// Kernel spelling of model operations and expressions, shared by the spec's
// comments and the readable trace: `down_read(&app->mmap_lock)`, `mutex_lock(&A_mutex)`.

import { type Node, type Op, literal } from "./program.js";
import type { Expr, Lock, LockMode, Model } from "./types.js";
import { faultFlagName, unreachable } from "./types.js";

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

export function threadName(model: Model, id: string): string {
  return model.threads.find((t) => t.id === id)?.name ?? id;
}

export function regionName(model: Model, id: string): string {
  return model.regions.find((r) => r.id === id)?.name ?? id;
}

/** One operation in kernel words, e.g. `copy_to_user(user_buf)`. */
export function spellOp(model: Model, op: Op): string {
  switch (op.kind) {
    case "acquire":
      return `${acquireWord(lockOf(model, op.lock)?.kind, op.mode)}(${lockRef(model, op.lock)})`;
    case "release": {
      const word = `${releaseWord(lockOf(model, op.lock)?.kind, op.mode)}(${lockRef(model, op.lock)})`;
      return op.retry ? `return VM_FAULT_RETRY: ${word}` : word;
    }
    case "trylock":
      return `${acquireWord(lockOf(model, op.lock)?.kind, op.mode, true)}(${lockRef(model, op.lock)})`;
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
      return `${op.loop ? "while" : "if"} (${spellExpr(model, op.cond)})`;
    case "await":
      return `wait_event(${spellExpr(model, op.cond)})`;
    case "assert":
      return `assert(${spellExpr(model, op.cond)})`;
    default:
      return unreachable(op);
  }
}

/** Where a node sits: `in driverA_decrypt() <- page fault on squashfs_map`. */
export function spellVia(model: Model, node: Node): string {
  return node.via
    .map((f) =>
      f.kind === "call"
        ? `${model.procs.find((p) => p.id === f.proc)?.name ?? f.proc}()`
        : `page fault on ${regionName(model, f.region)}`,
    )
    .reverse()
    .join(" <- ");
}

function varName(model: Model, id: string): string {
  return model.vars.find((v) => v.id === id)?.name ?? id;
}

/** C-like spelling of an expression, for comments and traces. */
export function spellExpr(model: Model, e: Expr): string {
  switch (e.kind) {
    case "lit":
      if (e.spelled !== undefined) return e.spelled;
      return typeof e.value === "string" ? e.value : String(e.value);
    case "var":
      return varName(model, e.variable);
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
      return `held(${lockName(model, e.lock)}${how}${who})`;
    }
    case "done":
      return `done(${threadName(model, e.thread)})`;
    case "at":
      return `at(${threadName(model, e.thread)}, ${e.label})`;
    case "fault-flag":
      return `vmf->flags & ${faultFlagName(e.flag)}`;
    default:
      return unreachable(e);
  }
}

function paren(model: Model, e: Expr): string {
  const s = spellExpr(model, e);
  const compound = e.kind === "and" || e.kind === "or" || e.kind === "cmp" || e.kind === "arith" || (e.kind === "lit" && e.spelled !== undefined);
  return compound ? `(${s})` : s;
}

/** What a node did when it went on to `to` without waiting: the trace's effect words for thread-local outcomes. */
export function spellOutcome(op: Op, to: string): string {
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
      // A test decided by FAULT_FLAG_WRITE has one exit (lowering drops the other branch).
      if (op.then === op.else) return String(literal(op.cond) ?? true);
      return to === op.then ? "true" : "false";
    case "release":
      return "released";
    case "acquire":
      return op.mode === "excl" ? "acquired" : `acquired for ${op.mode}`;
    case "trylock":
      return to === op.ok ? "succeeded" : "failed (lock busy)";
    case "await":
      return "condition holds, continues";
    case "assert":
      return "holds";
    case "set":
      return "assigned";
    default:
      return unreachable(op);
  }
}
