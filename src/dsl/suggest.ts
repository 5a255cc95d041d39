// A model file that calls a DSL method that is not there (`m.thread(...)`, a typo
// such as `t.downread(...)`) throws "x.y is not a function" while building: say
// which builder has `y`, or the nearest method any builder has (FL004's hint).

import { Body } from "./body.js";
import { ModelBuilder, ProcessBuilder } from "./model.js";

/** Each builder, as the README's examples name its handle. */
const BUILDERS: readonly { readonly handle: string; readonly what: string; readonly proto: object }[] = [
  { handle: "m", what: "the model", proto: ModelBuilder.prototype },
  { handle: "process", what: "a process (const process = m.process(name))", proto: ProcessBuilder.prototype },
  { handle: "t", what: "a thread or procedure body", proto: Body.prototype },
];

function methods(proto: object): string[] {
  return Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor" && !n.startsWith("_"));
}

/** Levenshtein distance, case-insensitive (`downread` is one edit from nothing: 0). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length] ?? 0;
}

/**
 * For an error message `... x.name is not a function`: where `name` is a method
 * (`use process.thread(...)`), or the nearest method by a small edit distance
 * (`did you mean t.downRead(...)?`); undefined when nothing is near.
 */
export function suggestMethod(message: string): string | undefined {
  const m = /([A-Za-z_$][\w$]*)\s+is not a function/.exec(message);
  const name = m?.[1];
  if (!name) return undefined;
  const owners = BUILDERS.filter((b) => methods(b.proto).includes(name));
  if (owners.length > 0) {
    return `'${name}' is a method of ${owners.map((o) => o.what).join(" and of ")}: use ${owners.map((o) => `${o.handle}.${name}(...)`).join(" or ")}`;
  }
  const all = BUILDERS.flatMap((b) => methods(b.proto).map((n) => ({ b, n, d: distance(name, n) })));
  const best = Math.min(...all.map((c) => c.d));
  const near = all.filter((c) => c.d === best && c.d <= Math.max(2, Math.floor(name.length / 3)));
  if (near.length === 0) return undefined;
  return `did you mean ${near.map((c) => `${c.b.handle}.${c.n}(...)`).join(" or ")}?`;
}
