// Random well-formed models for differential fuzzing: fast-check arbitraries over a
// plain description (indexes, not handles), and `build` that turns one into a model
// through the DSL, exactly as a user would write it. Indexes wrap around the objects
// that exist, so every description builds; the few that validation still rejects
// (a release no path can hold, say) are skipped by the caller.

import fc from "fast-check";
import { type ModelDef, model } from "../../src/dsl/model.js";
import type { Body } from "../../src/dsl/body.js";
import { type Cond, type Operand, and, implies, not, or } from "../../src/dsl/expr.js";
import type { LockRef, MutexRef, ProcRef, RegionRef, RwsemRef, ThreadRef, VarRef } from "../../src/dsl/refs.js";
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
  | { readonly k: "at"; readonly thread: number; readonly label: number };

export type ValueDesc = { readonly k: "lit"; readonly x: number } | { readonly k: "step"; readonly up: boolean } | { readonly k: "copy"; readonly from: number } | { readonly k: "cond"; readonly c: CondDesc };

export type StmtDesc =
  /** lock; body; then unlock, leave it held, or unlock on one branch of an either. */
  | { readonly k: "crit"; readonly lock: number; readonly write: boolean; readonly body: readonly StmtDesc[]; readonly end: "unlock" | "leak" | "maybe" }
  /** Lock on one branch of an either only, then unlock: a possible bad-unlock. */
  | { readonly k: "optlock"; readonly lock: number; readonly write: boolean; readonly body: readonly StmtDesc[] }
  | { readonly k: "try"; readonly lock: number; readonly write: boolean; readonly then: readonly StmtDesc[]; readonly else: readonly StmtDesc[]; readonly unlock: boolean }
  /** down_read/down_write of a process's mmap_lock around a body. */
  | { readonly k: "mmap"; readonly proc: number; readonly write: boolean; readonly body: readonly StmtDesc[] }
  | { readonly k: "access"; readonly region: number; readonly op: number; readonly onFault: readonly StmtDesc[] | null }
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
  | { readonly k: "label"; readonly label: number };

export interface ModelDesc {
  readonly processes: readonly { readonly mmapPolicy: RwsemPolicy }[];
  /** `process` null: a global lock; else a per-process one. */
  readonly locks: readonly (LockDesc & { readonly process: number | null })[];
  readonly vars: readonly VarDesc[];
  readonly regions: readonly { readonly process: number; readonly pinned: boolean; readonly fault: number | null }[];
  readonly procs: readonly (readonly StmtDesc[])[];
  readonly threads: readonly { readonly process: number; readonly body: readonly StmtDesc[] }[];
  readonly invariants: readonly CondDesc[];
  readonly termination: boolean;
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
    fc.record({ k: fc.constant("access" as const), region: small, op: fc.nat({ max: 5 }), onFault: fc.option<StmtDesc[]>(inner, { freq: 2 }) }),
    fc.record({ k: fc.constant("set" as const), v: small, value }),
    fc.record({ k: fc.constant("await" as const), c: cond }),
    fc.record({ k: fc.constant("call" as const), proc: small }),
    fc.record({ k: fc.constant("assert" as const), c: property }),
    fc.record({ k: fc.constant("label" as const), label: fc.nat({ max: 1 }) }),
    fc.record({ k: fc.constant("return" as const) }),
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
  ];
  const weighted = [
    // access, set, await, call, assert, label, return
    ...leaf.map((arbitrary, i) => ({ arbitrary, weight: [6, 5, 1, 2, 1, 1, 1][i] ?? 1 })),
    // crit, optlock, try, mmap, nofault, either, if, repeat, while
    ...nested.map((arbitrary, i) => ({ arbitrary, weight: depth <= 0 ? 0 : ([6, 1, 2, 2, 2, 3, 2, 1, 1][i] ?? 1) })),
  ].filter((w) => w.weight > 0);
  return fc.array(fc.oneof(...weighted), { minLength: min, maxLength: len });
}

