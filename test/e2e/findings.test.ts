// Every finding kind of SEMANTICS, each on a small model through real TLC,
// with its verdict and the explanation a reviewer reads.
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { and, not } from "../../src/dsl/expr.js";
import { toolchain } from "../helpers/toolchain.js";

const run = async (def: ModelDef) => check(def, { toolchain: await toolchain() });
const lineOf = (r: Awaited<ReturnType<typeof run>>) => [r.verdict, r.finding?.summary, ...(r.finding?.details ?? [])];

describe("deadlock", () => {
  it("finds ABBA on two mutexes while other threads can still run", async () => {
    const r = await run(
      model("abba", (m) => {
        const p = m.process("p");
        const a = m.mutex("a");
        const b = m.mutex("b");
        p.thread("T1", (t) => { t.lock(a); t.lock(b); t.unlock(b); t.unlock(a); });
        p.thread("T2", (t) => { t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
        p.thread("bystander", (t) => t.repeat(3, (x) => x.either(() => {}, () => {})));
      }),
    );
    expect(r.verdict).toBe("deadlock");
    expect(r.finding?.cycle).toEqual(["T1", "T2", "T1"]);
    expect(r.finding?.details).toContain("cycle: T1 -> T2 -> T1");
    const l = r.finding?.lockdep;
    expect(l?.header).toBe("WARNING: possible circular locking dependency detected");
    expect(l?.rows.map((x) => `${l.columns[x.column]}: ${x.text}`)).toEqual(["T1: lock(&a);", "T2: lock(&b);", "T1: lock(&b);", "T2: lock(&a);"]);
  });

  it("finds the self-deadlock of a mutex taken twice", async () => {
    const r = await run(
      model("self", (m) => {
        const a = m.mutex("a");
        m.process("p").thread("T1", (t) => { t.lock(a); t.lock(a); });
      }),
    );
    expect(r.verdict).toBe("deadlock");
    expect(r.finding?.waits?.[0]?.text).toMatch(/^T1 waits for &a at findings\.test\.ts:\d+: held by T1$/);
    expect(r.finding?.summary).toBe("deadlock: T1 waits for itself");
    expect(r.finding?.lockdep?.header).toBe("WARNING: possible recursive locking detected");
    expect(r.finding?.lockdep?.rows.map((x) => x.text)).toEqual(["lock(&a);", "lock(&a);"]);
  });

  it("recursive down_read blocks behind a queued writer (fair), not under recursive-read", async () => {
    const build = (policy: "fair" | "recursive-read") =>
      model(`recursive read ${policy}`, (m) => {
        const sem = m.rwsem("sem", { policy });
        const p = m.process("p");
        p.thread("reader", (t) => { t.downRead(sem); t.downRead(sem); t.upRead(sem); t.upRead(sem); });
        p.thread("writer", (t) => { t.downWrite(sem); t.upWrite(sem); });
      });
    const fair = await run(build("fair"));
    expect(fair.verdict).toBe("deadlock");
    expect(fair.finding?.waits?.map((w) => w.text.replace(/ at \S+:\d+/, ""))).toEqual([
      "reader waits for &sem (read): queued behind writer writer",
      "writer waits for &sem (write): held for read by reader",
    ]);
    expect((await run(build("recursive-read"))).verdict).toBe("ok");
  });

  it("a wait_event nobody can satisfy is a deadlock once the others finish", async () => {
    const r = await run(
      model("lost wakeup", (m) => {
        const ready = m.bool("ready", false);
        const p = m.process("p");
        p.thread("waiter", (t) => t.await(ready));
        p.thread("other", (t) => t.either((b) => b.set(ready, true), () => {}));
      }),
    );
    expect(r.verdict).toBe("deadlock");
    expect(r.finding?.waits?.[0]?.text).toMatch(/^waiter waits for ready at .*: no thread is left to make it true$/);
  });

  it("is not reported when every thread finishes", async () => {
    const r = await run(
      model("fine", (m) => {
        const a = m.mutex("a");
        const p = m.process("p");
        p.thread("T1", (t) => { t.lock(a); t.unlock(a); });
        p.thread("T2", (t) => { t.lock(a); t.unlock(a); });
      }),
    );
    expect(r.verdict).toBe("ok");
  });
});

describe("rwsem hand-over (SEMANTICS: on release the head is granted)", () => {
  it("the woken waiter runs the rest of its step inside the release, and the trace says so", async () => {
    const r = await run(
      model("handoff", (m) => {
        const sem = m.rwsem("sem");
        const mu = m.mutex("M");
        const wrote = m.bool("wrote", false);
        const p = m.process("p");
        const reader = p.thread("reader", (t) => {
          t.downRead(sem);
          t.either((b) => { b.lock(mu); b.unlock(mu); }, () => {});
          t.upRead(sem);
        });
        p.thread("writer", (t) => { t.downWrite(sem); t.set(wrote, true); t.upWrite(sem); });
        m.invariant("the reader never holds sem after the write", not(and(m.held(sem, reader), wrote)));
      }),
    );
    expect(r.verdict).toBe("invariant");
    const steps = r.finding?.steps ?? [];
    expect(steps.map((s) => [s.tlcStep, s.merged, s.thread, s.operation, s.effect])).toEqual([
      [1, false, "writer", "down_write(&sem)", "acquired for write"],
      [2, false, "reader", "down_read(&sem)", "waits in the queue: held for write by writer"],
      [3, false, "writer", "wrote = true", "wrote: false -> true"],
      [4, false, "writer", "up_write(&sem)", "released"],
      // Granted at once: the same TLC step, then its either (merged after the acquire),
      // and M, which no state ever shows held, taken and given back in the branch.
      [4, true, "reader", "down_read(&sem)", "acquired for read: granted when writer released it"],
      [4, true, "reader", "either (2 ways)", "takes branch 1 of 2"],
      [4, true, "reader", "mutex_lock(&M)", "acquired"],
      [4, true, "reader", "mutex_unlock(&M)", "released"],
    ]);
    // Right after the release the reader is still queued; then it holds sem.
    expect(steps[3]?.state).toContain("&sem: queue: reader (read)");
    expect(steps[3]?.state).toContain("reader: at down_read(&sem) (findings.test.ts:" + String(steps[1]?.loc.line) + ")");
    expect(steps[4]?.state).toContain("&sem: read-held by reader");
  });
});

describe("lock-leak", () => {
  it("names the thread, the lock and where it was taken", async () => {
    const r = await run(
      model("leak", (m) => {
        const sem = m.rwsem("i_mmap_rwsem");
        const err = m.bool("error_path", false);
        const p = m.process("p");
        p.thread("fault", (t) => {
          t.downRead(sem);
          t.either((b) => b.set(err, true), () => {});
          t.if(err, (b) => b.return());
          t.upRead(sem);
        });
      }),
    );
    expect(r.verdict).toBe("lock-leak");
    expect(r.finding?.summary).toMatch(/^fault finished holding &i_mmap_rwsem \(read\), taken in step 1 at findings\.test\.ts:\d+$/);
    expect(r.finding?.lockdep?.header).toBe("WARNING: lock held when returning to user space!");
    expect(r.finding?.lockdep?.rows.map((x) => x.text)).toEqual(["rlock(&i_mmap_rwsem);"]);
  });
});

describe("bad-unlock", () => {
  it("reports a release on a path where the lock is not held", async () => {
    const r = await run(
      model("bad unlock", (m) => {
        const a = m.mutex("a");
        const p = m.process("p");
        p.thread("T1", (t) => {
          t.trylock(a, () => {}, () => {});
          t.unlock(a);
        });
        p.thread("T2", (t) => { t.lock(a); t.unlock(a); });
      }),
    );
    expect(r.verdict).toBe("bad-unlock");
    expect(r.finding?.summary).toMatch(/^T1 calls mutex_unlock\(&a\) at findings\.test\.ts:\d+ without holding &a$/);
    expect(r.finding?.lockdep?.header).toBe("WARNING: bad unlock balance detected!");
  });
});

describe("sleep-in-atomic", () => {
  it("catches a mutex taken under a spinlock", async () => {
    const r = await run(
      model("mutex under spinlock", (m) => {
        const s = m.spinlock("s");
        const mx = m.mutex("mx");
        m.process("p").thread("T1", (t) => { t.lock(s); t.lock(mx); t.unlock(mx); t.unlock(s); });
      }),
    );
    expect(r.verdict).toBe("sleep-in-atomic");
    expect(r.finding?.summary).toMatch(/^T1 sleeps in mutex_lock\(&mx\) at .* while holding spinlock &s$/);
    expect(r.finding?.lockdep?.header).toBe("BUG: sleeping function called from invalid context");
    expect(r.finding?.lockdep?.rows.map((x) => x.text)).toEqual(["lock(&s);"]);
  });

  it("catches a page fault handled under a spinlock, but not with page faults disabled", async () => {
    const build = (disable: boolean) =>
      model(`fault under spinlock ${disable}`, (m) => {
        const s = m.spinlock("s");
        const app = m.process("app");
        const buf = app.region("buf");
        app.thread("T1", (t) => {
          t.lock(s);
          if (disable) t.pagefaultDisable();
          t.copyFromUser(buf);
          if (disable) t.pagefaultEnable();
          t.unlock(s);
        });
      });
    const r = await run(build(false));
    expect(r.verdict).toBe("sleep-in-atomic");
    expect(r.finding?.summary).toMatch(/^T1 handles a page fault \(down_read\(&app->mmap_lock\)\) at .* while holding spinlock &s$/);
    expect((await run(build(true))).verdict).toBe("ok");
  });
});

describe("assertion and invariant", () => {
  it("reports the failed assertion with its message and the values involved", async () => {
    const r = await run(
      model("race", (m) => {
        const n = m.int("allocated", { min: 0, max: 2 }, 0);
        const p = m.process("p");
        for (const name of ["F1", "F2"]) {
          p.thread(name, (t) => {
            t.if(n.eq(0), (b) => b.set(n, n.plus(1)));
            t.assert(n.le(1), "block allocated twice");
          });
        }
      }),
    );
    // Both threads see 0 and allocate: the counter reaches 2.
    expect(lineOf(r)).toEqual(["assertion", expect.stringMatching(/^assertion failed in F\d at findings\.test\.ts:\d+: block allocated twice$/), "allocated <= 1 is false", "with allocated = 2"]);
  });

  it("reports a violated model invariant by name", async () => {
    const r = await run(
      model("inv", (m) => {
        const freed = m.bool("tables_freed", false);
        const used = m.bool("tables_used", false);
        const p = m.process("p");
        p.thread("unmap", (t) => t.set(freed, true));
        p.thread("user", (t) => t.set(used, true));
        m.invariant("never used after free", not(and(freed, used)));
      }),
    );
    expect(r.verdict).toBe("invariant");
    expect(r.finding?.summary).toMatch(/^invariant 'never used after free' violated \(findings\.test\.ts:\d+\)$/);
  });

  it("reports a loop that reaches its explicit bound as loop-bound, not as an assertion", async () => {
    const r = await run(
      model("bound", (m) => {
        const busy = m.bool("busy", true);
        m.process("p").thread("poller", (t) => t.while(busy, { bound: 2 }, () => {}));
      }),
    );
    expect(r.verdict).toBe("loop-bound");
    expect(r.finding?.summary).toMatch(/^poller: loop at findings\.test\.ts:\d+ reaches its bound of 2 iterations; exploration stops here/);
  });

  it("checks the same loop without a bound as a back edge: no finding", async () => {
    const r = await run(
      model("no bound", (m) => {
        const busy = m.bool("busy", true);
        m.process("p").thread("poller", (t) => t.while(busy, () => {}));
      }),
    );
    expect(r.verdict).toBe("ok");
  });
});

describe("termination", () => {
  it("finds a thread that can spin forever under weak fairness", async () => {
    const r = await run(
      model("livelock", (m) => {
        const flag = m.bool("flag", false);
        const p = m.process("p");
        p.thread("poller", (t) => t.await(flag));
        p.thread("setter", (t) => t.either((b) => b.set(flag, true), () => {}));
        m.checkTermination();
      }),
    );
    // Either the setter skips and the poller waits forever (a deadlock, found first)...
    expect(r.verdict).toBe("deadlock");
  });

  it("checks the Termination property under weak fairness when asked", async () => {
    const r = await run(
      model("terminates", (m) => {
        const sem = m.rwsem("sem");
        const p = m.process("p");
        p.thread("R", (t) => { t.downRead(sem); t.upRead(sem); });
        p.thread("W", (t) => { t.downWrite(sem); t.upWrite(sem); });
        m.checkTermination();
      }),
    );
    expect(r.spec?.cfg).toContain("PROPERTY Termination");
    expect(r.spec?.tla).toContain("WF_vars(Step_R)");
    expect(r.verdict).toBe("ok");
  });
});
