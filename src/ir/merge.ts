// Step merging: which nodes of the lowered program (program.ts) are *absorbed*,
// i.e. executed inside the step of the node that jumps to them, so that no state
// ever has a thread's pc at them. The generator composes an absorbed node's effect
// into its predecessor's TLA+ action; the reference explorer (src/explore) runs it
// right after the predecessor; trace translation rebuilds the path taken.
//
// Why this keeps every verdict (SEMANTICS "Blocking, deadlock and the other
// findings"). Merged behaviours are unmerged behaviours with some intermediate
// states left out, so every merged state is an unmerged state and a merged finding
// is a real one. Conversely, an absorbed node is (1) always enabled, (2) not a
// point where a finding is checked, and (3) commutes with (is a Lipton left mover
// past) every step of the other threads, so any unmerged execution can be
// reordered to run it right after its predecessor, and a state where a thread
// stands at an absorbed node can be completed to one where it does not with the
// finding still there. The rules:
// - `choose`, `access` (every fault outcome; not on a tracked region, whose
//   residency other threads write) and a `branch` whose condition is a constant:
//   thread-local decisions. Nobody else reads a thread's pc except
//   `done(t)`/`at(t, label)`, so a thread whose position an expression reads
//   absorbs nothing (else an invariant such as `done(t) || x = 0` could be
//   violated only in the states merging leaves out), with one exception: an
//   invariant or an assertion (a predicate checked on states) that reads the
//   position only negatively (under an odd number of `not`s, through `and`/`or`
//   alone: `done(t) => x = 0`). A left-out state differs from the state where the
//   thread's merged step ends only in that thread's pc and what absorbed nodes
//   write, none of which such a predicate reads (locals and `held` locks keep
//   the rules here) but its position atoms, which are all false at an absorbed
//   node (not done, no label there). A predicate antimonotone in those atoms is
//   then at least as false where the step ends: no violation is left out. Branch
//   and await conditions that read a position still stop the thread absorbing.
// - `release` (Lipton: releases move left) only when (a) the thread must hold the
//   lock there on every path (forward must-hold dataflow: an absorbed release is
//   never a bad-unlock and always enabled), (b) no expression reads that lock
//   (`held(...)`), and (c) no thread trylocks it: a trylock can observe the lock
//   held between the acquire and the release and fail, which the merged step
//   hides. Blocking: while a thread stands before a release it is not blocked, so
//   the threads waiting for that lock have a blocker outside every stuck set; the
//   release therefore never un-sticks a stuck set.
// - A release that frees a rwsem grants it to the queue head at once (SEMANTICS
//   "rwsem"), and each woken thread runs, in the releasing step, the absorbed
//   nodes after its acquire: the very operations its own acquire step would run
//   with them. They are left movers by the rules above, so running them at once
//   rather than later only leaves out states where they are still pending; a woken
//   thread's releases grant in turn (templates/locks-rwsem.hbs Grant, the
//   explorer's grant()).
// - `acquire` of an *invisible* lock: a mutex or spinlock that no state ever shows
//   held. It is one that no expression reads and no thread trylocks, that no
//   thread may hold at a kept pc or when it finishes, and whose critical sections
//   neither block (no acquire, no await inside: so AB-BA stays visible) nor release
//   a rwsem that wakes waiters (a woken thread's step might take the lock then).
//   Its holder therefore always runs on to the release, and a waiter for it is
//   never in a stuck set; every unmerged execution can finish the critical sections
//   in progress, so merged states miss no finding (Lipton: the acquire moves right,
//   and nothing after it blocks). The acquire is absorbed only where the thread
//   holds no spinlock (a mutex_lock there is a sleep-in-atomic finding) and does
//   not hold the lock itself. "Kept" depends on the plan: planMerge drops a lock
//   from the invisible ones while a plan still keeps a pc that holds it.
// - `local`: assigning a local (SEMANTICS "Objects": no other thread can observe
//   it); lowering folds a local's value into the pc, so a branch on locals is a
//   constant branch. A cycle of absorbed nodes would be a step that never ends:
//   breakCycles keeps one node of each (the loop head). Under checkTermination()
//   keepTwoPerCycle keeps a second: a round through one kept pc can be a stutter
//   step, which weak fairness ignores (the livelock would vanish).
// - Accesses to a *guarded* shared variable (SEMANTICS "Control flow": "accesses
//   to a variable that every accessor touches only while holding one same lock"):
//   a `set` of it, a `branch` on it, the residency test of an access to a tracked
//   region (its variable). A variable v is guarded when no invariant reads it, no
//   `set` gives it a computed value (its domain check reads it in every state),
//   and either one thread alone touches it, or there is one lock L that every node
//   reading or writing v holds on every path to it (the forward must-hold dataflow,
//   as for releases), in write mode (mutex, spinlock, rwsem for write) wherever it
//   writes v. Such a node is a both-mover (Lipton): no other thread can touch v
//   between the moment the accessor's section starts and ends (another accessor
//   would need L, held by this thread: for read by readers that only read v, which
//   commute with reads), so it commutes with every step of every other thread; it
//   is always enabled, checks no finding, and no invariant sees v, so the
//   skipped states differ from kept ones only in values nobody but L's holders
//   reads and in the pc. The path it lies on is then *guarded*: the generator
//   writes its branch conditions as conjuncts and composes its assignments into
//   one primed value per variable, the explorer simply runs it, and a woken
//   thread's continuation (Grant) carries the variables its absorbed nodes touch
//   in the world (templates/locks-rwsem.hbs Continue). On a thread's absorbed
//   entry only the reads: no absorbed entry writes a variable, so they read
//   initial values, and Init starts each thread where the paths whose guards
//   hold on them end (entryPaths); a `set` there is kept.
// - Never absorbed: other acquires, trylock (they block or observe locks), await,
//   other sets and branches on shared state, assert (an assert is checked where it
//   stands), a node a label points at, and, below, a node whose continuation
//   would inline too many paths (more than MAX_PATHS): it is kept instead.
// - An absorbed entry node is run by Init: a thread may start at several pcs.
// - An acquire that takes its lock at once runs on, in the same step, through the
//   first kept node after it when that node is one shared access (`oneAccess`: a
//   `set`, a branch on variables, a tracked region's residency test), reached
//   through thread-local nodes only, and then through that node's absorbed ones:
//   Lipton's R N L*, the acquire being the right mover R. Every step another
//   thread takes between the acquire and the access either commutes with the
//   acquire or is a rwsem enqueue (a contended down_read/down_write, the only steps
//   the hold turns into something else; a trylock or a `held` read of the lock,
//   which would see it, rules the rule out); an enqueue touches no variable, so it
//   commutes with the access and moves after it, and the remaining steps, none of
//   which can free, grant or queue for the lock while it is held and the queue
//   stays empty, commute with the acquire, which moves right up to the access. The
//   left-out state (lock held, pc at the access) has the variables of the state
//   before the acquire, which checks the same invariants (no `held` read of the
//   lock, no positive read of the thread's position) and where the acquire's own
//   findings (sleep-in-atomic, lock-order) are checked; the thread is not blocked
//   in it, so it is in no stuck set and every stuck set there is one before the
//   acquire too. The access node stays kept: a thread a release grants the lock to
//   (a queued rwsem waiter) stops at it, as before, and so does any other way in.
// - The run goes on past that access (Lipton's R* N L* in general): along every
//   way from the acquire it runs through kept accesses (`moves`) that read only
//   *protected* variables (the guarded condition without the invariant and domain
//   conditions: one lock every accessor holds there, in write mode where it writes,
//   or one thread alone) or are guarded nodes, before and after at most one other
//   kept access, its N; no lock operation comes before the last node it runs
//   through (the releases after it are the L*), and no way comes back to a node it
//   ran. A read of a protected variable is a both-mover (no other thread writes the
//   variable while this one holds the lock) that changes nothing but the pc, which
//   no check reads positively; so a left-out state before the N has the variables
//   of the state before the acquire (the R part moves right out, as above), and one
//   after it the variables of the state where the step ends (the reads and releases
//   after it are left movers that change nothing a check reads: no `held` read of
//   the lock), and, the thread being enabled there, it is in no stuck set and every
//   stuck set there is one of those states too. The set of nodes run through is
//   per acquire, so throughOk checks every way through it (at most one N each, no
//   cycle, MAX_PATHS); else the acquire runs through its first kept access alone.
// - A fault-in (`faultsIn`: get_user_pages on a tracked region with no fault
//   procedure: a residency test whose absent way goes straight to `present = TRUE`,
//   which goes on where the present way goes) counts as one access: the set after
//   the test is run through as if it moved. Together they write present = TRUE
//   whatever the page was, so an unmerged run that tests, lets other threads move,
//   then installs ends in the states of the merged run that takes the whole step at
//   the install: if someone made the page present meanwhile, the merged step takes
//   the present way and leaves it as the install would; other threads' steps in
//   between see the page absent either way. The left-out state (at the install) has
//   the variables of the state before the acquire, as above.
// - Several writes in one step: a way may run through more than one kept access
//   that is not a mover when each writes a literal to a protected variable
//   (`severalN`). Protected here also admits a write under a read hold when any two
//   accesses by different threads, one a write, cannot hold the lock together (one
//   holds it for write: `pairwise`). Every node of such a run is then a both-mover,
//   so a left-out state inside it is both the state before the acquire with the
//   first k writes done (the run moves right out of it) and one that completes to
//   the state where the step ends (it moves left): a finding there is one of a kept
//   state unless a check reads the written variables. invariantsBetween enumerates
//   the values an invariant reads and rules out one false after some of the writes
//   yet true before and after all of them; an assertion that reads such a variable
//   is an access of it, under the lock, so no thread stands at it meanwhile; the
//   values are literals, so no domain check fails in between.
// - Under checkTermination() every hold of a lock is a state: no lock is invisible,
//   and a release that an acquire's (or a trylock's) own step would reach is kept
//   (holdsShown). Lipton reduction keeps safety, but weak fairness reads which
//   actions are enabled in every state: a critical section run in one step leaves
//   no state where a waiter for its lock is disabled, so fairness would force the
//   waiter through where the unmerged spec lets it starve (a livelock vanished:
//   regression termination-lock-starvation). With one state of each hold, a
//   waiter is enabled only now and then in both, and the other rules leave out
//   states where only variables read by the lock's holders and the pc differ.

