// Random well-formed models for differential fuzzing: fast-check arbitraries over a
// plain description (indexes, not handles), and `build` that turns one into a model
// through the DSL, exactly as a user would write it. Indexes wrap around the objects
// that exist, so every description builds; the few that validation still rejects
// (a release that follows a return, say) are skipped by the caller. A release no
// path can hold is checked, not rejected: a bad-unlock both checkers must find.

import fc from "fast-check";
import { type ModelDef, model } from "../../src/dsl/model.js";
import type { Body } from "../../src/dsl/body.js";
import { type Cond, type Operand, and, implies, not, or } from "../../src/dsl/expr.js";
import type { LocalRef, LockArrayRef, LockRef, MutexRef, ProcRef, RegionRef, RwsemRef, ThreadRef, VarArrayRef, VarRef } from "../../src/dsl/refs.js";
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_WRITE } from "../../src/dsl/expr.js";
import type { RwsemPolicy } from "../../src/ir/types.js";

// ---- descriptions ----------------------------------------------------------------------

export type LockDesc = { readonly kind: "mutex" | "spinlock" } | { readonly kind: "rwsem"; readonly policy: RwsemPolicy };
export type VarDesc = { readonly kind: "bool"; readonly init: boolean } | { readonly kind: "int"; readonly max: number; readonly init: number } | { readonly kind: "enum"; readonly values: number; readonly init: number };

export type CondDesc =
  | { readonly k: "lit"; readonly value: boolean }
  | { readonly k: "var"; readonly v: number; readonly op: "=" | "!=" | "<" | ">="; readonly x: number }
  | { readonly k: "not"; readonly c: CondDesc }
  | { readonly k: "and" | "or" | "implies"; readonly a: CondDesc; readonly b: CondDesc }
  /** held(lock [, thread] [, mode]); `mode` 0 none, 1 read, 2 write (rwsems only). */
  | { readonly k: "held"; readonly lock: number; readonly thread: number | null; readonly mode: number }
  | { readonly k: "done"; readonly thread: number }
  | { readonly k: "at"; readonly thread: number; readonly label: number }
  /** A local equals value `x`: in a body its own local `l`; in an invariant thread `thread`'s. */
  | { readonly k: "local"; readonly l: number; readonly x: number; readonly thread: number };

export type ValueDesc = { readonly k: "lit"; readonly x: number } | { readonly k: "step"; readonly up: boolean } | { readonly k: "copy"; readonly from: number } | { readonly k: "cond"; readonly c: CondDesc };

export type StmtDesc =
  /** lock; body; then unlock, leave it held, or unlock on one branch of an either. */
  | { readonly k: "crit"; readonly lock: number; readonly write: boolean; readonly body: readonly StmtDesc[]; readonly end: "unlock" | "leak" | "maybe" }
  /** Lock on one branch of an either only, then unlock: a possible bad-unlock. */
  | { readonly k: "optlock"; readonly lock: number; readonly write: boolean; readonly body: readonly StmtDesc[] }
  | { readonly k: "try"; readonly lock: number; readonly write: boolean; readonly then: readonly StmtDesc[]; readonly else: readonly StmtDesc[]; readonly unlock: boolean }
  /** down_read/down_write of a process's mmap_lock around a body. */
  | { readonly k: "mmap"; readonly proc: number; readonly write: boolean; readonly body: readonly StmtDesc[] }
  /** `ret`: the local that receives the result (its bool locals only), if any. */
  | { readonly k: "access"; readonly region: number; readonly op: number; readonly onFault: readonly StmtDesc[] | null; readonly ret?: number | null }
  /** pagefault_disable(); body; pagefault_enable(). */
  | { readonly k: "nofault"; readonly body: readonly StmtDesc[] }
  | { readonly k: "either"; readonly branches: readonly (readonly StmtDesc[])[] }
  | { readonly k: "set"; readonly v: number; readonly value: ValueDesc }
  | { readonly k: "if"; readonly c: CondDesc; readonly then: readonly StmtDesc[]; readonly else: readonly StmtDesc[] }
  | { readonly k: "await"; readonly c: CondDesc }
  | { readonly k: "repeat"; readonly times: number; readonly body: readonly StmtDesc[] }
  | { readonly k: "while"; readonly c: CondDesc; readonly bound: number; readonly body: readonly StmtDesc[] }
  | { readonly k: "call"; readonly proc: number }
  | { readonly k: "return" }
  | { readonly k: "assert"; readonly c: CondDesc }
  | { readonly k: "label"; readonly label: number }
  /** Assigns own local `l`: a literal, another local's value (same kind), or a condition on locals (bool). */
  | { readonly k: "lset"; readonly l: number; readonly value: LocalValueDesc }
  /** A loop as a back edge (`bound` null) or cut off at `bound`; `c` null is `loop` (for ever). */
  | { readonly k: "loop"; readonly c: CondDesc | null; readonly bound: number | null; readonly body: readonly StmtDesc[] }
  /** Inside a loop: `break` or `continue`, when the condition holds (else nothing). */
  | { readonly k: "jump"; readonly what: "break" | "continue"; readonly c: CondDesc }
  /** Lock element `i` of the lock array (or the one own enum local `byLocal` names), body, release it. */
  | { readonly k: "elem"; readonly i: number; readonly byLocal: number | null; readonly write: boolean; readonly body: readonly StmtDesc[] }
  /** down_read/down_write of the region owner's mmap_lock; get_user_pages(region, write); up. */
  | { readonly k: "gup"; readonly region: number; readonly write: boolean; readonly lockWrite: boolean }
  /** Reclaim of a tracked region's page (skipped when no region is tracked). */
  | { readonly k: "evict"; readonly region: number }
  /** if (vmf->flags & FAULT_FLAG_WRITE) in a procedure only fault paths run; an either elsewhere. */
  | { readonly k: "faultif"; readonly then: readonly StmtDesc[]; readonly else: readonly StmtDesc[] }
  /**
   * if (FAULT_FLAG_ALLOW_RETRY) { up_read; `then`; return VM_FAULT_RETRY } else `else`, in a
   * procedure only fault paths run; an either elsewhere.
   */
  | { readonly k: "retry"; readonly then: readonly StmtDesc[]; readonly else: readonly StmtDesc[] };

