// Lockdep's view of the dependency table (Documentation/locking/lockdep-design.rst,
// "Recursive read locks"): locks are nodes, each dependency an edge labelled by
// how the first lock is held (E exclusive, S shared) and how the second is taken
// (N non-recursive, R recursive read). A cycle is a potential deadlock unless it
// has an edge taken -(xR)-> followed by one held -(Sx)->: a recursive reader
// never waits for a reader. Linux's down_read is a non-recursive read (a queued
// writer blocks it: SEMANTICS "rwsem"); it is recursive under "reader-preferring",
// and under "recursive-read" when the thread already reads the same lock.

import type { Program } from "../ir/program.js";
import type { LockMode, Model } from "../ir/types.js";
import { lockRef } from "../ir/spell.js";
import type { Observation } from "./observe.js";
import { type DepEdge, type DepTable, lockEndText } from "./table.js";

export interface PotentialCycle {
  /** The edges in cycle order: each edge's `to` lock is the next edge's `from` lock. */
  readonly edges: readonly DepEdge[];
  /** `A_mutex -> app.mmap_lock (read), app.mmap_lock (read) -> A_mutex`. */
  readonly text: string;
  /** Some reachable deadlocked state has a stuck thread for every edge (holding its first lock, waiting for its second). */
  readonly realised: boolean;
  /** For a cycle that is not realised: what this model lacks that would realise it. */
  readonly needs: readonly string[];
}

const MAX_CYCLES = 32;

type Held = "E" | "S";
type Taken = "N" | "R";

function heldType(m: LockMode): Held {
  return m === "read" ? "S" : "E";
}

function takenType(model: Model, e: DepEdge): Taken {
  if (e.to.mode !== "read") return "N";
  const policy = model.locks.find((l) => l.id === e.to.lockId)?.policy ?? "fair";
  if (policy === "reader-preferring") return "R";
  if (policy === "recursive-read" && e.from.lockId === e.to.lockId && e.from.mode === "read") return "R";
  return "N";
}

/** Every potential deadlock cycle of the table (at most MAX_CYCLES), self-loops first. */
export function potentialCycles(model: Model, program: Program, table: DepTable, obs: Observation): PotentialCycle[] {
  const locks = [...new Set(table.edges.flatMap((e) => [e.from.lockId, e.to.lockId]))];
  const index = new Map(locks.map((l, i) => [l, i]));
  const out: DepEdge[][] = [];
  // Simple cycles of locks, each found once from its smallest lock; every choice of
  // edge (mode pair) between consecutive locks is its own lockdep path.
  const dfs = (start: number, at: number, path: DepEdge[], onPath: Set<number>) => {
    if (out.length >= MAX_CYCLES) return;
    for (const e of table.edges) {
      if (index.get(e.from.lockId) !== at) continue;
      const to = index.get(e.to.lockId) as number;
      if (to === start) {
        const cyc = [...path, e];
        if (strong(model, cyc)) out.push(cyc);
      } else if (to > start && !onPath.has(to)) {
        onPath.add(to);
        dfs(start, to, [...path, e], onPath);
        onPath.delete(to);
      }
    }
  };
  for (let i = 0; i < locks.length; i++) dfs(i, i, [], new Set([i]));
  out.sort((a, b) => a.length - b.length);
  return out.map((edges) => {
    const realised = obs.deadlocks.some((stuck) => edges.every((e) => stuck.some((s) => s.holds.includes(`${e.from.lockId}/${e.from.mode}`) && s.waits === `${e.to.lockId}/${e.to.mode}`)));
    return { edges, text: edges.map((e) => `${lockEndText(e.from)} -> ${lockEndText(e.to)}`).join(", "), realised, needs: realised ? [] : needs(model, program, edges) };
  });
}

/** No -(xR)-> edge followed by an -(Sx)-> edge, around the whole cycle. */
function strong(model: Model, cyc: readonly DepEdge[]): boolean {
  for (let i = 0; i < cyc.length; i++) {
    const a = cyc[i] as DepEdge;
    const b = cyc[(i + 1) % cyc.length] as DepEdge;
    if (takenType(model, a) === "R" && heldType(b.from.mode) === "S") return false;
  }
  return true;
}

/** What would realise a cycle this model's threads do not: the missing writer, thread or order. */
function needs(model: Model, program: Program, edges: readonly DepEdge[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as DepEdge;
    const prev = edges[(i - 1 + edges.length) % edges.length] as DepEdge;
    // A read waits only for a writer: the lock's holder in the cycle reads it too, so
    // only a writer holding or queued on it can make the read wait.
    if (e.to.mode !== "read" || prev.from.lockId !== e.to.lockId || prev.from.mode !== "read") continue;
    const writers = program.threads.filter((tp) => tp.nodes.some((n) => n.op.kind === "acquire" && n.op.lock === e.to.lockId && n.op.mode === "write"));
    const name = lockRef(model, e.to.lockId);
    const mmap = model.processes.some((p) => p.mmapLock === e.to.lockId);
    const who = mmap ? "a thread calling mmap() (or munmap(), mprotect(): down_write)" : `a thread taking ${name} for write`;
    if (writers.length === 0) out.push(`no thread queues a writer on ${name}: ${who} would`);
    else out.push(`a writer on ${name} (${writers.map((tp) => model.threads.find((t) => t.id === tp.thread)?.name).join(", ")}) never queues while the read is held: ${who} at that moment would`);
  }
  // Distinct threads for the edges (one thread can close a self-loop alone).
  const threads = edges.map((e) => new Set(e.sites.map((s) => s.threadId)));
  if (edges.length > 1 && !distinctChoice(threads)) {
    const only = [...new Set(edges.flatMap((e) => e.sites.map((s) => s.thread)))];
    out.push(`the edges are taken only by ${only.join(", ")}: a second thread running the same code would`);
  }
  // A lock held at every site of every edge serialises them (lockdep's gate lock).
  const gates = edges
    .flatMap((e) => e.sites.map((s) => new Set(s.alongsideKeys)))
    .reduce<Set<string> | undefined>((acc, s) => (acc === undefined ? s : new Set([...acc].filter((k) => s.has(k)))), undefined);
  const gate = [...(gates ?? [])].filter((k) => !k.endsWith("/read"));
  if (gate.length > 0) out.push(`every edge is taken under ${gate.map((k) => lockRef(model, k.slice(0, k.lastIndexOf("/")))).join(", ")}, which keeps them apart: lockdep would still report it`);
  if (out.length === 0) out.push("this model's threads never stand at these acquires together (their shared state keeps them apart)");
  return out;
}

/** Can each set give a different element (a system of distinct representatives)? Small sets: brute force. */
function distinctChoice(sets: readonly Set<string>[], used: Set<string> = new Set(), i = 0): boolean {
  if (i === sets.length) return true;
  for (const x of sets[i] ?? []) {
    if (used.has(x)) continue;
    used.add(x);
    if (distinctChoice(sets, used, i + 1)) return true;
    used.delete(x);
  }
  return false;
}