import { DONE, type Node, type Program, type ThreadProgram, heldCounts, lockKey, nodeIndex, opExprs, successors } from "./program.js";
import { forbiddenWhileHeld } from "./order.js";
import type { Expr, LockMode, Model, Value } from "./types.js";
import { compareValues, mapExpr, queues, subexprs, unreachable } from "./types.js";

/** Paths one action may inline through absorbed nodes before the node that causes it is kept. */
const MAX_PATHS = 32;

/** The absorbed nodes of every thread: thread id -> pcs. Empty sets when merging is off. */
export interface MergePlan {
  readonly absorbed: ReadonlyMap<string, ReadonlySet<string>>;
  /** The guarded shared variables (see the header) whose accesses some absorbed node makes. */
  readonly guarded?: ReadonlySet<string>;
  /**
   * Acquires whose step, when it takes the lock at once, runs on through the kept
   * node it reaches (one shared access) and that node's absorbed ones: thread id ->
   * acquire pc -> those kept pcs (see the header). Absent: none.
   */
  readonly through?: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
}

/** One way through absorbed nodes: the nodes run, the successor each took, and where it stops. */
export interface Path {
  /** Absorbed nodes in the order run, each with the pc it went to. */
  readonly steps: readonly { readonly node: Node; readonly to: string }[];
  /** The first kept pc (or DONE) the path reaches. */
  readonly end: string;
}

