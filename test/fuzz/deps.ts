// The lock dependency table computed a second, independent way: TLC explores the
// unmerged spec (one state per operation, so a thread stands at every acquire)
// with one extra invariant that prints, in every state, each (thread, acquire pc,
// lock held, mode) it sees, using the spec's own HoldsAs. Compared with the
// explorer's table (src/deps) by the fuzz batch and the specs test.

import { compile } from "../../src/check.js";
import { type Observation, observe } from "../../src/deps/observe.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { heldCounts } from "../../src/ir/program.js";
import { symmetry } from "../../src/ir/symmetry.js";
import type { Toolchain } from "../../src/tlc/locate.js";
import { runTlc } from "../../src/tlc/run.js";

/** Edges as `thread|pc|lock/mode` (IR ids): the thread stands at the acquire at pc holding lock in mode. */
export type EdgeSet = ReadonlySet<string>;

/** The explorer's edges, merged or with one step per operation, and the observation they come from (src/deps: up to symmetry). */
export function explorerEdges(def: ModelDef, merge: boolean, maxStates = 200_000): { edges: EdgeSet; complete: boolean; observation: Observation } {
  const c = compile(def, { symmetry: false, merge: false });
  if (!c.ok) throw new Error("invalid model");
  const o = observe(def.ir, c.program, { merge, maxStates });
  return { edges: new Set(o.deps.map((d) => `${d.thread}|${d.pc}|${d.held.lock}/${d.held.mode}`)), complete: o.complete, observation: o };
}

/**
 * The whole observation of src/deps (every dependency with the locks held
 * alongside, the nodes reached, finished threads, awaits found false, contended
 * locks) explored up to symmetry, as src/deps does for a model with threads(n, ...)
 * groups (`sym`, explorerEdges' with one step per operation), against every state
 * explored: undefined when they agree or the model has no group to permute, else
 * what differs.
 */
export function symmetryObservationDiff(def: ModelDef, sym: Observation, maxStates = 200_000): string | undefined {
  const c = compile(def, { symmetry: false, merge: false });
  if (!c.ok || symmetry(def.ir, c.program).groups.length === 0) return undefined;
  const all = observe(def.ir, c.program, { merge: false, maxStates, symmetry: false });
  if (sym.merged || !sym.upToSymmetry || all.upToSymmetry) return "the observation compared is not the one with one step per operation up to symmetry";
  if (!all.complete) return undefined;
  if (!sym.complete) return `up to symmetry: gave up after ${sym.states} states, where every state is ${all.states}`;
  const text = (o: Observation) => ({
    deps: o.deps.map((d) => `${d.thread}|${d.pc}|${d.held.lock}/${d.held.mode}|${[...d.alongside].sort().join(",")}`).sort(),
    reached: [...o.reached].sort(),
    finished: [...o.finished].sort(),
    blockedAwaits: [...o.blockedAwaits].sort(),
    contended: [...o.contended].sort(),
  });
  const a = text(sym);
  const b = text(all);
  for (const k of Object.keys(a) as (keyof typeof a)[]) {
    const only = (x: string[], y: string[]) => {
      const ys = new Set(y);
      return x.filter((v) => !ys.has(v));
    };
    const more = only(a[k], b[k]);
    const fewer = only(b[k], a[k]);
    if (more.length > 0 || fewer.length > 0) return `${k} up to symmetry: ${more.length > 0 ? `extra ${more.slice(0, 3).join(" ")}` : ""}${fewer.length > 0 ? ` missing ${fewer.slice(0, 3).join(" ")}` : ""}`;
  }
  return undefined;
}

