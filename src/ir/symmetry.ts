// Symmetry: which threads the checker may treat as interchangeable.
//
// A group from `threads(n, name, body)` is declared interchangeable by the model
// author. It is only *sound* to let TLC identify states that differ by a
// permutation of the group's threads when the whole specification is symmetric
// under that permutation, so a group is used only when
//   - its members lowered to the same program (same nodes, same operations: a body
//     function that builds different bodies on each call breaks the promise);
//   - no expression anywhere (invariants, conditions, assertions) names one of its
//     members (`held(lock, t)`, `done(t)`, `at(t, label)`): that would tell them apart;
//   - termination is not checked: TLC's symmetry reduction is unsound for liveness.
// The built-in checks (deadlock, lock-leak, bad-unlock, sleep-in-atomic, domains)
// quantify over all threads alike, and the lock state (owners, rwsem readers and
// queue) holds thread identities that TLC permutes with the rest of the state.

import { type Program, modelExprs } from "./program.js";
import { threadName } from "./spell.js";
import { type Model, subexprs } from "./types.js";

export interface SymmetryGroup {
  /** The group id shared by its threads (Thread.group). */
  readonly group: string;
  /** Its threads' ids, in declaration order. */
  readonly threads: readonly string[];
}

export interface Symmetry {
  /** Groups of two or more threads the spec may permute. */
  readonly groups: readonly SymmetryGroup[];
  /** Groups that cannot be used, and why (for the user). */
  readonly off: readonly { readonly threads: readonly string[]; readonly why: string }[];
}

export function symmetry(model: Model, program: Program): Symmetry {
  const byGroup = new Map<string, string[]>();
  for (const t of model.threads) {
    if (t.group === undefined) continue;
    byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t.id]);
  }
  const named = threadsNamed(model, program);
  const groups: SymmetryGroup[] = [];
  const off: { threads: string[]; why: string }[] = [];
  for (const [group, threads] of byGroup) {
    if (threads.length < 2) continue;
    const why = model.termination
      ? "termination is checked, and symmetry is only sound for safety checks"
      : threads.some((t) => named.has(t))
        ? `an expression names '${threadName(model, threads.find((t) => named.has(t)) as string)}', which tells the threads apart`
        : !sameProgram(model, program, threads)
          ? "their bodies differ (the body function built a different body for each thread)"
          : undefined;
    if (why === undefined) groups.push({ group, threads });
    else off.push({ threads, why });
  }
  return { groups, off };
}

/** Threads some expression of the model refers to by identity. */
function threadsNamed(model: Model, program: Program): Set<string> {
  const out = new Set<string>();
  for (const e of modelExprs(model, program).flatMap((x) => [...subexprs(x)])) {
    if ((e.kind === "held" || e.kind === "done" || e.kind === "at" || e.kind === "local") && e.thread !== undefined) out.add(e.thread);
  }
  return out;
}

/** Did every thread of the group lower to the same nodes (ignoring which statement object each came from)? */
function sameProgram(model: Model, program: Program, threads: readonly string[]): boolean {
  const localName = new Map(model.locals.map((l) => [l.id, l.name]));
  const shape = (id: string): string => {
    const tp = program.threads.find((t) => t.thread === id);
    if (!tp) return "";
    // Each thread of a group declares its own locals: compare them by name.
    const text = JSON.stringify([tp.entry, tp.nodes.map((n) => [n.pc, n.loc, n.via, n.op, n.locals]), [...tp.labels]]);
    return text.replace(/"(loc\d+)"/g, (_, id: string) => JSON.stringify(`local:${localName.get(id) ?? id}`));
  };
  const first = shape(threads[0] as string);
  return threads.every((t) => shape(t) === first);
}