export type LocalValueDesc = { readonly k: "lit"; readonly x: number } | { readonly k: "copy"; readonly from: number } | { readonly k: "cond"; readonly c: CondDesc };

export interface ModelDesc {
  /** `mmapSem`: name the lock mmap_sem (absent in descriptions older than it). */
  readonly processes: readonly { readonly mmapPolicy: RwsemPolicy; readonly mmapSem?: boolean }[];
  /** `process` null: a global lock; else a per-process one. */
  readonly locks: readonly (LockDesc & { readonly process: number | null })[];
  readonly vars: readonly VarDesc[];
  readonly regions: readonly { readonly process: number; readonly pinned: boolean; readonly fault: number | null; readonly tracked?: "present" | "absent" | null }[];
  readonly procs: readonly (readonly StmtDesc[])[];
  /**
   * A fault procedure only fault paths run (no call names it, it calls nothing), with a
   * region of process 0 of its own: FAULT_FLAG_* and faultRetry() are valid throughout it.
   */
  readonly handler?: readonly StmtDesc[] | null;
  readonly threads: readonly { readonly process: number; readonly body: readonly StmtDesc[] }[];
  readonly invariants: readonly CondDesc[];
  readonly termination: boolean;
  /** The locals every body (each thread, each procedure) declares; absent in older descriptions. */
  readonly locals?: readonly VarDesc[];
  /** A lock array indexed by the enum values (`elem` statements use it); absent or null: none. */
  readonly lockArray?: LockDesc | null;
  /**
   * An array of shared variables indexed by the enum values; absent or null: none. Its
   * elements join the variables conditions and sets pick from: one per constant index,
   * and one per enum local of the body (an invariant: of a thread), named by that local.
   */
  readonly varArray?: VarDesc | null;
  /**
   * With `varArray`: an invariant `done(T[done]) => element named by T[thread]'s first
   * enum local != x`, so that invariants read elements by a thread's local too.
   */
  readonly varArrayInvariant?: { readonly thread: number; readonly done: number; readonly x: number } | null;
  /** null: plain names (T0, m1, ...); else every name is taken from HOSTILE, starting here. */
  readonly hostile: number | null;
  /**
   * Leave out what fails early (leaks, unbalanced unlocks, spinlocks, waits, assertions,
   * invariants, returns) so that more models are `ok` or deadlock late, after exploring more.
   */
  readonly clean: boolean;
}

/**
 * Names a user may type that TLA+ cannot take as they are: spaces, quotes, backslashes,
 * newlines, comment delimiters, unicode, TLA+ keywords and the spec's own names, names
 * that collide once sanitised, very long ones.
 */
export const HOSTILE = [
  "T1 ioctl", "T1_ioctl", "T1-ioctl", 'say "hi"', "back\\slash", "line\nbreak", "(* open", "close *)", "\\* comment",
  "线程", "Ünïcödé", "🔒", "IF", "Init", "pc", "Done", "-", "NoOne", "Next", "owner", "rw", "vars", "Threads", "Len",
  "TRUE", "MODULE", "====", "'", '"', "\\", "a\r\nb", "tab\there", "x".repeat(120), `${"x".repeat(120)}y`, "Step_T0", "Inv_inv0", "p1",
];

// ---- arbitraries -------------------------------------------------------------------------

const policy = fc.constantFrom<RwsemPolicy>("fair", "fair", "recursive-read", "reader-preferring");
const small = fc.nat({ max: 7 });

const lockDesc: fc.Arbitrary<LockDesc & { process: number | null }> = fc.oneof(
  fc.record({ kind: fc.constantFrom("mutex" as const, "spinlock" as const), process: fc.option(fc.nat({ max: 1 }), { freq: 3 }) }),
  fc.record({ kind: fc.constant("rwsem" as const), policy, process: fc.option(fc.nat({ max: 1 }), { freq: 3 }) }),
);

const varDesc: fc.Arbitrary<VarDesc> = fc.oneof(
  fc.record({ kind: fc.constant("bool" as const), init: fc.boolean() }),
  fc.integer({ min: 1, max: 3 }).chain((max) => fc.record({ kind: fc.constant("int" as const), max: fc.constant(max), init: fc.integer({ min: 0, max }) })),
  fc.integer({ min: 2, max: 3 }).chain((n) => fc.record({ kind: fc.constant("enum" as const), values: fc.constant(n), init: fc.nat({ max: n - 1 }) })),
);