export function noMerge(program: Program): MergePlan {
  return { absorbed: new Map(program.threads.map((tp) => [tp.thread, new Set<string>()])) };
}

export function isAbsorbed(plan: MergePlan, thread: string, pc: string): boolean {
  return plan.absorbed.get(thread)?.has(pc) ?? false;
}

/** Does the step of the acquire at `acquirePc`, having taken the lock at once and reached kept pc `end`, run on through it? */
export function runsThrough(plan: MergePlan, thread: string, acquirePc: string, end: string): boolean {
  return plan.through?.get(thread)?.get(acquirePc)?.has(end) ?? false;
}

/** Decides the absorbed nodes of every thread (rules in the header). */
export function planMerge(model: Model, program: Program): MergePlan {
  const positionRead = new Set<string>();
  const heldRead = new Set<string>();
  const reads = (e: Expr): void => {
    for (const x of subexprs(e)) {
      if (x.kind === "held") heldRead.add(x.lock);
      else if (x.kind === "done" || x.kind === "at") positionRead.add(x.thread);
      // A thread's locals live in its pc: an invariant reading one reads its position.
      else if (x.kind === "local" && x.thread !== undefined) positionRead.add(x.thread);
    }
  };
  // A predicate checked on states (an invariant, an assertion) may read a position
  // where it occurs negatively: see the header.
  const checks = (e: Expr, positive: boolean): void => {
    if (e.kind === "done" || e.kind === "at") {
      if (positive) positionRead.add(e.thread);
    } else if (e.kind === "not") checks(e.arg, !positive);
    else if (e.kind === "and" || e.kind === "or") for (const a of e.args) checks(a, positive);
    else reads(e);
  };
  for (const inv of model.invariants) checks(inv.cond, true);
  for (const tp of program.threads) {
    for (const n of tp.nodes) {
      if (n.op.kind === "assert") checks(n.op.cond, true);
      else for (const e of opExprs(n.op)) reads(e);
    }
  }
  const trylocked = new Set(program.threads.flatMap((tp) => tp.nodes.flatMap((n) => (n.op.kind === "trylock" ? [n.op.lock] : []))));
  const may = new Map(program.threads.map((tp) => [tp.thread, heldCounts(tp, "may")]));
  const must = new Map(program.threads.map((tp) => [tp.thread, heldCounts(tp, "must")]));
  const kindOf = new Map(model.locks.map((l) => [l.id, l]));
  // The locks a thread may hold on arrival at pc (any mode).
  const heldAt = (thread: string, pc: string): string[] =>
    [...(may.get(thread)?.get(pc) ?? [])].filter(([, n]) => n > 0).map(([k]) => k.slice(0, k.lastIndexOf("/")));
  const holding = (thread: string, pc: string, pred: (lock: string) => boolean): boolean => heldAt(thread, pc).some(pred);

  const guards = guardedVars(model, program, must);
  const guarded = guards.guarded;
  /** A set of, branch on, or residency test of guarded variables only (see the header). */
  const onGuarded = (n: Node): boolean => {
    const op = n.op;
    if (op.kind === "set") return guarded.has(op.variable) && readsOnly(op.value, guarded);
    if (op.kind === "branch") return !isConstant(op.cond) && readsOnly(op.cond, guarded);
    const tracked = residencyTest(op);
    return tracked !== undefined && guarded.has(tracked);
  };

  // Invisible locks: mutexes and spinlocks no state ever shows held (see the header);
  // none under checkTermination(), where every hold is a state.
  const invisible = new Set(
    model.termination ? [] : model.locks.filter((l) => l.kind !== "rwsem" && !heldRead.has(l.id) && !trylocked.has(l.id)).map((l) => l.id),
  );
  // A lock some declared order puts before another is checked where it is acquired
  // (SEMANTICS "lock-order"): that acquire must be a state, so it is never absorbed.
  for (const l of forbiddenWhileHeld(model).keys()) invisible.delete(l);
  for (const tp of program.threads) {
    for (const n of tp.nodes) {
      const op = n.op;
      const blocksOrWakes = op.kind === "acquire" || op.kind === "await" || (op.kind === "release" && queues(kindOf.get(op.lock)));
      if (blocksOrWakes) for (const l of heldAt(tp.thread, n.pc)) invisible.delete(l);
    }
  }
  for (;;) {
    const absorbed = absorb(invisible);
    const shown = new Set<string>();
    for (const tp of program.threads) {
      const set = absorbed.get(tp.thread) as ReadonlySet<string>;
      for (const pc of [...tp.nodes.map((n) => n.pc).filter((pc) => !set.has(pc)), DONE]) for (const l of heldAt(tp.thread, pc)) shown.add(l);
    }
    const seen = [...invisible].filter((l) => shown.has(l));
    if (seen.length === 0) return model.termination ? holdsShown(absorbed) : finish(absorbed);
    for (const l of seen) invisible.delete(l);
  }

  function finish(absorbed: ReadonlyMap<string, ReadonlySet<string>>): MergePlan {
    const used = new Set<string>();
    for (const tp of program.threads) {
      const set = absorbed.get(tp.thread) as ReadonlySet<string>;
      for (const n of tp.nodes) if (set.has(n.pc) && onGuarded(n)) for (const v of varsTouched(n)) used.add(v);
    }
    const through = throughAcquires({ absorbed });
    return used.size > 0 ? { absorbed, guarded: used, through } : { absorbed, through };
  }

  // Under checkTermination() every hold of a lock is a state (see the header): a
  // release that an acquire's own step would reach is kept, until none is.
  function holdsShown(first: ReadonlyMap<string, ReadonlySet<string>>): MergePlan {
    const absorbed = new Map([...first].map(([t, set]) => [t, new Set(set)]));
    for (;;) {
      const plan = finish(absorbed);
      let kept = false;
      for (const tp of program.threads) {
        const set = absorbed.get(tp.thread) as Set<string>;
        for (const n of tp.nodes) {
          const op = n.op;
          if (set.has(n.pc) || (op.kind !== "acquire" && op.kind !== "trylock")) continue;
          const ways = op.kind === "acquire" ? throughPaths(plan, tp, op.next, plan.through?.get(tp.thread)?.get(n.pc)) : paths(plan, tp, op.ok);
          for (const p of ways) {
            for (const { node } of p.steps) {
              if (node.op.kind === "release" && node.op.lock === op.lock && set.delete(node.pc)) kept = true;
            }
          }
        }
      }
      if (!kept) return plan;
    }
  }

  // Acquires whose step runs on through kept accesses (the header's last rule):
  // Lipton's R* N L*. Along every way from the acquire, kept accesses that are
  // both-movers invisible to every check (`moves`: a read of protected variables)
  // are run through freely, and at most one other access (N); the run stops at
  // the first node it may not run through. No lock operation lies before the last
  // node run through (the releases after it are the left movers L*).
  function throughAcquires(plan: MergePlan): Map<string, Map<string, Set<string>>> {
    const out = new Map<string, Map<string, Set<string>>>();
    for (const tp of program.threads) {
      const mine = new Map<string, Set<string>>();
      out.set(tp.thread, mine);
      if (positionRead.has(tp.thread)) continue;
      const labelled = new Set([...tp.labels.values()].flat());
      const byPc = nodeIndex(tp);
      for (const n of tp.nodes) {
        const op = n.op;
        if ((plan.absorbed.get(tp.thread) as ReadonlySet<string>).has(n.pc) || op.kind !== "acquire" || heldRead.has(op.lock) || trylocked.has(op.lock)) continue;
        const runs = new Set<string>();
        const go = (from: string, ns: readonly Node[], seen: ReadonlySet<string>, prev: Node | undefined): void => {
          for (const p of paths(plan, tp, from)) {
            const k = p.end;
            if (k === DONE || labelled.has(k) || seen.has(k) || pathAcquires(p).length > 0 || pathReleases(p).length > 0) continue;
            const node = byPc.get(k);
            if (!oneAccess(node)) continue;
            const mover = moves(node as Node) || (p.steps.length === 0 && prev !== undefined && faultsIn(prev, node as Node));
            if (!mover && !severalN([...ns, node as Node])) continue;
            runs.add(k);
            for (const x of new Set(successors((node as Node).op))) go(x, mover ? ns : [...ns, node as Node], new Set([...seen, k]), node);
          }
        };
        go(op.next, [], new Set(), undefined);
        // The set is per acquire: every way through it must still run at most one N,
        // no cycle and no lock operation before a node run through; else the first
        // kept access alone (R N L*), as long as the way to it is thread-local.
        const ok = (set: ReadonlySet<string>): boolean => throughOk(plan, tp, op.next, set, (x, prev, direct) => moves(x) || (direct && prev !== undefined && faultsIn(prev, x)), severalN);
        if (runs.size > 0 && ok(runs)) mine.set(n.pc, runs);
        else {
          const ways = paths(plan, tp, op.next);
          if (ways.some((p) => pathAcquires(p).length > 0 || pathReleases(p).length > 0)) continue;
          const ends = new Set(ways.map((p) => p.end).filter((pc) => pc !== DONE && !labelled.has(pc) && oneAccess(byPc.get(pc))));
          if (ends.size > 0 && ok(ends)) mine.set(n.pc, ends);
        }
      }
    }
    return out;
  }

  /**
   * A kept access an acquire's step may run through besides its one N: it reads
   * only protected variables (every accessor holds one same lock there, in write
   * mode where it writes: a both-mover, see the header) and writes nothing, or it
   * is a guarded node (a both-mover no check reads).
   */
  function moves(n: Node): boolean {
    const op = n.op;
    if (onGuarded(n)) return true;
    if (op.kind === "branch") return !isConstant(op.cond) && readsOnly(op.cond, guards.protectedVars);
    const tracked = residencyTest(op);
    return tracked !== undefined && guards.protectedVars.has(tracked);
  }
  /**
   * May one step run all of `ns`, the kept accesses on one way that are not movers?
   * One always (the N); several only when each is a write of a literal to a
   * protected variable (a both-mover) and no invariant can be false after some of
   * them and true both before and after all of them (invariantsBetween).
   */
  function severalN(ns: readonly Node[]): boolean {
    if (ns.length <= 1) return true;
    const writes: { variable: string; value: Value }[] = [];
    for (const n of ns) {
      const op = n.op;
      if (op.kind !== "set" || op.byLocal !== undefined || op.value.kind !== "lit" || !guards.protectedVars.has(op.variable)) return false;
      writes.push({ variable: op.variable, value: op.value.value });
    }
    return invariantsBetween(model, writes, (ns[0] as Node).thread);
  }


  function absorb(quiet: ReadonlySet<string>): Map<string, ReadonlySet<string>> {
    const absorbed = new Map<string, ReadonlySet<string>>();
    for (const tp of program.threads) {
      const set = new Set<string>();
      if (!positionRead.has(tp.thread)) {
        const labelled = new Set([...tp.labels.values()].flat());
        const held = must.get(tp.thread);
        for (const n of tp.nodes) {
          if (labelled.has(n.pc)) continue;
          const op = n.op;
          const ok =
            onGuarded(n) ||
            op.kind === "choose" ||
            // An access to a tracked region reads its residency, which reclaim writes.
            (op.kind === "access" && residencyTest(op) === undefined) ||
            op.kind === "local" ||
            (op.kind === "branch" && isConstant(op.cond)) ||
            (op.kind === "release" && (held?.get(n.pc)?.get(lockKey(op.lock, op.mode)) ?? 0) > 0 && !heldRead.has(op.lock) && !trylocked.has(op.lock)) ||
            (op.kind === "acquire" &&
              quiet.has(op.lock) &&
              !holding(tp.thread, n.pc, (l) => l === op.lock) &&
              !(kindOf.get(op.lock)?.kind === "mutex" && holding(tp.thread, n.pc, (l) => kindOf.get(l)?.kind === "spinlock")));
          if (ok) set.add(n.pc);
        }
        keepGuardedAtEntry(tp, set);
        breakCycles(tp, set);
        if (model.termination) keepTwoPerCycle(tp, set);
        capPaths(tp, set);
      }
      absorbed.set(tp.thread, set);
    }
    return absorbed;
  }
}

