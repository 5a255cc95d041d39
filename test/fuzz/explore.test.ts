// The reference explorer on its own: small models whose state spaces can be
// counted by hand, and one model per finding of SEMANTICS.
import { describe, expect, it } from "vitest";
import { model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";

describe("state counting", () => {
  it("counts the initial state, and the Terminated stutter only as generated", () => {
    const r = explore(model("empty", (m) => void m.process("p").thread("T", () => {})));
    expect([r.verdict, r.distinct, r.generated, r.depth]).toEqual(["ok", 1, 2, 1]);
  });

  it("interleaves two threads: 2 x 2 pcs of one step each", () => {
    const r = explore(
      model("two", (m) => {
        const x = m.bool("x", false);
        const p = m.process("p");
        p.thread("A", (t) => t.set(x, true));
        p.thread("B", (t) => t.set(x, true));
      }),
    );
    // {A,B} x {before, after}; x is true as soon as one has run: 4 states.
    expect([r.verdict, r.distinct, r.generated, r.depth]).toEqual(["ok", 4, 6, 3]);
  });

  /** One access with page faults disabled: it either succeeds or fails with -EFAULT, then the thread ends. */
  const faultingAccess = () =>
    model("fault", (m) => {
      const p = m.process("p");
      const buf = p.region("buf");
      p.thread("T", (t) => {
        t.pagefaultDisable();
        t.copyToUser(buf);
        t.pagefaultEnable();
      });
    });

  it("counts both outcomes of an access that faults even when they meet again", () => {
    const r = explore(faultingAccess(), { merge: false });
    // page present and -EFAULT both go on to the end: 2 distinct, 1 + 2 + 1 generated.
    expect([r.distinct, r.generated]).toEqual([2, 4]);
  });

  it("merged, runs an absorbed entry in Init: one initial state per distinct first kept pc", () => {
    const r = explore(faultingAccess());
    // Both outcomes end the thread: Init has the one state where T is done, then its stutter.
    expect([r.distinct, r.generated]).toEqual([1, 2]);
  });

  /** A writer and a reader of one rwsem, each taking and releasing it once. */
  const writerAndReader = () =>
    model("queue", (m) => {
      const sem = m.rwsem("sem");
      const p = m.process("p");
      p.thread("W", (t) => {
        t.downWrite(sem);
        t.upWrite(sem);
      });
      p.thread("R", (t) => {
        t.downRead(sem);
        t.upRead(sem);
      });
    });

  it("makes joining a rwsem queue a step of its own", () => {
    const r = explore(writerAndReader(), { merge: false });
    // Both free; one holds; it queues behind the other (a step that leaves its pc);
    // the release grants the queued thread at once (no state with the lock free and
    // a waiter queued): 3 + 2 + 2 queued + one holds, other done (4) + both done = 10.
    expect([r.verdict, r.distinct, r.generated, r.depth]).toEqual(["ok", 10, 14, 5]);
  });

  it("merged, runs a release the thread surely holds in the acquire's step", () => {
    const r = explore(writerAndReader());
    // Nobody is ever seen holding sem, so nobody queues: {W, R} x {before, done}.
    expect([r.verdict, r.distinct, r.generated, r.depth]).toEqual(["ok", 4, 6, 3]);
  });
});

describe("findings", () => {
  it("ABBA is a deadlock of both threads", () => {
    const r = explore(
      model("abba", (m) => {
        const a = m.mutex("a");
        const b = m.mutex("b");
        const p = m.process("p");
        const t1 = p.thread("T1", (t) => { t.lock(a); t.lock(b); t.unlock(b); t.unlock(a); });
        const t2 = p.thread("T2", (t) => { t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
        void t1;
        void t2;
      }),
    );
    expect(r.verdict).toBe("deadlock");
    expect(r.violation).toEqual({ kind: "deadlock", threads: ["t1", "t2"] });
    expect(r.depth).toBe(3);
  });

  it("a second down_read queues behind a waiting writer (fair), not under recursive-read", () => {
    const build = (policy: "fair" | "recursive-read") =>
      model(policy, (m) => {
        const sem = m.rwsem("sem", { policy });
        const p = m.process("p");
        p.thread("reader", (t) => { t.downRead(sem); t.downRead(sem); t.upRead(sem); t.upRead(sem); });
        p.thread("writer", (t) => { t.downWrite(sem); t.upWrite(sem); });
      });
    expect(explore(build("fair")).verdict).toBe("deadlock");
    expect(explore(build("recursive-read")).verdict).toBe("ok");
  });

  it("reports lock-leak, bad-unlock, sleep-in-atomic, assertion, invariant and domain", () => {
    const leak = model("leak", (m) => {
      const a = m.mutex("a");
      m.process("p").thread("T", (t) => t.lock(a));
    });
    const bad = model("bad", (m) => {
      const a = m.mutex("a");
      m.process("p").thread("T", (t) => { t.either((b) => b.lock(a), () => {}); t.unlock(a); });
    });
    const atomic = model("atomic", (m) => {
      const s = m.spinlock("s");
      const p = m.process("p");
      const buf = p.region("buf");
      p.thread("T", (t) => { t.lock(s); t.copyToUser(buf); t.unlock(s); });
    });
    const assertion = model("assertion", (m) => {
      const x = m.int("x", { min: 0, max: 3 }, 0);
      m.process("p").thread("T", (t) => { t.set(x, 1); t.assert(x.eq(0), "x is 0"); });
    });
    const invariant = model("invariant", (m) => {
      const x = m.bool("x", false);
      m.process("p").thread("T", (t) => t.set(x, true));
      m.invariant("x stays false", x.eq(false));
    });
    const domain = model("domain", (m) => {
      const x = m.int("x", { min: 0, max: 1 }, 1);
      m.process("p").thread("T", (t) => t.set(x, x.plus(1)));
    });
    expect([leak, bad, atomic, assertion, invariant, domain].map((d) => [explore(d).verdict, explore(d).violation?.kind])).toEqual([
      ["lock-leak", "lock-leak"],
      ["bad-unlock", "bad-unlock"],
      ["sleep-in-atomic", "sleep-in-atomic"],
      ["assertion", "assertion"],
      ["invariant", "invariant"],
      ["invariant", "domain"],
    ]);
  });

  it("reports a reachable release of a lock no path holds as a bad-unlock, merged and unmerged", () => {
    const never = model("never held", (m) => {
      const a = m.mutex("a");
      const sem = m.rwsem("sem");
      const p = m.process("p");
      const fault = m.proc("fault", (f) => { f.lock(a); f.upRead(sem); });
      const buf = p.region("buf", { fault });
      p.thread("T", (t) => { t.downWrite(sem); t.upWrite(sem); t.load(buf); });
    });
    for (const merge of [true, false]) {
      const r = explore(never, { merge });
      expect([r.verdict, r.violation?.kind]).toEqual(["bad-unlock", "bad-unlock"]);
    }
  });

  it("a wait nobody can end is a deadlock once the others finish", () => {
    const r = explore(
      model("lost wakeup", (m) => {
        const ready = m.bool("ready", false);
        const p = m.process("p");
        p.thread("waiter", (t) => t.await(ready));
        p.thread("other", (t) => t.either((b) => b.set(ready, true), () => {}));
      }),
      { merge: false },
    );
    expect(r.verdict).toBe("deadlock");
    expect(r.trace?.map((s) => s.thread)).toEqual([undefined, "t2"]);
    // Merged, the either runs in Init: one initial state already has the waiter stuck.
    const merged = explore(
      model("lost wakeup", (m) => {
        const ready = m.bool("ready", false);
        const p = m.process("p");
        p.thread("waiter", (t) => t.await(ready));
        p.thread("other", (t) => t.either((b) => b.set(ready, true), () => {}));
      }),
    );
    expect([merged.verdict, merged.trace?.length]).toEqual(["deadlock", 1]);
  });
});