const cond: fc.Arbitrary<CondDesc> = fc.letrec<{ c: CondDesc }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ k: fc.constant("var" as const), v: small, op: fc.constantFrom("=" as const, "!=" as const, "<" as const, ">=" as const), x: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant("lit" as const), value: fc.boolean() }),
    fc.record({ k: fc.constant("lit" as const), value: fc.constant(true) }),
    fc.record({ k: fc.constant("held" as const), lock: small, thread: fc.option(fc.nat({ max: 3 })), mode: fc.nat({ max: 2 }) }),
    fc.record({ k: fc.constant("done" as const), thread: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant("at" as const), thread: fc.nat({ max: 3 }), label: fc.nat({ max: 1 }) }),
    fc.record({ k: fc.constant("local" as const), l: fc.nat({ max: 2 }), x: fc.nat({ max: 3 }), thread: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant("local" as const), l: fc.nat({ max: 2 }), x: fc.nat({ max: 3 }), thread: fc.nat({ max: 3 }) }),
    fc.record({ k: fc.constant("not" as const), c: tie("c") }),
    fc.record({ k: fc.constantFrom("and" as const, "or" as const, "implies" as const), a: tie("c"), b: tie("c") }),
  ),
})).c;

/** `trigger => cond`, with a trigger false in most initial states: properties that can fail late. */
const property: fc.Arbitrary<CondDesc> = fc.oneof(
  cond,
  fc.record({
    k: fc.constant("implies" as const),
    a: fc.oneof(
      fc.record({ k: fc.constant("held" as const), lock: small, thread: fc.option(fc.nat({ max: 3 })), mode: fc.nat({ max: 2 }) }),
      fc.record({ k: fc.constant("done" as const), thread: fc.nat({ max: 3 }) }),
      fc.record({ k: fc.constant("at" as const), thread: fc.nat({ max: 3 }), label: fc.nat({ max: 1 }) }),
    ),
    b: cond,
  }),
);

const value: fc.Arbitrary<ValueDesc> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant("lit" as const), x: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("step" as const), up: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("copy" as const), from: small }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("cond" as const), c: cond }) },
);

/** Statements nested at most `depth` deep; `len` bounds each body. */
function stmts(depth: number, len: number, min = 0): fc.Arbitrary<StmtDesc[]> {
  const inner = depth <= 0 ? fc.constant<StmtDesc[]>([]) : stmts(depth - 1, 2);
  const leaf: fc.Arbitrary<StmtDesc>[] = [
    fc.record({ k: fc.constant("access" as const), region: small, op: fc.nat({ max: 5 }), onFault: fc.option<StmtDesc[]>(inner, { freq: 2 }), ret: fc.option<number>(fc.nat({ max: 2 }), { freq: 2 }) }),
    fc.record({ k: fc.constant("set" as const), v: small, value }),
    fc.record({ k: fc.constant("await" as const), c: cond }),
    fc.record({ k: fc.constant("call" as const), proc: small }),
    fc.record({ k: fc.constant("assert" as const), c: property }),
    fc.record({ k: fc.constant("label" as const), label: fc.nat({ max: 1 }) }),
    fc.record({ k: fc.constant("return" as const) }),
    fc.record({
      k: fc.constant("lset" as const),
      l: fc.nat({ max: 2 }),
      value: fc.oneof(
        fc.record({ k: fc.constant("lit" as const), x: fc.nat({ max: 3 }) }),
        fc.record({ k: fc.constant("copy" as const), from: fc.nat({ max: 2 }) }),
        fc.record({ k: fc.constant("cond" as const), c: cond }),
      ),
    }),
    fc.record({ k: fc.constant("jump" as const), what: fc.constantFrom("break" as const, "continue" as const), c: cond }),
    fc.record({ k: fc.constant("gup" as const), region: small, write: fc.boolean(), lockWrite: fc.nat({ max: 3 }).map((n) => n === 0) }),
    fc.record({ k: fc.constant("evict" as const), region: small }),
  ];
  const nested: fc.Arbitrary<StmtDesc>[] = [
    fc.record({ k: fc.constant("crit" as const), lock: small, write: fc.boolean(), body: inner, end: fc.constantFrom(...Array<"unlock">(8).fill("unlock"), "leak" as const, "maybe" as const) }),
    fc.record({ k: fc.constant("optlock" as const), lock: small, write: fc.boolean(), body: inner }),
    fc.record({ k: fc.constant("try" as const), lock: small, write: fc.boolean(), then: inner, else: inner, unlock: fc.nat({ max: 4 }).map((n) => n > 0) }),
    fc.record({ k: fc.constant("mmap" as const), proc: small, write: fc.boolean(), body: inner }),
    fc.record({ k: fc.constant("nofault" as const), body: inner }),
    fc.record({ k: fc.constant("either" as const), branches: fc.array(inner, { minLength: 1, maxLength: 3 }) }),
    fc.record({ k: fc.constant("if" as const), c: cond, then: inner, else: inner }),
    fc.record({ k: fc.constant("repeat" as const), times: fc.integer({ min: 0, max: 2 }), body: inner }),
    fc.record({ k: fc.constant("while" as const), c: cond, bound: fc.integer({ min: 1, max: 2 }), body: inner }),
    fc.record({ k: fc.constant("loop" as const), c: fc.option<CondDesc>(cond, { freq: 3 }), bound: fc.option<number>(fc.integer({ min: 1, max: 2 }), { freq: 4 }), body: inner }),
    fc.record({ k: fc.constant("elem" as const), i: fc.nat({ max: 2 }), byLocal: fc.option<number>(fc.nat({ max: 1 }), { freq: 2 }), write: fc.boolean(), body: inner }),
    fc.record({ k: fc.constant("faultif" as const), then: inner, else: inner }),
    fc.record({ k: fc.constant("retry" as const), then: inner, else: inner }),
  ];
  const weighted = [
    // access, set, await, call, assert, label, return, lset, jump, gup, evict
    ...leaf.map((arbitrary, i) => ({ arbitrary, weight: [6, 5, 1, 2, 1, 1, 1, 3, 1, 2, 2][i] ?? 1 })),
    // crit, optlock, try, mmap, nofault, either, if, repeat, while, loop, elem, faultif, retry
    ...nested.map((arbitrary, i) => ({ arbitrary, weight: depth <= 0 ? 0 : ([6, 1, 2, 2, 2, 3, 2, 1, 1, 2, 4, 4, 5][i] ?? 1) })),
  ].filter((w) => w.weight > 0);
  return fc.array(fc.oneof(...weighted), { minLength: min, maxLength: len });
}