/** The tracked region's residency variable an access tests (it faults only when absent), if any. */
export function residencyTest(op: Node["op"]): string | undefined {
  return op.kind === "access" && op.fault.kind !== "none" ? op.fault.resident : undefined;
}

/** True when an access's residency test decides its way (a fault goes elsewhere than no fault). */
export function residencyDecides(op: Extract<Node["op"], { kind: "access" }>): boolean {
  return residencyTest(op) !== undefined && op.fault.kind !== "none" && op.next !== op.fault.target;
}

/** The shared variables a node reads or writes (a tracked access: its residency). */
export function varsTouched(n: Node): string[] {
  const op = n.op;
  const out = opExprs(op).flatMap((e) => [...subexprs(e)].flatMap((x) => (x.kind === "var" ? [x.variable] : [])));
  if (op.kind === "set") out.push(op.variable);
  const tracked = residencyTest(op);
  if (tracked !== undefined) out.push(tracked);
  return out;
}

/** True when `e` reads shared variables in `vars` only, and no lock, position or local. */
function readsOnly(e: Expr, vars: ReadonlySet<string>): boolean {
  for (const x of subexprs(e)) {
    if (x.kind === "var" && !vars.has(x.variable)) return false;
    if (x.kind === "local" || x.kind === "held" || x.kind === "done" || x.kind === "at" || x.kind === "fault-flag") return false;
  }
  return true;
}