/** TLC's edges on the unmerged spec, or a string saying why there are none. */
export async function tlcEdges(def: ModelDef, toolchain: Toolchain): Promise<EdgeSet | string> {
  const c = compile(def, { symmetry: false, merge: false });
  if (!c.ok) return "invalid model";
  const { spec, program } = c;
  const names = spec.names;
  const q = (s: string) => `"${s}"`; // as the spec writes them (src/gen/view.ts str)
  // Printed as indexes into these tuples: names may hold any character.
  const acquires: { text: string; thread: string; pc: string }[] = [];
  for (const tp of program.threads) {
    for (const n of tp.nodes) if (n.op.kind === "acquire") acquires.push({ text: `<<${q(names.threads.get(tp.thread) as string)}, ${q(n.pc)}>>`, thread: tp.thread, pc: n.pc });
  }
  const held = def.ir.locks.flatMap((l) => (l.kind === "rwsem" ? ["read", "write"] : ["excl"]).map((m) => ({ text: `<<${q(names.locks.get(l.id) as string)}, ${q(m)}>>`, key: `${l.id}/${m}` })));
  if (acquires.length === 0 || held.length === 0) return new Set();
  // No acquire can happen while a lock is held (static may-hold): nothing for TLC to find.
  const mayHold = program.threads.some((tp) => {
    const may = heldCounts(tp, "may");
    return tp.nodes.some((n) => n.op.kind === "acquire" && [...(may.get(n.pc) ?? new Map<string, number>()).values()].some((k) => k > 0));
  });
  if (!mayHold) return new Set();
  const extra = [
    `DepAcq == <<${acquires.map((a) => a.text).join(", ")}>>`,
    `DepHeld == <<${held.map((h) => h.text).join(", ")}>>`,
    `DepLog == \\A depI \\in 1..Len(DepAcq) : pc[DepAcq[depI][1]] = DepAcq[depI][2] => \\A depJ \\in 1..Len(DepHeld) : HoldsAs(DepAcq[depI][1], DepHeld[depJ][1], DepHeld[depJ][2]) => PrintT(<<"dep", depI, depJ>>)`,
  ].join("\n");
  const lines = spec.tla.trimEnd().split("\n");
  const end = lines.pop() as string;
  const tla = `${lines.join("\n")}\n${extra}\n${end}\n`;
  // Only DepLog: no finding may stop the search before every state is seen.
  const cfg = `${spec.cfg.split("\n").filter((l) => !/^(INVARIANT|PROPERTY|SPECIFICATION)\b/.test(l)).join("\n")}\nINIT Init\nNEXT Next\nINVARIANT DepLog\n`.replace(/^(INIT Init\nNEXT Next\n)([\s\S]*)\1/m, "$1$2");
  const run = await runTlc({ spec: tla, cfg: dedupe(cfg), module: spec.module, toolchain, timeoutMs: 120_000, jvmArgs: ["-XX:TieredStopAtLevel=1"] });
  if (run.outcome !== "ok") return `tlc: ${run.outcome}${"message" in run ? `: ${run.message}` : ""}`;
  const out = new Set<string>();
  for (const m of run.output.matchAll(/<<"dep", (\d+), (\d+)>>/g)) {
    const a = acquires[Number(m[1]) - 1];
    const h = held[Number(m[2]) - 1];
    if (a && h) out.add(`${a.thread}|${a.pc}|${h.key}`);
  }
  return out;
}

/** One INIT and one NEXT line, whatever the cfg had. */
function dedupe(cfg: string): string {
  const seen = new Set<string>();
  return cfg
    .split("\n")
    .filter((l) => {
      if (!/^(INIT|NEXT)\b/.test(l)) return true;
      if (seen.has(l)) return false;
      seen.add(l);
      return true;
    })
    .join("\n");
}

export function diffEdges(a: EdgeSet, b: EdgeSet): string | undefined {
  const onlyA = [...a].filter((x) => !b.has(x));
  const onlyB = [...b].filter((x) => !a.has(x));
  if (onlyA.length === 0 && onlyB.length === 0) return undefined;
  return `only in the first: ${JSON.stringify(onlyA.slice(0, 5))}; only in the second: ${JSON.stringify(onlyB.slice(0, 5))}`;
}
