// The vitest matchers of `faultline/vitest` on real TLC: each passes and fails
// where it should, `.not` turns it round, and a failure's message is the report
// (the trace and who waits for whom), not `expected 'deadlock' to be 'ok'`.
// Each TLC run is shared where the matcher takes a CheckResult: 7 runs in all.
import "../../src/vitest.js";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { model } from "../../src/dsl/model.js";
import { sameCycle } from "../../src/vitest.js";
import { toolchain } from "../helpers/toolchain.js";

const load = async (name: string) => (await import(path.resolve(import.meta.dirname, "../../specs", name))).default as ModelDef;
const asReported = await load("seed000/as-reported.ts");
const copyOutside = await load("seed000/copy-outside-lock.ts");
const opts = { toolchain: await toolchain() };

/** A lock leak and, later, a deadlock: toBeDeadlockFree must look for the deadlock alone. */
const leakThenAbba = model("leak-then-abba", (m) => {
  const a = m.mutex("a");
  const b = m.mutex("b");
  const l = m.mutex("leaked");
  const p = m.process("p");
  p.thread("L", (t) => t.lock(l));
  p.thread("T1", (t) => { t.lock(a); t.lock(b); t.unlock(b); t.unlock(a); });
  p.thread("T2", (t) => { t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
});

describe("faultline/vitest matchers", () => {
  it("toBeDeadlockFree on a model: passes when deadlock-free, fails on a deadlock with the report as its message", async () => {
    await expect(copyOutside).toBeDeadlockFree(opts);
    const err = await expect(asReported).toBeDeadlockFree(opts).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain("expected seed000 as reported to be deadlock-free, but TLC found a deadlock");
    expect(err?.message).toContain("trace (shortest):");
    expect(err?.message).toContain("who waits for whom:");
    expect(err?.message).toContain("T2 reader waits for &A_mutex at _scenario.ts:13 (in driverA_decrypt() <- driverB_read() <- squashfs_fault() <- page fault on squashfs_map at _scenario.ts:24): held by T1 ioctl");
    expect(err?.message).toContain("cycle: T2 reader -> T1 ioctl -> T3 mmap -> T2 reader");
  });

  it("toBeDeadlockFree and toFind look for their kind only: a lock leak found first does not hide a deadlock", async () => {
    const r = await check(leakThenAbba, opts);
    expect(r.verdict).toBe("lock-leak");
    await expect(r).toFind("lock-leak", { threads: ["L"] });
    await expect(expect(r).toHaveNoFindings()).rejects.toThrow(/but TLC found a lock-leak:\n\n[\s\S]*leaked/);
    // The result stopped at the leak: it cannot say there is no deadlock.
    await expect(expect(r).toBeDeadlockFree()).rejects.toThrow(/stopped at a lock-leak first/);
    await expect(leakThenAbba).not.toBeDeadlockFree(opts);
    await expect(leakThenAbba).toFind("deadlock", { cycle: ["T1", "T2"], threads: ["T1", "T2"] }, opts);
  });

  it("toHaveNoFindings on a model: ok passes", async () => {
    await expect(copyOutside).toHaveNoFindings(opts);
    await expect(expect(copyOutside).not.toHaveNoFindings(opts)).rejects.toThrow(/expected seed000 copy outside lock to have a finding, but TLC found none/);
  });

  it("toFind on a CheckResult: the kind, the cycle (any rotation) and the threads; a mismatch names it", async () => {
    const r = await check(asReported, opts);
    await expect(r).toFind("deadlock", { cycle: ["T1 ioctl", "T3 mmap", "T2 reader"], threads: ["T3 mmap", "T1 ioctl", "T2 reader"] });
    await expect(r).not.toBeDeadlockFree();
    await expect(expect(r).toFind("deadlock", { cycle: ["T1 ioctl", "T2 reader", "T3 mmap"] })).rejects.toThrow(
      /but the cycle is T2 reader -> T1 ioctl -> T3 mmap -> T2 reader, not T1 ioctl -> T2 reader -> T3 mmap/,
    );
    await expect(expect(r).toFind("deadlock", { threads: ["T1 ioctl"] })).rejects.toThrow(/the threads are T1 ioctl, T2 reader, T3 mmap, not T1 ioctl/);
    await expect(expect(r).toHaveNoFindings()).rejects.toThrow(/who waits for whom/);
    await expect(expect(r).toFind("lock-leak")).rejects.toThrow(/but TLC found a deadlock, not a lock-leak/);
    await expect(r).not.toFind("lock-leak");
  });

  it("a model that cannot be checked fails, with or without .not", async () => {
    const broken = model("empty", () => undefined);
    await expect(expect(broken).not.toHaveNoFindings(opts)).rejects.toThrow(/could not check 'empty': invalid[\s\S]*FL201/);
    await expect(expect(broken).toHaveNoFindings(opts)).rejects.toThrow(/could not check 'empty'/);
    await expect(expect("specs/seed000/as-reported.ts").toHaveNoFindings()).rejects.toThrow(/expected a faultline model/);
  });

  it("sameCycle: closing repeat optional, rotations equal, order matters", () => {
    expect(sameCycle(["A", "B", "C", "A"], ["B", "C", "A"])).toBe(true);
    expect(sameCycle(["A", "B", "C", "A"], ["A", "C", "B"])).toBe(false);
    expect(sameCycle(["A", "B", "A"], ["A", "B", "C"])).toBe(false);
  });
});