/**
 * The guarded shared variables (see the header): read by no invariant, never given a
 * computed value, and touched by one thread only or under one lock that every
 * accessor must hold there, in write mode where it writes.
 */
function guardedVars(
  model: Model,
  program: Program,
  must: ReadonlyMap<string, Map<string, Map<string, number>>>,
): { readonly guarded: Set<string>; readonly protectedVars: Set<string> } {
  const seenByInvariant = new Set(model.invariants.flatMap((i) => [...subexprs(i.cond)].flatMap((x) => (x.kind === "var" ? [x.variable] : []))));
  const lockIds = new Set(model.locks.map((l) => l.id));
  /** Locks held on every path to `pc` (in write mode, for a write). */
  const heldThere = (thread: string, pc: string, write: boolean): string[] =>
    [...(must.get(thread)?.get(pc) ?? [])]
      .filter(([k, c]) => c > 0 && (!write || k.endsWith("/excl") || k.endsWith("/write")))
      .map(([k]) => k.slice(0, k.lastIndexOf("/")));
  const threads = new Map<string, Set<string>>();
  /** Variable -> the locks every access so far holds. */
  const common = new Map<string, Set<string>>();
  /** Variable -> every access: its thread, whether it writes, the locks held there (any mode) and those held in write mode. */
  const accesses = new Map<string, { thread: string; write: boolean; any: Set<string>; excl: Set<string> }[]>();
  for (const tp of program.threads) {
    for (const n of tp.nodes) {
      const op = n.op;
      if (op.kind === "set" && op.value.kind !== "lit") seenByInvariant.add(op.variable); // its domain check reads it (protected still: reads of it move)
      for (const v of varsTouched(n)) {
        threads.set(v, (threads.get(v) ?? new Set()).add(tp.thread));
        const write = op.kind === "set" && op.variable === v;
        const held = heldThere(tp.thread, n.pc, write);
        const before = common.get(v);
        common.set(v, new Set(before === undefined ? held : held.filter((l) => before.has(l))));
        const list = accesses.get(v) ?? [];
        list.push({ thread: tp.thread, write, any: new Set(heldThere(tp.thread, n.pc, false)), excl: new Set(heldThere(tp.thread, n.pc, true)) });
        accesses.set(v, list);
      }
    }
  }
  /**
   * Protected by one lock in the weaker sense (SEMANTICS "rwsem": readers share a
   * read hold): every access holds it, and of any two by different threads where one
   * writes, one holds it in write mode. A thread may then write under a read hold
   * when no other thread touches the variable under a read hold alone.
   */
  const pairwise = (v: string): boolean => {
    const list = accesses.get(v) ?? [];
    const first = list[0];
    if (first === undefined) return false;
    const candidates = [...first.any].filter((l) => lockIds.has(l) && list.every((a) => a.any.has(l)));
    return candidates.some((l) => list.every((a) => list.every((b) => a.thread === b.thread || !(a.write || b.write) || a.excl.has(l) || b.excl.has(l))));
  };
  const guarded = new Set<string>();
  const protectedVars = new Set<string>();
  for (const v of model.vars) {
    if (!threads.has(v.id)) continue;
    if ((threads.get(v.id) as Set<string>).size === 1 || [...(common.get(v.id) as Set<string>)].some((l) => lockIds.has(l))) {
      protectedVars.add(v.id);
      if (!seenByInvariant.has(v.id)) guarded.add(v.id);
    } else if (pairwise(v.id)) protectedVars.add(v.id);
  }
  return { guarded, protectedVars };
}

/**
 * Init gives every variable its initial value, so an absorbed entry stops before a
 * guarded `set`: keeps every one its absorbed entry reaches. Guarded branches and
 * residency tests there read initial values (no absorbed entry writes a variable):
 * Init keeps the paths whose guards hold on them (entryPaths).
 */