export const modelDesc: fc.Arbitrary<ModelDesc> = fc.record({
  processes: fc.array(fc.record({ mmapPolicy: fc.constantFrom<RwsemPolicy>("fair", "fair", "fair", "recursive-read", "reader-preferring") }), { minLength: 1, maxLength: 2 }),
  locks: fc.array(lockDesc, { minLength: 1, maxLength: 3 }),
  vars: fc.array(varDesc, { minLength: 1, maxLength: 2 }),
  regions: fc.array(fc.record({ process: fc.nat({ max: 1 }), pinned: fc.boolean(), fault: fc.option(fc.nat({ max: 1 })) }), { minLength: 1, maxLength: 2 }),
  procs: fc.array(stmts(1, 3), { minLength: 0, maxLength: 2 }),
  threads: fc.array(fc.record({ process: fc.nat({ max: 1 }), body: stmts(2, 4, 2) }), { minLength: 1, maxLength: 4 }),
  // An invariant on one model in four.
  invariants: fc.tuple(fc.nat({ max: 3 }), property).map(([n, c]) => (n === 0 ? [c] : [])),
  // Termination (a liveness check) on one model in five.
  termination: fc.nat({ max: 4 }).map((n) => n === 0),
  clean: fc.nat({ max: 2 }).map((n) => n === 0),
  // Hostile names on one model in four.
  hostile: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: HOSTILE.length - 1 })).map(([n, k]) => (n === 0 ? k : null)),
});

/** The description of model `index` of a run with seed `seed`: each model has a seed of its own. */
export function sampleModel(seed: number, index: number): ModelDesc {
  return fc.sample(modelDesc, { seed: seed + index, numRuns: 1 })[0] as ModelDesc;
}

// ---- building ----------------------------------------------------------------------------

const ACCESS = ["copyToUser", "copyFromUser", "putUser", "getUser", "load", "store"] as const;

