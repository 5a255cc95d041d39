// The deadlock invariant, written for TLC's speed (templates/findings.hbs): the
// blockers it uses are the holders alone (SEMANTICS adds the waiters queued
// ahead), and without wait_events it asks only the acquires where a thread may
// hold a lock. Both find a stuck set exactly when SEMANTICS' definition does:
// the spec text says what TLC evaluates, and TLC agrees with the reference
// explorer (which keeps SEMANTICS' definition) on models where the stuck set
// has waiters that hold nothing or wait behind others.
import { describe, expect, it } from "vitest";
import { compile } from "../../src/check.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { family2 } from "../../bench/family2.js";
import { differential } from "../fuzz/differential.js";
import { toolchain } from "../helpers/toolchain.js";

const spec = (def: ModelDef): string => {
  const c = compile(def);
  if (!c.ok) throw new Error("model does not compile");
  return c.spec.tla;
};
/** The definition of `name`: from its line to the next line that starts a new one. */
const defOf = (tla: string, name: string): string => {
  const rest = tla.slice(tla.indexOf(`\n${name} ==`) + 1);
  return rest.slice(0, rest.search(/\n\S/)).trim();
};

describe("the deadlock invariant's text", () => {
  it("asks only the acquires where a thread may hold a lock, and walks no queue", () => {
    // family 2: readers take M and S under mmap_lock, ioctls take S under M;
    // writers hold nothing when they take S or mmap_lock.
    const tla = spec(family2({ k: 2, f: 2, w: 2, l: 1 }, true));
    const blocked = defOf(tla, "BlockedNow");
    expect(blocked).toContain(`(IF owner["M"] = NoOne THEN {} ELSE {t \\in {reader1, reader2} : pc[t] `);
    expect(blocked).toMatch(/\{t \\in \{ioctl1, ioctl2\} : pc\[t\] (=|\\in) [^}]*\}/);
    expect(blocked).not.toMatch(/writer\d/);
    expect(blocked).not.toContain("app_mmap_lock");
    // Whether S lets readers in is asked once, not for each thread.
    expect(blocked).toContain(`LET r == rw["S_2"] IN (IF r.writer = NoOne /\\ r.queue = <<>> THEN {} ELSE `);
    expect(blocked).not.toContain("CanRead");
    expect(tla).toContain("LockBlockers(t, l, m) == IF m = \"excl\" THEN {owner[l]} \\ {NoOne} ELSE Holders(l)\n");
    expect(tla).not.toContain("AheadSet");
    expect(tla).toContain("NoDeadlock == Deadlocked = {}");
  });

  it("is the empty set where no thread ever waits while holding a lock", () => {
    const tla = spec(
      model("one at a time", (m) => {
        const a = m.mutex("a");
        const b = m.mutex("b");
        const p = m.process("p");
        p.thread("T1", (t) => { t.lock(a); t.unlock(a); t.lock(b); t.unlock(b); });
        p.thread("T2", (t) => { t.lock(b); t.unlock(b); t.lock(a); t.unlock(a); });
      }),
    );
    expect(defOf(tla, "BlockedNow")).toBe("BlockedNow ==\n    {}");
  });

  it("asks every acquire of a thread whose lock-hold counts saturate, and gives its twins no guard", () => {
    // Past MAX_HOLDS nested holds the analysis may read 0 where one is held.
    const tla = spec(
      model("nine reads, twice", (m) => {
        const sem = m.rwsem("sem", { policy: "recursive-read" });
        const a = m.mutex("a");
        m.process("p").threads(2, "T", (t) => { t.repeat(9, (x) => x.downRead(sem)); t.repeat(8, (x) => x.upRead(sem)); t.lock(a); t.unlock(a); t.upRead(sem); });
      }),
    );
    // The first down_read holds nothing, but the counts saturate: it is asked too.
    const blocked = defOf(tla, "BlockedNow");
    expect(blocked).toMatch(/\(IF rw\["sem"\] = FreeRw THEN \{\} ELSE \{t \\in \{T1, T2\} : pc\[t\] \\in \{("p\d+", ){8}"p\d+"\} \/\\ ~CanRead\("sem", t\)\}\)/);
    expect(tla).not.toContain("a twin ahead stands here");
  });

  it("asks every acquire when a wait_event may be part of the stuck set", () => {
    const tla = spec(
      model("await and locks", (m) => {
        const a = m.mutex("a");
        const ready = m.bool("ready", false);
        const p = m.process("p");
        p.thread("T1", (t) => { t.lock(a); t.unlock(a); t.await(ready); });
        p.thread("T2", (t) => { t.lock(a); t.set(ready, true); t.unlock(a); });
      }),
    );
    const blocked = defOf(tla, "BlockedNow");
    expect(blocked).toContain(`(IF owner["a"] = NoOne THEN {} ELSE `);
    expect(blocked).toContain("{t \\in Threads : AwaitBlocked(t)}");
  });
});