function keepGuardedAtEntry(tp: ThreadProgram, set: Set<string>): void {
  const byPc = nodeIndex(tp);
  const seen = new Set<string>();
  const walk = (pc: string): void => {
    if (pc === DONE || !set.has(pc) || seen.has(pc)) return;
    seen.add(pc);
    const n = byPc.get(pc) as Node;
    const op = n.op;
    if (op.kind === "set") {
      set.delete(pc);
      return;
    }
    for (const x of absorbedExits(n)) walk(x);
  };
  walk(tp.entry);
}

/** The ways a thread's absorbed entry may go in Init: those whose guards hold on the initial values. */
export function entryPaths(model: Model, plan: MergePlan, tp: ThreadProgram): Path[] {
  if (tp.entry === DONE) return [{ steps: [], end: DONE }];
  const init = new Map<string, Expr>(model.vars.map((v) => [v.id, { kind: "lit", value: v.init }]));
  return paths(plan, tp, tp.entry).filter((p) => pathEffect(p).guards.every((g) => evalConstant(substVars(g, init)) === true));
}

/**
 * A node an acquire's step may run on through: one read or write of shared state
 * that is always enabled and checks nothing where it stands. A `set`, a branch on
 * variables and locals (not on lock state or positions), an access to a tracked
 * region (it reads the residency; a fault goes on to the fault path's mmap_lock,
 * a kept acquire).
 */
function oneAccess(n: Node | undefined): boolean {
  const op = n?.op;
  if (op === undefined) return false;
  if (op.kind === "set") return true;
  if (op.kind === "branch") return !isConstant(op.cond) && [...subexprs(op.cond)].every((x) => x.kind !== "held" && x.kind !== "done" && x.kind !== "at");
  return op.kind === "access" && op.fault.kind !== "none" && op.fault.resident !== undefined;
}

/** Every way from `pc` through absorbed nodes to a kept pc or DONE (one path with no steps if `pc` is kept). */
export function paths(plan: MergePlan, tp: ThreadProgram, pc: string): Path[] {
  const set = plan.absorbed.get(tp.thread) ?? new Set<string>();
  const byPc = nodeIndex(tp);
  const go = (at: string): Path[] => {
    if (at === DONE || !set.has(at)) return [{ steps: [], end: at }];
    const node = byPc.get(at) as Node;
    return absorbedExits(node).flatMap((to) => go(to).map((p) => ({ steps: [{ node, to }, ...p.steps], end: p.end })));
  };
  return go(pc);
}

/**
 * Every way from `pc` through absorbed nodes and the kept nodes in `through` (those
 * an acquire's step runs through: plan.through), to a pc outside both or DONE. A
 * way that comes back to a node in `through` stops there (throughOk rules such
 * sets out).
 */
export function throughPaths(plan: MergePlan, tp: ThreadProgram, pc: string, through: ReadonlySet<string> | undefined): Path[] {
  if (through === undefined || through.size === 0) return paths(plan, tp, pc);
  const byPc = nodeIndex(tp);
  const go = (at: string, seen: ReadonlySet<string>): Path[] =>
    paths(plan, tp, at).flatMap((p) => {
      if (!through.has(p.end) || seen.has(p.end)) return [p];
      const node = byPc.get(p.end) as Node;
      const next = new Set([...seen, p.end]);
      return [...new Set(successors(node.op))].flatMap((x) => go(x, next).map((q) => ({ steps: [...p.steps, { node, to: x }, ...q.steps], end: q.end })));
    });
  return go(pc, new Set());
}

/**
 * True when an acquire's step may run through the kept nodes `set` from `pc`: on
 * every way at most one of them is not a mover, none comes back to one run already,
 * no absorbed lock operation comes before the last one run through, and there are
 * at most MAX_PATHS ways.
 */
function throughOk(
  plan: MergePlan,
  tp: ThreadProgram,
  pc: string,
  set: ReadonlySet<string>,
  mover: (n: Node, prev: Node | undefined, direct: boolean) => boolean,
  allowed: (ns: readonly Node[]) => boolean,
): boolean {
  const byPc = nodeIndex(tp);
  let count = 0;
  const go = (at: string, ns: readonly Node[], seen: ReadonlySet<string>, prev: Node | undefined): boolean =>
    paths(plan, tp, at).every((p) => {
      if (!set.has(p.end)) return ++count <= MAX_PATHS;
      if (seen.has(p.end) || pathAcquires(p).length > 0 || pathReleases(p).length > 0) return false;
      const node = byPc.get(p.end) as Node;
      const n = !mover(node, prev, p.steps.length === 0);
      if (n && !allowed([...ns, node])) return false;
      const next = new Set([...seen, p.end]);
      return [...new Set(successors(node.op))].every((x) => go(x, n ? [...ns, node] : ns, next, node));
    });
  return go(pc, [], new Set(), undefined);
}

/**
 * A fault-in (get_user_pages on a tracked region with no fault procedure): `test`
 * tests the residency and, when the page is absent, goes straight to `set`, which
 * makes it present and goes on where the present page goes. Together they write
 * `present = TRUE` whatever it was: one access (see the header).
 */
function faultsIn(test: Node, set: Node): boolean {
  const t = test.op;
  const v = residencyTest(t);
  const o = set.op;
  return (
    v !== undefined &&
    t.kind === "access" &&
    t.fault.kind !== "none" &&
    t.fault.target === set.pc &&
    o.kind === "set" &&
    o.variable === v &&
    o.value.kind === "lit" &&
    o.value.value === true &&
    o.next === t.next
  );
}

/**
 * Where a node may go when absorbed: a constant branch only where its condition
 * sends it; a branch or a tracked region's residency test goes one way, so both
 * ways to the same pc are one (the explorer and TLC's IF make one successor).
 */
