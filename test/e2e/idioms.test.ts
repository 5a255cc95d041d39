// The models of specs/idioms (locals, loops as back edges, loop bounds, livelock)
// through real TLC: each verdict, the reference explorer's agreement (verdict and
// distinct states), and the trace lines a kernel developer reads.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckOptions, type CheckResult, check, compile } from "../../src/check.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import type { Body } from "../../src/dsl/body.js";
import type { LocalRef } from "../../src/dsl/refs.js";
import { explore } from "../../src/explore/index.js";
import { toItf } from "../../src/trace/itf.js";
import { toolchain } from "../helpers/toolchain.js";

const specs = path.resolve(import.meta.dirname, "../../specs/idioms");
const load = async (file: string) => (await import(path.join(specs, file))).default as ModelDef;

/**
 * check() once per generated spec: these models have no thread groups, so
 * `symmetry: false` (the explorer's comparison below) generates the very spec the
 * default does, and the later tests read other parts of the same result.
 */
const runs = new Map<string, Promise<CheckResult>>();
async function checkFile(file: string, opts: Pick<CheckOptions, "symmetry"> = {}): Promise<CheckResult> {
  const def = await load(file);
  const c = compile(def, opts);
  if (!c.ok) return check(def, { toolchain: await toolchain(), ...opts });
  const key = `${c.spec.tla}\0${c.spec.cfg}`;
  let r = runs.get(key);
  if (!r) runs.set(key, (r = (async () => check(def, { toolchain: await toolchain(), ...opts }))()));
  return r;
}

const cases: Record<string, string> = {
  "locals.ts": "ok",
  "procedure-locals.ts": "ok",
  "break-continue.ts": "ok",
  "futex-retry.ts": "ok",
  "futex-livelock.ts": "termination",
  "futex-bounded.ts": "loop-bound",
  "page-locks.ts": "deadlock",
  "inode-rwsem.ts": "ok",
  "stable-pages.ts": "invariant",
  "stable-pages-fixed.ts": "ok",
};

describe.each(Object.entries(cases))("%s", (file, verdict) => {
  it(`is ${verdict} under TLC and in the reference explorer, with the same distinct states`, async () => {
    const def = await load(file);
    const r = await checkFile(file, { symmetry: false });
    const ex = explore(def);
    expect([r.verdict, ex.verdict]).toEqual([verdict, verdict]);
    // For a safety finding both stop at the first violation, where the counts depend on order.
    if (verdict === "ok" || verdict === "termination") expect(r.stats?.distinct).toBe(ex.distinct);
    else expect(r.finding?.steps.at(-1)?.tlcStep).toBe(ex.depth - 1);
  });
});

describe("a retry loop, as the kernel writes it", () => {
  it("checks the futex `goto retry` with no unrolling: one action per node, whatever the number of rounds", async () => {
    const r = await checkFile("futex-retry.ts");
    expect(r.verdict).toBe("ok");
    // No node is repeated per iteration: every statement of the loop lowers to one action.
    const actions = [...(r.spec?.names.actions.values() ?? [])].filter((a) => a.thread === (r.spec ? [...r.spec.names.threads.keys()][0] : ""));
    expect(actions.length).toBeLessThanOrEqual(4);
  });

  it("prints a livelock as a lasso: the prefix, then the steps that repeat", async () => {
    const r = await checkFile("futex-livelock.ts");
    expect(r.verdict).toBe("termination");
    const f = r.finding;
    expect(f?.summary).toBe("not every thread finishes: T1 futex_wait can run forever without finishing");
    const m = /^livelock: steps (\d+)-(\d+) repeat forever \(T1 futex_wait going round\)$/.exec(f?.details[0] ?? "");
    expect(m).not.toBeNull();
    const [from, to] = [Number(m?.[1]), Number(m?.[2])];
    expect(to).toBe(f?.steps.length);
    const loop = (f?.steps ?? []).slice(from - 1).map((s) => `${s.thread}: ${s.operation}: ${s.effect}`);
    // Round and round: the inatomic read faults (-EFAULT), the fallback faults the page in.
    expect(loop).toContain("T1 futex_wait: ret = -EFAULT: assigned");
    expect(loop).toContain("T1 futex_wait: get_user(uaddr): page fault with page faults disabled: -EFAULT");
    // The fallback read (faults enabled) goes on: with or without a fault, the page may
    // fault again at the next inatomic attempt (an untracked page may always fault).
    expect(loop.some((l) => l.startsWith("T1 futex_wait: get_user(uaddr): page "))).toBe(true);
    expect(loop.at(-1)).toMatch(/^T1 futex_wait: /);
  });

  it("reports reaching a loop's explicit bound as loop-bound, never as an assertion", async () => {
    const r = await checkFile("futex-bounded.ts");
    expect(r.verdict).toBe("loop-bound");
    expect(r.finding?.summary).toMatch(/^T1 futex_wait: loop at _futex\.ts:\d+ reaches its bound of 2 iterations; exploration stops here/);
    expect(r.finding?.steps.filter((s) => s.operation === "ret = -EFAULT")).toHaveLength(2);
  });
});

describe("lock arrays", () => {
  it("name their elements the kernel way, also when a local picks the element", async () => {
    const r = await checkFile("page-locks.ts");
    expect(r.verdict).toBe("deadlock");
    const ops = (r.finding?.steps ?? []).map((s) => `${s.thread}: ${s.operation}`);
    expect(ops).toContain("T2 truncate: lock_page(Q)");
    expect(ops).toContain("T1 migrate: lock_page(P)");
    expect(r.finding?.cycle).toEqual(["T2 truncate", "T1 migrate", "T2 truncate"]);
    const c = compile(await load("inode-rwsem.ts"));
    expect(c.ok && c.spec.tla).toContain("down_read(&inode[B]->i_rwsem)");
  });
});

