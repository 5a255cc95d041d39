// Declared lock orders (SEMANTICS "lock-order"): the finding with its trace, even
// where no deadlock is reachable, in the spec (TLC) and in the explorer alike; the
// model errors; and `faultline order`, the comment in mm/rmap.c's style.
import { describe, expect, it } from "vitest";
import { check, compile } from "../../src/check.js";
import { explore } from "../../src/explore/index.js";
import { model } from "../../src/index.js";
import { faultline } from "../helpers/cli.js";
import { toolchain } from "../helpers/toolchain.js";

/** One thread takes b, then a, with the order a before b: no second thread, so no deadlock. */
const oneThread = model("order broken alone", (m) => {
  const app = m.process("app");
  const a = m.mutex("a");
  const b = m.mutex("b");
  m.lockOrder(a, b);
  app.thread("T1", (t) => {
    t.lock(b);
    t.lock(a); // inside b, a's critical section never blocks: merging would hide it
    t.unlock(a);
    t.unlock(b);
  });
  app.thread("T2", (t) => {
    t.lock(a);
    t.unlock(a);
  });
});

describe("lock-order finding", () => {
  it("is reported at the first acquire that breaks the declared order, with its trace, though no deadlock is reachable", async () => {
    const r = await check(oneThread, { toolchain: toolchain() });
    expect(r.verdict).toBe("lock-order");
    expect(r.finding?.summary).toMatch(/^T1 takes a at order\.test\.ts:\d+ while holding b, taken in step 1 at order\.test\.ts:\d+; the lock order declared at order\.test\.ts:\d+ puts a before b$/);
    expect(r.finding?.steps.map((s) => `${s.thread}: ${s.operation}`)).toEqual(["T1: mutex_lock(&b)"]);
    expect(r.finding?.involved).toEqual(["t1"]);
    // The same model without the order is ok: the order is the only thing broken.
    const free = model("no order", (m) => {
      const app = m.process("app");
      const a = m.mutex("a");
      const b = m.mutex("b");
      app.thread("T1", (t) => {
        t.lock(b);
        t.lock(a);
        t.unlock(a);
        t.unlock(b);
      });
    });
    expect((await check(free, { toolchain: toolchain() })).verdict).toBe("ok");
  });

  it("the explorer finds it too, at the same depth, and the spec keeps that acquire a state of its own", () => {
    const ex = explore(oneThread);
    expect(ex.verdict).toBe("lock-order");
    expect(ex.depth).toBe(2);
    const c = compile(oneThread);
    if (!c.ok) throw new Error("invalid");
    expect(c.spec.tla).toContain("NoLockOrderViolation == \\A w \\in OrderAt : pc[w[1]] = w[2] => ~HoldsAs(w[1], w[3], w[4])");
    expect(c.spec.cfg).toContain("INVARIANT NoLockOrderViolation");
    expect(c.spec.names.absorbed.get("t1")).not.toContain("p2");
  });

  it("the orders of a chain hold transitively (a -> b and b -> c forbid a under c)", async () => {
    const def = model("chain", (m) => {
      const app = m.process("app");
      const a = m.mutex("a");
      const b = m.mutex("b");
      const c = m.mutex("c");
      m.lockOrder(a, b);
      m.lockOrder(b, c);
      app.thread("T1", (t) => {
        t.lock(a);
        t.lock(c);
        t.unlock(c);
        t.unlock(a);
      });
      app.thread("T2", (t) => {
        t.lock(c);
        t.lock(a); // c before a breaks a -> b -> c
        t.unlock(a);
        t.unlock(c);
      });
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict).toBe("lock-order");
    expect(r.finding?.summary).toMatch(/^T2 takes a .* while holding c/);
  });

  it("model errors: fewer than two locks, a lock twice, contradicting orders", () => {
    const bad = model("bad orders", (m) => {
      const a = m.mutex("a");
      const b = m.mutex("b");
      m.lockOrder(a);
      m.lockOrder(a, b, a);
      m.lockOrder(a, b);
      m.lockOrder(b, a);
      m.process("app").thread("T", (t) => t.lock(a));
    });
    const c = compile(bad);
    expect(c.ok).toBe(false);
    const codes = c.ok ? [] : c.diagnostics.map((d) => `${d.code} ${d.loc.file}`);
    expect(codes).toEqual(expect.arrayContaining(["FL280 order.test.ts", "FL281 order.test.ts", "FL282 order.test.ts"]));
  });
});

describe("faultline order", () => {
  it("prints seed001's bd_sem -> mmap_lock ordering comment and the nested read, exit 0", async () => {
    const r = await faultline(["order", "specs/seed001/tglx-bd-sem.ts"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "/*",
        " * &app->bd_sem",
        expect.stringMatching(/^ \* {3}&app->mmap_lock +\(in .*mpx_pre_unmap.*\)$/),
        " * &app->mmap_lock (read) nests in itself: &app->mmap_lock (read) again in page fault in invalidate_bd_entry",
        " * declared (m.lockOrder, checked): &app->bd_sem -> &app->mmap_lock",
        " */",
      ]),
    );
  });

  it("says there is no order where locks are taken both ways (seed000), exit 1", async () => {
    const r = await faultline(["order", "specs/seed000/as-reported.ts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(" * no order between &app->mmap_lock, &A_mutex: they are taken in both orders:");
    expect(r.stdout).toContain(" *   &A_mutex -> &app->mmap_lock (read) (in page fault in T1 ioctl)");
  });

  it("nests a chain as mm/filemap.c does (seed002 truncate with XFS_MMAPLOCK)", async () => {
    const r = await faultline(["order", "specs/seed002/truncate-mmaplock.ts"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/ \* &app->mmap_lock\n \* {3}&XFS_MMAPLOCK +\(in .*\)\n \* {5}&i_mmap_rwsem +\(in truncate\)\n/);
  });
});