function absorbedExits(node: Node): readonly string[] {
  const op = node.op;
  if (op.kind === "branch" && isConstant(op.cond)) return [evalConstant(op.cond) === true ? op.then : op.else];
  if (op.kind === "branch" || residencyTest(op) !== undefined) return [...new Set(successors(op))];
  return successors(op);
}

/** The locks an absorbed path takes (only invisible ones: see the header), in order. */
export function pathAcquires(p: Path): { readonly lock: string; readonly mode: LockMode }[] {
  return p.steps.flatMap(({ node }) => (node.op.kind === "acquire" ? [{ lock: node.op.lock, mode: node.op.mode }] : []));
}

/** The locks an absorbed path releases, in order. */
export function pathReleases(p: Path): { readonly lock: string; readonly mode: LockMode }[] {
  return p.steps.flatMap(({ node }) => (node.op.kind === "release" ? [{ lock: node.op.lock, mode: node.op.mode }] : []));
}

/**
 * A cycle of absorbed nodes would be one step that never ends (a loop whose body
 * no other thread can observe, e.g. `loop { if (ret) ... }` on locals alone). Keeps
 * the node each cycle comes back to (in program order: the loop head), so that
 * every cycle of the thread's graph has a kept pc. Only removes nodes, so it ends.
 */
function breakCycles(tp: ThreadProgram, set: Set<string>): void {
  const byPc = nodeIndex(tp);
  for (;;) {
    const state = new Map<string, "open" | "closed">();
    let head: string | undefined;
    for (const n of tp.nodes) {
      if (!set.has(n.pc) || state.has(n.pc)) continue;
      // Iterative depth-first search over absorbed nodes; a successor still open is a back edge.
      const stack: { pc: string; exits: readonly string[]; i: number }[] = [{ pc: n.pc, exits: absorbedExits(n), i: 0 }];
      state.set(n.pc, "open");
      while (stack.length > 0 && head === undefined) {
        const top = stack[stack.length - 1] as { pc: string; exits: readonly string[]; i: number };
        if (top.i >= top.exits.length) {
          state.set(top.pc, "closed");
          stack.pop();
          continue;
        }
        const to = top.exits[top.i++] as string;
        if (to === DONE || !set.has(to)) continue;
        const st = state.get(to);
        if (st === "open") head = to;
        else if (st === undefined) {
          state.set(to, "open");
          stack.push({ pc: to, exits: absorbedExits(byPc.get(to) as Node), i: 0 });
        }
      }
      if (head !== undefined) break;
    }
    if (head === undefined) return;
    set.delete(head);
  }
}

/**
 * Under checkTermination(): a cycle with a single kept pc goes round in one step
 * that may leave the state as it was (a retry whose round changes nothing another
 * thread sees). TLA+ counts that as stuttering, which weak fairness does not count
 * as progress, so the livelock the unmerged graph shows would vanish. Keeps one more
 * node on every such cycle, so that each round moves the pc between two kept pcs.
 */
function keepTwoPerCycle(tp: ThreadProgram, set: Set<string>): void {
  const byPc = nodeIndex(tp);
  for (;;) {
    let found: string | undefined;
    for (const k of tp.nodes) {
      if (set.has(k.pc)) continue;
      // Through absorbed nodes only, from k back to k: the node that closes the round.
      const seen = new Set<string>();
      const stack = successors(k.op).filter((to) => to !== DONE && set.has(to));
      while (stack.length > 0 && found === undefined) {
        const pc = stack.pop() as string;
        if (seen.has(pc)) continue;
        seen.add(pc);
        for (const to of absorbedExits(byPc.get(pc) as Node)) {
          if (to === k.pc) found = pc;
          else if (to !== DONE && set.has(to) && !seen.has(to)) stack.push(to);
        }
      }
      if (found !== undefined) break;
    }
    if (found === undefined) return;
    set.delete(found);
  }
}

/**
 * Keeps absorbed nodes until no action inlines more than MAX_PATHS paths: each
 * round keeps, for every over-full action (and an over-full entry), the absorbed
 * successor with the most paths. Only ever removes nodes, so it terminates.
 */
function capPaths(tp: ThreadProgram, set: Set<string>): void {
  const byPc = nodeIndex(tp);
  for (;;) {
    const memo = new Map<string, number>();
    const count = (pc: string): number => {
      if (pc === DONE || !set.has(pc)) return 1;
      const m = memo.get(pc);
      if (m !== undefined) return m;
      // Nodes are numbered in DFS order but a DAG walk can still be deep: the
      // memo keeps it linear; recursion depth is bounded by the absorbed run.
      const c = absorbedExits(byPc.get(pc) as Node).reduce((a, s) => a + count(s), 0);
      memo.set(pc, c);
      return c;
    };
    const drop = new Set<string>();
    const fix = (exits: readonly string[]): void => {
      if (exits.reduce((a, s) => a + count(s), 0) <= MAX_PATHS) return;
      let worst: string | undefined;
      for (const s of exits) if (set.has(s) && (worst === undefined || count(s) > count(worst))) worst = s;
      if (worst !== undefined) drop.add(worst);
    };
    if (set.has(tp.entry)) fix([tp.entry]);
    for (const n of tp.nodes) if (!set.has(n.pc)) fix(successors(n.op));
    if (drop.size === 0) return;
    for (const pc of drop) set.delete(pc);
  }
}

/** True when `e` reads no variable, lock or thread position. */
export function isConstant(e: Expr): boolean {
  for (const x of subexprs(e)) if (x.kind === "var" || x.kind === "elem" || x.kind === "local" || x.kind === "held" || x.kind === "done" || x.kind === "at" || x.kind === "fault-flag") return false;
  return true;
}