describe("arrays of shared variables", () => {
  it("name their elements as written, in steps, why, JSON and ITF; an invariant may name an element by a thread's local", async () => {
    const r = await check(await load("stable-pages.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("invariant");
    const ops = (r.finding?.steps ?? []).map((s) => `${s.thread}: ${s.operation}: ${s.effect}`);
    expect(ops).toContain("T1 writeback: state[A] = writeback: state[A]: dirty -> writeback");
    expect(ops).toContain("T2 write: state[A] = dirty: state[A]: writeback -> dirty");
    expect(ops).toContain("T1 writeback: if (state[T1 writeback.page] == dirty): true");
    expect(r.finding?.summary).toMatch(/stable page during I\/O/);
    // The invariant reads the element T1's local names: a CASE over the local's values.
    expect(r.spec?.tla).toMatch(/CASE .* = "A" -> state_A \[\] .* = "B" -> state_B/);
    const itf = toItf(r.trace as NonNullable<typeof r.trace>, r.trace?.vars ?? [], {}, r.spec?.names);
    const last = itf.states.at(-1) as Record<string, unknown>;
    expect([last["state_A"], last["state_B"]]).toEqual(["dirty", "clean"]);
    expect(last["locals"]).toEqual({ "#map": [["T1_writeback", { "#map": [["page", "A"]] }], ["T2_write", { "#map": [["page", "A"]] }]] });
  });
});

describe("locals", () => {
  it("show in the trace as the thread's own, where they are assigned", async () => {
    const def = model("local in trace", (m) => {
      const p = m.process("p");
      const buf = p.region("buf");
      p.thread("T1 futex_wait", (t) => {
        const ret = t.enum("ret", ["0", "-EFAULT"], "0");
        t.pagefaultDisable();
        t.getUser(buf, { ret });
        t.pagefaultEnable();
        t.assert(ret.eq("0"), "the read succeeded");
      });
    });
    const r = await check(def, { toolchain: await toolchain() });
    expect(r.verdict).toBe("assertion");
    const lines = (r.finding?.steps ?? []).map((s) => `${s.thread}: ${s.operation}`);
    expect(lines).toContain("T1 futex_wait: ret = -EFAULT");
    expect(r.finding?.summary).toMatch(/the read succeeded$/);
    // ITF carries them per state, read off the pc: -EFAULT where the assertion fails.
    const itf = toItf(r.trace as NonNullable<typeof r.trace>, r.trace?.vars ?? [], {}, r.spec?.names);
    expect(itf.vars).toContain("locals");
    expect(itf.states.at(-1)?.["locals"]).toEqual({ "#map": [["T1_futex_wait", { "#map": [["ret", "-EFAULT"]] }]] });
  });

  it("an invariant may read a thread's local", async () => {
    const def = model("invariant on a local", (m) => {
      const p = m.process("p");
      const a = m.mutex("a");
      let tries: LocalRef<number> | undefined;
      p.thread("T1", (t) => {
        tries = t.int("tries", { min: 0, max: 2 }, 0);
        const n = tries;
        t.while(n.lt(2), (b) => { b.lock(a); b.set(n, n.plus(1)); b.unlock(a); });
      });
      p.thread("T2", (t) => { t.lock(a); t.unlock(a); });
      if (tries) m.invariant("at most one round", tries.le(1));
    });
    const r = await check(def, { toolchain: await toolchain() });
    const ex = explore(def);
    expect([r.verdict, ex.verdict]).toEqual(["invariant", "invariant"]);
    expect(r.finding?.details[0]).toBe("T1.tries <= 1 is false");
  });

  it("cost the same distinct states as the decisions written on constants (TLC)", async () => {
    const tc = await toolchain();
    const [viaLocal, onConstants] = await Promise.all([check(decisions(true), { toolchain: tc }), check(decisions(false), { toolchain: tc })]);
    expect(viaLocal.verdict).toBe(onConstants.verdict);
    expect(viaLocal.stats?.distinct).toBe(onConstants.stats?.distinct);
    expect(viaLocal.stats?.distinct).toBe(explore(decisions(true)).distinct);
  });
});

/**
 * The same decisions twice: through locals (`which` chosen up front, `ret` set by an
 * access that may fail with page faults disabled, both branched on later), and
 * written as `either` on constants with each branch spelled out.
 */
function decisions(viaLocal: boolean): ModelDef {
  return model(viaLocal ? "via locals" : "on constants", (m) => {
    const p = m.process("p");
    const a = m.mutex("a");
    const b = m.mutex("b");
    const buf = p.region("buf");
    p.thread("T1", (t) => {
      if (viaLocal) {
        const ret = t.bool("ret", false);
        const which = t.int("which", { min: 0, max: 2 }, 0);
        t.either((x) => x.set(which, 1), (x) => x.set(which, 2));
        t.lock(a);
        t.pagefaultDisable();
        t.copyFromUser(buf, { ret }); // a thread-local choice: faults (ret) or not
        t.pagefaultEnable();
        t.unlock(a);
        t.if(ret, (f) => { f.lock(b); f.unlock(b); });
        t.if(which.eq(1), (x) => { x.lock(a); x.unlock(a); }, (x) => { x.lock(b); x.unlock(b); });
        return;
      }
      const round = (w: Body, one: boolean) => {
        w.lock(a);
        w.either((x) => { x.unlock(a); x.lock(b); x.unlock(b); }, (x) => x.unlock(a));
        if (one) { w.lock(a); w.unlock(a); } else { w.lock(b); w.unlock(b); }
      };
      t.either((w) => round(w, true), (w) => round(w, false));
    });
    p.thread("T2", (t) => { t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
  });
}
