// The focused default view of a finding: the steps of the threads it is about,
// and every earlier step those depend on (issue 17): the writes of the variables
// their conditions and assignments read, the operations on the locks they take or
// wait for, and the whole of a thread whose position a condition reads. A slice
// backwards over the trace, so what the reader sees is explained by what is shown.

import { type Node, type Program, nodeAt, opExprs } from "../ir/program.js";
import { type Expr, subexprs } from "../ir/types.js";
import type { Step } from "./translate.js";

interface Needs {
  readonly threads: Set<string>;
  readonly vars: Set<string>;
  readonly locks: Set<string>;
}

/** What evaluating `e` reads: variables, lock states, thread positions. */
function addReads(n: Needs, e: Expr): void {
  for (const x of subexprs(e)) {
    if (x.kind === "var") n.vars.add(x.variable);
    else if (x.kind === "elem") for (const v of Object.values(x.elements)) n.vars.add(v);
    else if (x.kind === "held") n.locks.add(x.lock);
    else if (x.kind === "done" || x.kind === "at") n.threads.add(x.thread);
  }
}

/** What running `node` depends on: what it reads, and the lock it takes (someone had to give it back). */
function addNeeds(n: Needs, node: Node): void {
  for (const e of opExprs(node.op)) addReads(n, e);
  const op = node.op;
  if (op.kind === "acquire" || op.kind === "trylock") n.locks.add(op.lock);
}

/**
 * The indexes of the steps to show: those of `threads`, and every step before one
 * shown that it depends on. `conds` are the conditions the finding is about (the
 * violated invariant), `pending` the nodes the threads stand at in the last state.
 */
export function focusSteps(program: Program, steps: readonly Step[], threads: readonly string[], conds: readonly Expr[], pending: readonly Node[]): number[] {
  const n: Needs = { threads: new Set(threads), vars: new Set(), locks: new Set() };
  for (const c of conds) addReads(n, c);
  for (const p of pending) if (n.threads.has(p.thread)) addNeeds(n, p);
  const keep: number[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i] as Step;
    const node = nodeAt(program, s.threadId, s.pc);
    if (!node) continue;
    const op = node.op;
    const needed =
      n.threads.has(s.threadId) ||
      (op.kind === "set" && n.vars.has(op.variable)) ||
      ((op.kind === "acquire" || op.kind === "release" || op.kind === "trylock") && n.locks.has(op.lock));
    if (!needed) continue;
    keep.push(s.index);
    addNeeds(n, node);
  }
  return keep.reverse();
}