/** The value of a constant expression (isConstant), as TLC and the explorer compute it. */
function evalConstant(e: Expr): Value {
  switch (e.kind) {
    case "lit":
      return e.value;
    case "not":
      return !evalConstant(e.arg);
    case "and":
      return e.args.every((a) => evalConstant(a) === true);
    case "or":
      return e.args.some((a) => evalConstant(a) === true);
    case "cmp":
      return compareValues(e.op, evalConstant(e.left), evalConstant(e.right));
    case "arith": {
      const a = evalConstant(e.left) as number;
      const b = evalConstant(e.right) as number;
      return e.op === "+" ? a + b : a - b;
    }
    case "var":
    case "elem":
    case "local":
    case "held":
    case "done":
    case "at":
    case "fault-flag":
      throw new Error(`faultline internal error: ${e.kind} is not constant`);
    default:
      return unreachable(e);
  }
}

/** What a path through guarded nodes requires and does to the shared variables (see the header). */
export interface PathEffect {
  /** Conditions over the state before the step (with the kept operation's own assignment substituted): all must hold. */
  readonly guards: readonly Expr[];
  /** Variable -> its value after the path, as an expression over the state before the step; in first-assigned order. */
  readonly assigns: ReadonlyMap<string, Expr>;
}

/**
 * The guards and assignments of an absorbed path, composed: each branch condition and
 * residency test with the assignments before it substituted. `base`: the kept
 * operation's own assignment, which runs first.
 */
export function pathEffect(p: Path, base?: { readonly variable: string; readonly value: Expr }): PathEffect {
  const assigns = new Map<string, Expr>();
  if (base) assigns.set(base.variable, base.value);
  const guards: Expr[] = [];
  for (const { node, to } of p.steps) {
    const op = node.op;
    if (op.kind === "set") assigns.set(op.variable, substVars(op.value, assigns));
    else if (op.kind === "branch" && !isConstant(op.cond) && op.then !== op.else) {
      const c = substVars(op.cond, assigns);
      guards.push(to === op.then ? c : { kind: "not", arg: c });
    } else if (op.kind === "access" && residencyDecides(op)) {
      const present = substVars({ kind: "var", variable: residencyTest(op) as string }, assigns);
      guards.push(to === op.next ? present : { kind: "not", arg: present });
    }
  }
  return { guards, assigns };
}

/** True when a path reads or writes shared variables (it runs guarded nodes). */
export function isGuardedPath(p: Path): boolean {
  return p.steps.some(({ node: { op } }) => op.kind === "set" || (op.kind === "branch" && !isConstant(op.cond)) || residencyTest(op) !== undefined);
}

/** `e` with every shared variable in `m` replaced by its expression. */
export function substVars(e: Expr, m: ReadonlyMap<string, Expr>): Expr {
  return m.size === 0 ? e : mapExpr(e, (x) => (x.kind === "var" ? (m.get(x.variable) ?? x) : x));
}

/** Valuations enumerated at most by invariantsBetween; beyond, it answers no. */
const MAX_VALUATIONS = 1 << 14;

/**
 * True when, for every invariant and every state, the invariant false after the
 * first k of `writes` (0 < k < all) is false before them all or after them all too.
 * Enumerates the variables the invariants read over their domains and every other
 * atom (another thread's position or lock, a local) as a free boolean, the same in
 * the three states; `thread`'s own position atoms are false in all three (it stands
 * at no label inside its step, and reads of its position are negative only:
 * false atoms make the invariant no more false before and after).
 */
export function invariantsBetween(model: Model, writes: readonly { readonly variable: string; readonly value: Value }[], thread: string): boolean {
  const written = new Set(writes.map((w) => w.variable));
  for (const inv of model.invariants) {
    const vars = new Set<string>();
    const atoms: Expr[] = [];
    let readsWritten = false;
    for (const x of subexprs(inv.cond)) {
      if (x.kind === "var") {
        vars.add(x.variable);
        if (written.has(x.variable)) readsWritten = true;
      } else if (x.kind === "elem" || x.kind === "fault-flag") return false;
      else if ((x.kind === "done" || x.kind === "at") && x.thread === thread) continue;
      else if (x.kind === "done" || x.kind === "at" || x.kind === "held" || x.kind === "local") atoms.push(x);
    }
    if (!readsWritten) continue;
    const domains = [...vars].map((v) => {
      const d = model.vars.find((x) => x.id === v)?.domain;
      const values: Value[] = d === undefined ? [] : d.kind === "bool" ? [false, true] : d.kind === "enum" ? [...d.values] : Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
      return { v, values };
    });
    const total = domains.reduce((a, d) => a * d.values.length, 1) * 2 ** atoms.length;
    if (total > MAX_VALUATIONS || domains.some((d) => d.values.length === 0)) return false;
    const value = (vals: ReadonlyMap<string, Value>, bits: number): boolean => {
      const e = mapExpr(inv.cond, (x) => {
        if (x.kind === "var") return { kind: "lit", value: vals.get(x.variable) as Value };
        if ((x.kind === "done" || x.kind === "at") && x.thread === thread) return { kind: "lit", value: false };
        const i = atoms.indexOf(x);
        return i >= 0 ? { kind: "lit", value: ((bits >> i) & 1) === 1 } : x;
      });
      return evalConstant(e) === true;
    };
    for (let n = 0; n < total; n++) {
      let rest = n;
      const pre = new Map<string, Value>();
      for (const d of domains) {
        pre.set(d.v, d.values[rest % d.values.length] as Value);
        rest = Math.floor(rest / d.values.length);
      }
      const bits = rest;
      const after = (k: number): Map<string, Value> => {
        const m = new Map(pre);
        for (const w of writes.slice(0, k)) if (m.has(w.variable)) m.set(w.variable, w.value);
        return m;
      };
      if (!value(pre, bits) || !value(after(writes.length), bits)) continue;
      for (let k = 1; k < writes.length; k++) if (!value(after(k), bits)) return false;
    }
  }
  return true;
}