// Stuck sets with members that hold nothing, or wait behind a queued writer:
// TLC's verdict, trace length and state counts against the explorer's.
const cases: [string, ModelDef, string][] = [
  [
    "recursive down_read behind a queued writer",
    model("recursive read", (m) => {
      const sem = m.rwsem("sem");
      const p = m.process("p");
      p.thread("reader", (t) => { t.downRead(sem); t.downRead(sem); t.upRead(sem); t.upRead(sem); });
      p.thread("writer", (t) => { t.downWrite(sem); t.upWrite(sem); });
      p.thread("late reader", (t) => { t.downRead(sem); t.upRead(sem); });
    }),
    "deadlock",
  ],
  [
    "ABBA where a writer that holds nothing waits between",
    model("abba with a queued writer", (m) => {
      const sem = m.rwsem("sem");
      const mx = m.mutex("mx");
      const p = m.process("p");
      p.thread("A", (t) => { t.downRead(sem); t.lock(mx); t.unlock(mx); t.upRead(sem); });
      p.thread("B", (t) => { t.lock(mx); t.downRead(sem); t.upRead(sem); t.unlock(mx); });
      p.thread("W", (t) => { t.downWrite(sem); t.upWrite(sem); });
    }),
    "deadlock",
  ],
  [
    "a chain of waiters that ends at a running thread",
    model("chain", (m) => {
      const a = m.mutex("a");
      const b = m.mutex("b");
      const sem = m.rwsem("sem");
      const p = m.process("p");
      p.thread("T1", (t) => { t.lock(a); t.lock(b); t.unlock(b); t.unlock(a); });
      p.thread("T2", (t) => { t.lock(b); t.downWrite(sem); t.upWrite(sem); t.unlock(b); });
      p.thread("T3", (t) => { t.downRead(sem); t.repeat(2, (x) => x.either(() => {}, () => {})); t.upRead(sem); });
      p.thread("T4", (t) => { t.downWrite(sem); t.upWrite(sem); t.lock(a); t.unlock(a); });
    }),
    "ok",
  ],
  [
    // The lock-hold analysis caps its counts (src/ir/program.ts MAX_HOLDS): after
    // nine down_reads and eight up_reads it may say none is held. T1 still holds
    // one when it blocks on a.
    "a read lock taken nine times, released eight, held across a mutex",
    model("nine reads", (m) => {
      const sem = m.rwsem("sem", { policy: "recursive-read" });
      const a = m.mutex("a");
      const p = m.process("p");
      p.thread("T1", (t) => { t.repeat(9, (x) => x.downRead(sem)); t.repeat(8, (x) => x.upRead(sem)); t.lock(a); t.unlock(a); t.upRead(sem); });
      p.thread("T2", (t) => { t.lock(a); t.downWrite(sem); t.upWrite(sem); t.unlock(a); });
    }),
    "deadlock",
  ],
  [
    "a lock held across a wait_event",
    model("held across wait", (m) => {
      const a = m.mutex("a");
      const ready = m.bool("ready", false);
      const p = m.process("p");
      p.thread("waiter", (t) => { t.lock(a); t.await(ready); t.unlock(a); });
      p.thread("waker", (t) => { t.lock(a); t.set(ready, true); t.unlock(a); });
    }),
    "deadlock",
  ],
];

describe.each(cases)("%s", (_name, def, verdict) => {
  it(`is ${verdict} for TLC and the explorer alike`, async () => {
    const r = await differential(def, await toolchain());
    expect(r).toMatchObject({ kind: "agree", verdict });
  });
});
