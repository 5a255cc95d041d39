// Which check a final state violates, evaluated in TypeScript in the spec's cfg
// order: lets `explain` read a bare TLC trace, which does not name the invariant.

import type { SpecNames } from "../gen/index.js";
import { DONE, type Program, nodeAt } from "../ir/program.js";
import type { Model } from "../ir/types.js";
import { inDomain } from "../ir/validate.js";
import { Blocking, type ModelState, evalBool } from "./state.js";
import { orderViolations } from "./translate.js";

/** Held locks of `thread` as `${lock}/${mode}`. */
function held(s: ModelState, thread: string): Set<string> {
  const out = new Set<string>();
  for (const [l, o] of s.owner) if (o === thread) out.add(`${l}/excl`);
  for (const [l, r] of s.rw) {
    if (r.writer === thread) out.add(`${l}/write`);
    if ((r.readers.get(thread) ?? 0) > 0) out.add(`${l}/read`);
  }
  return out;
}

/** The first check (in cfg order) that `s` violates, as TLC would report it. */
export function violatedCheck(model: Model, program: Program, names: SpecNames, s: ModelState): string | undefined {
  const node = (t: string) => nodeAt(program, t, s.pc.get(t));
  const spin = new Set(model.locks.filter((l) => l.kind === "spinlock").map((l) => l.id));
  const blocking = new Blocking(model, program);
  const violated = (name: string): boolean => {
    const c = names.checks.get(name);
    if (!c) return false;
    switch (c.kind) {
      case "domain": {
        const v = model.vars.find((x) => x.id === c.variable);
        const val = s.vars.get(c.variable);
        return v !== undefined && val !== undefined && !inDomain(v.domain, val);
      }
      case "bad-unlock":
        return model.threads.some((t) => {
          const n = node(t.id);
          return n?.op.kind === "release" && !held(s, t.id).has(`${n.op.lock}/${n.op.mode}`);
        });
      case "sleep-in-atomic":
        return model.threads.some((t) => {
          const n = node(t.id);
          const sleeps = n !== undefined && ((n.op.kind === "acquire" && !spin.has(n.op.lock)) || n.op.kind === "await");
          return sleeps && [...held(s, t.id)].some((h) => spin.has(h.split("/")[0] as string));
        });
      case "deadlock":
        return blocking.stuck(s).length > 0;
      case "lock-leak":
        return model.threads.some((t) => s.pc.get(t.id) === DONE && held(s, t.id).size > 0);
      case "assertion": {
        const n = nodeAt(program, c.thread, c.pc);
        return s.pc.get(c.thread) === c.pc && n?.op.kind === "assert" && !evalBool(model, s, n.op.cond, program);
      }
      case "invariant": {
        const inv = model.invariants.find((x) => x.id === c.invariant);
        return inv !== undefined && !evalBool(model, s, inv.cond, program);
      }
      case "lock-order":
        return orderViolations(model, program, s).length > 0;
    }
  };
  return [...names.checks.keys()].find(violated);
}