export const modelDesc: fc.Arbitrary<ModelDesc> = fc.record({
  processes: fc.array(fc.record({ mmapPolicy: fc.constantFrom<RwsemPolicy>("fair", "fair", "fair", "recursive-read", "reader-preferring"), mmapSem: fc.boolean() }), { minLength: 1, maxLength: 2 }),
  locks: fc.array(lockDesc, { minLength: 1, maxLength: 3 }),
  vars: fc.array(varDesc, { minLength: 1, maxLength: 2 }),
  regions: fc.array(
    fc.record({ process: fc.nat({ max: 1 }), pinned: fc.boolean(), fault: fc.option(fc.nat({ max: 1 })), tracked: fc.constantFrom(null, null, "present" as const, "absent" as const) }),
    { minLength: 1, maxLength: 2 },
  ),
  procs: fc.array(stmts(1, 3), { minLength: 0, maxLength: 2 }),
  handler: fc.option(stmts(1, 3, 1), { freq: 2 }),
  threads: fc.array(fc.record({ process: fc.nat({ max: 1 }), body: stmts(2, 4, 2) }), { minLength: 1, maxLength: 4 }),
  // An invariant on one model in four.
  invariants: fc.tuple(fc.nat({ max: 3 }), property).map(([n, c]) => (n === 0 ? [c] : [])),
  // Termination (a liveness check) on one model in five.
  termination: fc.nat({ max: 4 }).map((n) => n === 0),
  locals: fc.array(varDesc, { minLength: 0, maxLength: 2 }),
  lockArray: fc.option(lockDesc.map(({ process: _, ...l }) => l as LockDesc), { freq: 4 }),
  clean: fc.nat({ max: 2 }).map((n) => n === 0),
  // Hostile names on one model in four.
  hostile: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: HOSTILE.length - 1 })).map(([n, k]) => (n === 0 ? k : null)),
  // Last, so that the fields before it sample as they did before it existed.
  varArray: fc.option(varDesc, { freq: 3 }),
  varArrayInvariant: fc.option(fc.record({ thread: fc.nat({ max: 3 }), done: fc.nat({ max: 3 }), x: fc.nat({ max: 3 }) }), { freq: 3 }),
});

/** The description of model `index` of a run with seed `seed`: each model has a seed of its own. */
export function sampleModel(seed: number, index: number): ModelDesc {
  return fc.sample(modelDesc, { seed: seed + index, numRuns: 1 })[0] as ModelDesc;
}

// ---- building ----------------------------------------------------------------------------

const ACCESS = ["copyToUser", "copyFromUser", "putUser", "getUser", "load", "store"] as const;
/** The `fault` index of the handler's region: below every procedure's, so any body may touch it. */
const HANDLER = -1;