/** Builds the description through the DSL. */
export function build(name: string, d: ModelDesc): ModelDef {
  /** The i-th name of a kind: plain, or hostile (distinct within the kind, colliding across kinds). */
  const nm = (plain: string, i: number): string => (d.hostile === null ? `${plain}${i}` : (HOSTILE[(d.hostile + i) % HOSTILE.length] as string));
  const enumValues = (n: number): string[] => Array.from({ length: n }, (_, i) => (d.hostile === null ? (["idle", "busy", "gone"][i] as string) : nm("", i + 3)));
  return model(d.hostile === null ? name : `${nm("", 0)} ${name}`, (m) => {
    const procs = d.processes.map((p, i) => m.process(nm("P", i), { mmapPolicy: p.mmapPolicy }));
    const proc = (i: number) => procs[i % procs.length] as (typeof procs)[number];
    type AnyLock = { ref: LockRef; kind: LockDesc["kind"] };
    const locks: AnyLock[] = d.locks.map((l, i) => {
      const owner = l.process === null ? m : proc(l.process);
      if (d.clean && l.kind === "spinlock") return { ref: owner.mutex(nm("m", i)), kind: "mutex" };
      if (l.kind === "rwsem") return { ref: owner.rwsem(nm("r", i), { policy: l.policy }), kind: "rwsem" };
      return { ref: l.kind === "mutex" ? owner.mutex(nm("m", i)) : owner.spinlock(nm("s", i)), kind: l.kind };
    });
    // held() may also name an mmap_lock.
    const heldable: AnyLock[] = [...locks, ...procs.map((p) => ({ ref: p.mmapLock as LockRef, kind: "rwsem" as const }))];
    const vars = d.vars.map((v, i) => {
      if (v.kind === "bool") return { desc: v, ref: m.bool(nm("b", i), v.init) as VarRef<boolean | number | string> };
      if (v.kind === "int") return { desc: v, ref: m.int(nm("n", i), { min: 0, max: v.max }, v.init) as VarRef<boolean | number | string> };
      const values = enumValues(v.values);
      return { desc: v, ref: m.enum(nm("e", i), values, values[v.init] as string) as VarRef<boolean | number | string> };
    });
    const procRefs: ProcRef[] = d.procs.map((_, i) => m.proc(nm("f", i)));
    // A region's fault procedure is f<i>; procedure f<i> may only touch regions whose
    // fault procedure comes before it, and call procedures before it (no recursion).
    const regions: { ref: RegionRef; fault: number | null }[] = d.regions.map((r, i) => {
      const fault = r.fault === null || procRefs.length === 0 ? null : r.fault % procRefs.length;
      const opts = { pinned: r.pinned, ...(fault === null ? {} : { fault: procRefs[fault] as ProcRef }) };
      return { ref: proc(r.process).region(nm("mem", i), opts), fault };
    });
    const threads: ThreadRef[] = [];

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

    const condOf = (c: CondDesc, visible: number): Cond => {
      switch (c.k) {
        case "lit":
          return c.value;
        case "var": {
          const v = vars[c.v % Math.max(1, vars.length)];
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
          return not(condOf(c.c, visible));
        case "and":
          return and(condOf(c.a, visible), condOf(c.b, visible));
        case "or":
          return or(condOf(c.a, visible), condOf(c.b, visible));
        case "implies":
          return implies(condOf(c.a, visible), condOf(c.b, visible));
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

    /** Emits `ss`; `self` is the procedure being defined (or procs.length for threads). */
    const emit = (t: Body, ss: readonly StmtDesc[], ctx: { self: number; visible: number; nofault: boolean }): void => {
      for (const s of ss) stmt(t, s, ctx);
    };
    const stmt = (t: Body, s: StmtDesc, ctx: { self: number; visible: number; nofault: boolean }): void => {
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
          const usable = regions.filter((r) => r.fault === null || r.fault < ctx.self);
          const r = usable[s.region % Math.max(1, usable.length)];
          if (!r) return;
          const op = ACCESS[s.op % ACCESS.length] as (typeof ACCESS)[number];
          t[op](r.ref, s.onFault ? { onFault: body(s.onFault) } : undefined);
          return;
        }
        case "nofault":
          t.pagefaultDisable();
          emit(t, s.body, { ...ctx, nofault: true });
          t.pagefaultEnable();
          return;
        case "either":
          t.either(...s.branches.map((b) => body(b)));
          return;
        case "set": {
          const v = vars[s.v % Math.max(1, vars.length)];
          if (!v) return;
          t.set(v.ref, valueOf(v, s.value, ctx.visible));
          return;
        }
        case "if":
          t.if(condOf(s.c, ctx.visible), body(s.then), body(s.else));
          return;
        case "await":
          if (!d.clean) t.await(condOf(s.c, ctx.visible));
          return;
        case "repeat":
          t.repeat(s.times, body(s.body));
          return;
        case "while":
          t.while(condOf(s.c, ctx.visible), { bound: s.bound }, body(s.body));
          return;
        case "call":
          if (ctx.self > 0) t.call(procRefs[s.proc % ctx.self] as ProcRef);
          return;
        case "return":
          // With page faults disabled a return would unbalance them (a model error).
          if (!ctx.nofault && !d.clean) t.return();
          return;
        case "assert":
          if (!d.clean) t.assert(condOf(s.c, ctx.visible), "fuzz");
          return;
        case "label":
          t.label(`L${s.label}`);
          return;
      }
    };
    const valueOf = (v: (typeof vars)[number], x: ValueDesc, visible: number): Operand<boolean | number | string> => {
      const d = v.desc;
      switch (x.k) {
        case "lit":
          return d.kind === "bool" ? x.x % 2 === 0 : d.kind === "int" ? x.x % (d.max + 1) : (enumValues(d.values)[x.x % d.values] as string);
        case "step":
          if (d.kind === "int") return x.up ? (v.ref as unknown as VarRef<number>).plus(1) : (v.ref as unknown as VarRef<number>).minus(1);
          return d.kind === "bool" ? not(v.ref as unknown as VarRef<boolean>) : (enumValues(d.values)[x.up ? 1 : 0] as string);
        case "copy": {
          // Another variable of the same kind (an enum may not share the domain: a Domain_ finding).
          const same = vars.filter((w) => w.desc.kind === d.kind);
          return (same[x.from % same.length] as (typeof vars)[number]).ref;
        }
        case "cond":
          return d.kind === "bool" ? condOf(x.c, visible) : valueOf(v, { k: "step", up: true }, visible);
      }
    };

    d.threads.forEach((th, i) => {
      threads.push(proc(th.process).thread(nm("T", i), (t) => emit(t, th.body, { self: procRefs.length, visible: i, nofault: false })));
    });
    d.procs.forEach((p, i) => m.define(procRefs[i] as ProcRef, (t) => emit(t, p, { self: i, visible: threads.length, nofault: false })));
    if (!d.clean) d.invariants.forEach((c, i) => m.invariant(nm("inv", i), condOf(c, threads.length)));
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
      return [s.body];
    case "try":
    case "if":
      return [s.then, s.else];
    case "either":
      return s.branches;
    case "access":
      return s.onFault ? [s.onFault] : [];
    default:
      return [];
  }
}