/** Builds the description through the DSL. */
export function build(name: string, d: ModelDesc): ModelDef {
  /** The i-th name of a kind: plain, or hostile (distinct within the kind, colliding across kinds). */
  const nm = (plain: string, i: number): string => (d.hostile === null ? `${plain}${i}` : (HOSTILE[(d.hostile + i) % HOSTILE.length] as string));
  const enumValues = (n: number): string[] => Array.from({ length: n }, (_, i) => (d.hostile === null ? (["idle", "busy", "gone"][i] as string) : nm("", i + 3)));
  return model(d.hostile === null ? name : `${nm("", 0)} ${name}`, (m) => {
    const procs = d.processes.map((p, i) => m.process(nm("P", i), { mmapPolicy: p.mmapPolicy, ...(p.mmapSem === true ? { mmapLock: "mmap_sem" } : {}) }));
    const proc = (i: number) => procs[i % procs.length] as (typeof procs)[number];
    type AnyLock = { ref: LockRef; kind: LockDesc["kind"] };
    const locks: AnyLock[] = d.locks.map((l, i) => {
      const owner = l.process === null ? m : proc(l.process);
      if (d.clean && l.kind === "spinlock") return { ref: owner.mutex(nm("m", i)), kind: "mutex" };
      if (l.kind === "rwsem") return { ref: owner.rwsem(nm("r", i), { policy: l.policy }), kind: "rwsem" };
      return { ref: l.kind === "mutex" ? owner.mutex(nm("m", i)) : owner.spinlock(nm("s", i)), kind: l.kind };
    });
    // A lock array indexed by the three enum values (elements named by constants or by any enum local).
    const arrayIndex = enumValues(3);
    const la = d.lockArray ?? null;
    const lockArray =
      la === null
        ? undefined
        : la.kind === "rwsem"
          ? { kind: "rwsem" as const, ref: m.rwsemArray(nm("ra", 0), arrayIndex, { policy: la.policy }) as LockArrayRef }
          : { kind: d.clean ? ("mutex" as const) : la.kind, ref: (d.clean || la.kind === "mutex" ? m.mutexArray(nm("ma", 0), arrayIndex) : m.spinlockArray(nm("sa", 0), arrayIndex)) as LockArrayRef };
    // held() may also name an mmap_lock.
    const heldable: AnyLock[] = [...locks, ...procs.map((p) => ({ ref: p.mmapLock as LockRef, kind: "rwsem" as const }))];
    const vars = d.vars.map((v, i) => {
      if (v.kind === "bool") return { desc: v, ref: m.bool(nm("b", i), v.init) as VarRef<boolean | number | string> };
      if (v.kind === "int") return { desc: v, ref: m.int(nm("n", i), { min: 0, max: v.max }, v.init) as VarRef<boolean | number | string> };
      const values = enumValues(v.values);
      return { desc: v, ref: m.enum(nm("e", i), values, values[v.init] as string) as VarRef<boolean | number | string> };
    });
    // An array of shared variables indexed by the three enum values (SEMANTICS "Objects").
    const va = d.varArray ?? null;
    const varArray: { desc: VarDesc; ref: VarArrayRef<boolean | number | string, string> } | undefined = (() => {
      if (va === null) return undefined;
      // Per-index initial values: the element's index shifts the declared one.
      const init = <T,>(f: (k: number) => T): Record<string, T> => Object.fromEntries(arrayIndex.map((ix, k) => [ix, f(k)]));
      if (va.kind === "bool") return { desc: va, ref: m.boolArray(nm("vb", 0), arrayIndex, init((k) => (k % 2 === 0) === va.init)) as VarArrayRef<boolean | number | string, string> };
      if (va.kind === "int") return { desc: va, ref: m.intArray(nm("vn", 0), arrayIndex, { min: 0, max: va.max }, va.init) as VarArrayRef<boolean | number | string, string> };
      const values = enumValues(va.values);
      return { desc: va, ref: m.enumArray(nm("ve", 0), arrayIndex, values, init((k) => values[(va.init + k) % va.values] as string)) as VarArrayRef<boolean | number | string, string> };
    })();
    type AnyVar = (typeof vars)[number];
    /**
     * The variables a condition or set picks from: the plain ones, then (with an array)
     * the element each enum local in `locals` names, then each element by constant index.
     */
    const varPool = (locals: readonly { desc: VarDesc; ref: LocalRef<boolean | number | string> }[] | undefined): AnyVar[] => {
      if (!varArray) return vars;
      const byConst = arrayIndex.map((ix) => ({ desc: varArray.desc, ref: varArray.ref.at(ix) }));
      const byLocal = (locals ?? []).filter((l) => l.desc.kind === "enum").map((l) => ({ desc: varArray.desc, ref: varArray.ref.at(l.ref as LocalRef<string>) }));
      // Elements by local twice: the rarer, and the one lowering has to resolve.
      return [...vars, ...byLocal, ...byLocal, ...byConst];
    };
    const procRefs: ProcRef[] = d.procs.map((_, i) => m.proc(nm("f", i)));
    // A region's fault procedure is f<i>; procedure f<i> may only touch regions whose
    // fault procedure comes before it, and call procedures before it (no recursion).
    const regions: { ref: RegionRef; fault: number | null; owner: (typeof procs)[number]; tracked: boolean }[] = d.regions.map((r, i) => {
      const fault = r.fault === null || procRefs.length === 0 ? null : r.fault % procRefs.length;
      // A pinned page is always present: tracking it is a model error (FL343).
      const tracked = r.pinned ? null : (r.tracked ?? null);
      const opts = { pinned: r.pinned, ...(fault === null ? {} : { fault: procRefs[fault] as ProcRef }), ...(tracked === null ? {} : { tracked }) };
      return { ref: proc(r.process).region(nm("mem", i), opts), fault, owner: proc(r.process), tracked: tracked !== null };
    });
    let handler: { ref: ProcRef; body: readonly StmtDesc[] } | undefined;
    if (d.handler) {
      const h = m.proc(nm("h", d.procs.length));
      regions.push({ ref: proc(0).region(nm("hmem", d.regions.length), { fault: h }), fault: HANDLER, owner: proc(0), tracked: false });
      // Defined below, once every region exists; it calls nothing and touches no region it handles.
      handler = { ref: h, body: d.handler };
    }
    // Procedures only fault paths run (a region's fault procedure no call names): FAULT_FLAG_WRITE is known there.
    const called = new Set<number>();
    const findCalls = (ss: readonly StmtDesc[], callable: number): void => {
      for (const s of ss) {
        if (s.k === "call" && callable > 0) called.add(s.proc % callable);
        for (const b of children(s)) findCalls(b, callable);
      }
    };
    d.threads.forEach((th) => findCalls(th.body, procRefs.length));
    d.procs.forEach((p, i) => findCalls(p, i));
    const faultOnly = (i: number): boolean => !called.has(i) && regions.some((r) => r.fault === i);
    const threads: ThreadRef[] = [];
    type Loc = { desc: VarDesc; ref: LocalRef<boolean | number | string> };
    /** Each thread's locals, for invariants that read them. */
    const threadLocals: Loc[][] = [];
    const declare = (b: Body): Loc[] => {
      const own: Loc[] = (d.locals ?? []).map((v, i) => {
        if (v.kind === "bool") return { desc: v, ref: b.bool(`l${i}`, v.init) as LocalRef<boolean | number | string> };
        if (v.kind === "int") return { desc: v, ref: b.int(`l${i}`, { min: 0, max: v.max }, v.init) as LocalRef<boolean | number | string> };
        const values = enumValues(v.values);
        return { desc: v, ref: b.enum(`l${i}`, values, values[v.init] as string) as LocalRef<boolean | number | string> };
      });
      if (varArray) {
        // With an array, every body picks an index into a local of its own first, as
        // kernel code picks the page or block it works on: `either` chooses it.
        const pick = b.enum(`l${own.length}`, arrayIndex, arrayIndex[0] as string);
        b.either(() => {}, (x) => x.set(pick, arrayIndex[1] as string));
        own.push({ desc: { kind: "enum", values: 3, init: 0 }, ref: pick as LocalRef<boolean | number | string> });
      }
      return own;
    };
    /** `l = x` for local `l` of its own domain. */
    const localEq = (l: Loc, x: number): Cond => {
      const v = l.desc;
      if (v.kind === "bool") return l.ref.eq(x % 2 === 0);
      if (v.kind === "int") return l.ref.eq(x % (v.max + 1));
      return l.ref.eq(enumValues(v.values)[x % v.values] as string);
    };

    /** Label indexes a thread's body can stand at (its own and its callees'). */
    const labelsOf = (body: readonly StmtDesc[]): Set<number> => {
      const out = new Set<number>();
      // `callable`: how many procedures this body may call (threads all, f<i> those before it).
      const walk = (ss: readonly StmtDesc[], callable: number): void => {
        for (const s of ss) {
          if (s.k === "label") out.add(s.label);
          if (s.k === "call" && callable > 0) {
            const p = s.proc % callable;
            walk(d.procs[p] ?? [], p);
          }
          for (const b of children(s)) walk(b, callable);
        }
      };
      walk(body, d.procs.length);
      return out;
    };

    /** `own`: the locals of the body the condition is in (undefined in invariants); `localsOnly`: shared state reads become `true`. */
    const condOf = (c: CondDesc, visible: number, own?: readonly Loc[], localsOnly = false): Cond => {
      if (localsOnly && c.k !== "local" && c.k !== "lit" && c.k !== "not" && c.k !== "and" && c.k !== "or" && c.k !== "implies") return true;
      const sub = (x: CondDesc) => condOf(x, visible, own, localsOnly);
      switch (c.k) {
        case "local": {
          const pool = own ?? (visible === 0 ? [] : (threadLocals[c.thread % visible] ?? []));
          const l = pool[c.l % Math.max(1, pool.length)];
          return l === undefined ? c.x % 2 === 0 : localEq(l, c.x);
        }
        case "lit":
          return c.value;
        case "var": {
          // In an invariant, elements named by the locals of thread c.v.
          const pool = varPool(own ?? (visible === 0 ? [] : threadLocals[c.v % visible]));
          const v = pool[c.v % Math.max(1, pool.length)];
          if (!v) return c.x % 2 === 0;
          if (v.desc.kind === "bool") return c.op === "=" || c.op === "<" ? v.ref.eq(c.x % 2 === 0) : v.ref.ne(c.x % 2 === 0);
          if (v.desc.kind === "enum") {
            const x = enumValues(v.desc.values)[c.x % v.desc.values] as string;
            return c.op === "=" || c.op === "<" ? v.ref.eq(x) : v.ref.ne(x);
          }
          const n = v.ref as unknown as VarRef<number>;
          return c.op === "=" ? n.eq(c.x) : c.op === "!=" ? n.ne(c.x) : c.op === "<" ? n.lt(c.x) : n.ge(c.x);
        }
        case "not":
          return not(sub(c.c));
        case "and":
          return and(sub(c.a), sub(c.b));
        case "or":
          return or(sub(c.a), sub(c.b));
        case "implies":
          return implies(sub(c.a), sub(c.b));
        case "held": {
          const l = heldable[c.lock % heldable.length] as AnyLock;
          const t = c.thread === null || visible === 0 ? undefined : threads[c.thread % visible];
          const mode = l.kind === "rwsem" && c.mode > 0 ? (c.mode === 1 ? "read" : "write") : undefined;
          return m.held(l.ref, t, mode);
        }
        case "done":
          return visible === 0 ? true : m.done(threads[c.thread % visible] as ThreadRef);
        case "at": {
          if (visible === 0) return false;
          const i = c.thread % visible;
          const labels = [...labelsOf(d.threads[i]?.body ?? [])].sort();
          if (labels.length === 0) return m.done(threads[i] as ThreadRef);
          return m.at(threads[i] as ThreadRef, `L${labels[c.label % labels.length]}`);
        }
      }
    };

    /** `self`: the procedure being defined (procs.length for threads); `own`: its locals; `noretry`: inside a retry's body. */
    type Ctx = { self: number; visible: number; nofault: boolean; own: readonly Loc[]; loop: boolean; noretry?: boolean; handler?: boolean };
    const emit = (t: Body, ss: readonly StmtDesc[], ctx: Ctx): void => {
      for (const s of ss) stmt(t, s, ctx);
    };
    const stmt = (t: Body, s: StmtDesc, ctx: Ctx): void => {
      const condOf_ = condOf;
      const condOfHere = (c: CondDesc, visible: number) => condOf_(c, visible, ctx.own);
      const body = (ss: readonly StmtDesc[], c = ctx) => (b: Body) => emit(b, ss, c);
      const lockOf = (i: number) => (locks.length === 0 ? undefined : (locks[i % locks.length] as AnyLock));
      const take = (b: Body, l: AnyLock, write: boolean) => (l.kind === "rwsem" ? (write ? b.downWrite(l.ref as RwsemRef) : b.downRead(l.ref as RwsemRef)) : b.lock(l.ref as MutexRef));
      const give = (b: Body, l: AnyLock, write: boolean) => (l.kind === "rwsem" ? (write ? b.upWrite(l.ref as RwsemRef) : b.upRead(l.ref as RwsemRef)) : b.unlock(l.ref as MutexRef));
      switch (s.k) {
        case "crit": {
          const l = lockOf(s.lock);
          if (!l) return emit(t, s.body, ctx);
          take(t, l, s.write);
          emit(t, s.body, ctx);
          if (s.end === "unlock" || d.clean) give(t, l, s.write);
          else if (s.end === "maybe") t.either((b) => give(b, l, s.write), () => {});
          return;
        }
        case "optlock": {
          const l = lockOf(s.lock);
          if (!l) return emit(t, s.body, ctx);
          if (d.clean) take(t, l, s.write);
          else t.either((b) => take(b, l, s.write), () => {});
          emit(t, s.body, ctx);
          give(t, l, s.write);
          return;
        }
        case "try": {
          const l = lockOf(s.lock);
          if (!l) return emit(t, s.then, ctx);
          const then = (b: Body) => {
            emit(b, s.then, ctx);
            if (s.unlock || d.clean) give(b, l, s.write);
          };
          if (l.kind !== "rwsem") t.trylock(l.ref as MutexRef, then, body(s.else));
          else if (s.write) t.downWriteTrylock(l.ref as RwsemRef, then, body(s.else));
          else t.downReadTrylock(l.ref as RwsemRef, then, body(s.else));
          return;
        }
        case "mmap": {
          const p = proc(s.proc);
          if (s.write) t.downWrite(p.mmapLock);
          else t.downRead(p.mmapLock);
          emit(t, s.body, ctx);
          if (s.write) t.upWrite(p.mmapLock);
          else t.upRead(p.mmapLock);
          return;
        }
        case "access": {
          // Only regions whose fault path cannot lead back to this procedure.
          const usable = regions.filter((r) => r.fault === null || (r.fault < ctx.self && !(r.fault === HANDLER && ctx.handler === true)));
          const r = usable[s.region % Math.max(1, usable.length)];
          if (!r) return;
          const op = ACCESS[s.op % ACCESS.length] as (typeof ACCESS)[number];
          const bools = ctx.own.filter((l) => l.desc.kind === "bool");
          const ret = s.ret === undefined || s.ret === null || bools.length === 0 ? undefined : (bools[s.ret % bools.length] as Loc).ref;
          const opts = { ...(s.onFault ? { onFault: body(s.onFault) } : {}), ...(ret ? { ret } : {}) };
          t[op](r.ref, s.onFault || ret ? opts : undefined);
          return;
        }
        case "nofault":
          t.pagefaultDisable();
          // A break or continue here would leave page faults disabled (a model error).
          emit(t, s.body, { ...ctx, nofault: true, loop: false });
          t.pagefaultEnable();
          return;
        case "either":
          t.either(...s.branches.map((b) => body(b)));
          return;
        case "set": {
          const pool = varPool(ctx.own);
          const v = pool[s.v % Math.max(1, pool.length)];
          if (!v) return;
          t.set(v.ref, valueOf(v, s.value, ctx.visible, ctx.own));
          return;
        }
        case "if":
          t.if(condOfHere(s.c, ctx.visible), body(s.then), body(s.else));
          return;
        case "await":
          if (!d.clean) t.await(condOfHere(s.c, ctx.visible));
          return;
        case "repeat":
          t.repeat(s.times, body(s.body, { ...ctx, loop: true }));
          return;
        case "while":
          t.while(condOfHere(s.c, ctx.visible), { bound: s.bound }, body(s.body, { ...ctx, loop: true }));
          return;
        case "call":
          if (ctx.self > 0) t.call(procRefs[s.proc % ctx.self] as ProcRef);
          return;
        case "return":
          // With page faults disabled a return would unbalance them (a model error).
          if (!ctx.nofault && !d.clean) t.return();
          return;
        case "assert":
          if (!d.clean) t.assert(condOfHere(s.c, ctx.visible), "fuzz");
          return;
        case "label":
          t.label(`L${s.label}`);
          return;
        case "lset": {
          const l = ctx.own[s.l % Math.max(1, ctx.own.length)];
          if (!l) return;
          const v = l.desc;
          if (s.value.k === "lit") {
            const x = s.value.x;
            t.set(l.ref, v.kind === "bool" ? x % 2 === 0 : v.kind === "int" ? x % (v.max + 1) : (enumValues(v.values)[x % v.values] as string));
          } else if (s.value.k === "copy") {
            // Only from a local with the very same domain (another could leave this one's: FL224).
            const same = ctx.own.filter((w) => JSON.stringify({ ...w.desc, init: 0 }) === JSON.stringify({ ...v, init: 0 }));
            t.set(l.ref, (same[s.value.from % same.length] as Loc).ref);
          } else if (v.kind === "bool") {
            t.set(l.ref, condOf(s.value.c, ctx.visible, ctx.own, true));
          }
          return;
        }
        case "loop": {
          const inner = body(s.body, { ...ctx, loop: true });
          const opts = s.bound === null ? undefined : { bound: s.bound };
          if (s.c === null) t.loop(inner, opts);
          else if (opts) t.while(condOfHere(s.c, ctx.visible), opts, inner);
          else t.while(condOfHere(s.c, ctx.visible), inner);
          return;
        }
        case "jump":
          if (ctx.loop) t.if(condOfHere(s.c, ctx.visible), (b) => (s.what === "break" ? b.break() : b.continue()));
          return;
        case "elem": {
          if (!lockArray) return emit(t, s.body, ctx);
          // An own enum local (its values are among the array's indexes) may name the element.
          const pickers = ctx.own.filter((l) => l.desc.kind === "enum");
          const picker = s.byLocal === null || pickers.length === 0 ? undefined : pickers[s.byLocal % pickers.length];
          const el = lockArray.ref.at(picker ? (picker.ref as LocalRef<string>) : (arrayIndex[s.i % 3] as string));
          const l: AnyLock = { ref: el, kind: lockArray.kind };
          take(t, l, s.write);
          emit(t, s.body, ctx);
          give(t, l, s.write);
          return;
        }
        case "gup": {
          const usable = regions.filter((r) => r.fault === null || (r.fault < ctx.self && !(r.fault === HANDLER && ctx.handler === true)));
          const r = usable[s.region % Math.max(1, usable.length)];
          if (!r) return;
          const mm = r.owner.mmapLock;
          if (s.lockWrite) t.downWrite(mm);
          else t.downRead(mm);
          t.getUserPages(r.ref, { write: s.write });
          if (s.lockWrite) t.upWrite(mm);
          else t.upRead(mm);
          return;
        }
        case "evict": {
          const tracked = regions.filter((r) => r.tracked);
          const r = tracked[s.region % Math.max(1, tracked.length)];
          if (r) t.evict(r.ref);
          return;
        }
        case "faultif":
          if (ctx.handler === true || (ctx.self < procRefs.length && faultOnly(ctx.self))) t.if(FAULT_FLAG_WRITE, body(s.then), body(s.else));
          else t.either(body(s.then), body(s.else));
          return;
        case "retry":
          // A retry leaves with page faults as the fault began, and cannot retry from its own body.
          if ((ctx.handler === true || (ctx.self < procRefs.length && faultOnly(ctx.self))) && !ctx.nofault && ctx.noretry !== true) {
            t.if(FAULT_FLAG_ALLOW_RETRY, (r) => r.faultRetry(body(s.then, { ...ctx, noretry: true })), body(s.else));
          } else t.either(body(s.then), body(s.else));
          return;
      }
    };
    const valueOf = (v: (typeof vars)[number], x: ValueDesc, visible: number, own: readonly Loc[]): Operand<boolean | number | string> => {
      const d = v.desc;
      switch (x.k) {
        case "lit":
          return d.kind === "bool" ? x.x % 2 === 0 : d.kind === "int" ? x.x % (d.max + 1) : (enumValues(d.values)[x.x % d.values] as string);
        case "step":
          if (d.kind === "int") return x.up ? (v.ref as unknown as VarRef<number>).plus(1) : (v.ref as unknown as VarRef<number>).minus(1);
          return d.kind === "bool" ? not(v.ref as unknown as VarRef<boolean>) : (enumValues(d.values)[x.up ? 1 : 0] as string);
        case "copy": {
          // Another variable of the same kind (an enum may not share the domain: a Domain_ finding).
          const same = varPool(own).filter((w) => w.desc.kind === d.kind);
          return (same[x.from % same.length] as (typeof vars)[number]).ref;
        }
        case "cond":
          return d.kind === "bool" ? condOf(x.c, visible, own) : valueOf(v, { k: "step", up: true }, visible, own);
      }
    };

    // The first thread is a threads(n, ...) group on some models (TLC's symmetry,
    // src/ir/symmetry.ts), chosen from the description so the sampled models stay as
    // they were otherwise: the group's other threads are never named by an expression.
    // Three threads where the model has few (ties at one pc: src/tlc/canon.ts), else two.
    const grouped = (d.vars.length + d.locks.length) % 2 === 0 && d.threads.length <= 3;
    const groupSize = d.threads.length <= 2 && d.locks.length % 3 === 0 ? 3 : 2;
    d.threads.forEach((th, i) => {
      const body = (t: Body) => {
        const own = declare(t);
        // A group's first thread: the one expressions may name.
        threadLocals[i] ??= own;
        emit(t, th.body, { self: procRefs.length, visible: i, nofault: false, own, loop: false });
      };
      const made = i === 0 && grouped ? proc(th.process).threads(groupSize, nm("T", i), body) : [proc(th.process).thread(nm("T", i), body)];
      threads.push(made[0] as ThreadRef);
    });
    d.procs.forEach((p, i) => m.define(procRefs[i] as ProcRef, (t) => emit(t, p, { self: i, visible: threads.length, nofault: false, own: declare(t), loop: false })));
    if (handler) {
      const h = handler;
      m.define(h.ref, (t) => emit(t, h.body, { self: 0, visible: threads.length, nofault: false, own: declare(t), loop: false, handler: true }));
    }
    if (!d.clean) d.invariants.forEach((c, i) => m.invariant(nm("inv", i), condOf(c, threads.length)));
    const vai = d.varArrayInvariant ?? null;
    if (!d.clean && varArray && vai !== null && threads.length > 0) {
      const picker = (threadLocals[vai.thread % threads.length] ?? []).find((l) => l.desc.kind === "enum");
      if (picker) {
        const el = varArray.ref.at(picker.ref as LocalRef<string>);
        const v = varArray.desc;
        const x = v.kind === "bool" ? vai.x % 2 === 0 : v.kind === "int" ? vai.x % (v.max + 1) : (enumValues(v.values)[vai.x % v.values] as string);
        m.invariant(nm("inv", d.invariants.length), implies(m.done(threads[vai.done % threads.length] as ThreadRef), el.ne(x)));
      }
    }
    if (d.termination) m.checkTermination();
    // A declared lock order (SEMANTICS "lock-order") on some models, chosen from the
    // description so the sampled models stay as they were: the locks in index order.
    if (locks.length >= 2 && d.vars.length % 2 === 1) m.lockOrder(...locks.map((l) => l.ref));
  });
}

function children(s: StmtDesc): readonly (readonly StmtDesc[])[] {
  switch (s.k) {
    case "crit":
    case "optlock":
    case "mmap":
    case "nofault":
    case "repeat":
    case "while":
    case "loop":
    case "elem":
      return [s.body];
    case "try":
    case "if":
    case "faultif":
    case "retry":
      return [s.then, s.else];
    case "either":
      return s.branches;
    case "access":
      return s.onFault ? [s.onFault] : [];
    default:
      return [];
  }
}
