// Seed 000 end to end through real TLC: the four variants' verdicts, and the
// deadlock read back in the model's words.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckResult, check } from "../../src/check.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { toolchain } from "../helpers/toolchain.js";

const spec = (name: string) => path.resolve(import.meta.dirname, "../../specs/seed000", name);
/** One TLC check a variant for the file: the tests read different parts of the same result. */
const checked = new Map<string, Promise<CheckResult>>();
const run = (name: string): Promise<CheckResult> => {
  let r = checked.get(name);
  if (!r) checked.set(name, (r = (async () => check(((await import(spec(name))).default as ModelDef), { toolchain: await toolchain() }))()));
  return r;
};

describe("seed000 verdicts", () => {
  it.each([
    ["as-reported.ts", "deadlock"],
    ["memset-prefault.ts", "deadlock"],
    ["pinned-buffer.ts", "ok"],
    ["copy-outside-lock.ts", "ok"],
  ])("%s: %s", async (file, verdict) => {
    const r = await run(file);
    expect(r.verdict).toBe(verdict);
    expect(r.stats?.distinct).toBeGreaterThan(1);
    expect(r.stats?.generated).toBeGreaterThanOrEqual(r.stats?.distinct ?? 0);
  });
});

describe("seed000 as reported: the deadlock trace", () => {
  it("names the three threads, both locks and the reason for each wait", async () => {
    const r = await run("as-reported.ts");
    const f = r.finding;
    if (!f) throw new Error("expected a finding");
    expect(f.waits?.map((w) => w.text)).toEqual([
      "T2 reader waits for &A_mutex at _scenario.ts:13 (in driverA_decrypt() <- driverB_read() <- squashfs_fault() <- page fault on squashfs_map at _scenario.ts:24): held by T1 ioctl",
      "T1 ioctl waits for &app->mmap_lock (read) in a page fault at as-reported.ts:14: queued behind writer T3 mmap",
      "T3 mmap waits for &app->mmap_lock (write) at _scenario.ts:28: held for read by T2 reader",
    ]);
    expect(f.cycle).toEqual(["T2 reader", "T1 ioctl", "T3 mmap", "T2 reader"]);
    // The shortest interleaving: T2 faults and holds mmap_lock for read, T3
    // queues for write, T1 takes A_mutex and faults behind T3.
    expect(f.steps.map((s) => `${s.thread}: ${s.operation} -> ${s.effect} @${s.loc.file}:${s.loc.line}`)).toEqual([
      "T2 reader: load(squashfs_map) -> page fault @_scenario.ts:24",
      "T2 reader: down_read(&app->mmap_lock) -> acquired for read @_scenario.ts:24",
      "T3 mmap: down_write(&app->mmap_lock) -> waits in the queue: held for read by T2 reader @_scenario.ts:28",
      "T1 ioctl: mutex_lock(&A_mutex) -> acquired @as-reported.ts:13",
      "T1 ioctl: copy_to_user(user_buf) -> page fault @as-reported.ts:14",
    ]);
    expect(f.steps[1]?.via).toBe("page fault on squashfs_map");
  });

  it("keeps the deadlock in the memset variant, and the trace shows reclaim reopening the window", async () => {
    const r = await run("memset-prefault.ts");
    const shown = r.finding?.steps.filter((s) => s.thread === "T1 ioctl" || s.thread === "kswapd").map((s) => `${s.thread}: ${s.operation} -> ${s.effect}`);
    expect(shown).toEqual([
      "T1 ioctl: store(user_buf) -> page fault",
      "T1 ioctl: down_read(&app->mmap_lock) -> acquired for read",
      "T1 ioctl: install_pte(user_buf) -> page mapped: present",
      "T1 ioctl: up_read(&app->mmap_lock) -> released",
      "kswapd: evict(user_buf) -> page unmapped: the next access faults",
      "T1 ioctl: mutex_lock(&A_mutex) -> acquired",
      "T1 ioctl: copy_to_user(user_buf) -> page fault",
    ]);
    // kswapd is not in the cycle, but its eviction is a step the reader must see.
    const evict = r.finding?.steps.find((s) => s.thread === "kswapd");
    expect(evict?.reclaim).toBe(true);
    expect(r.finding?.involved).not.toContain(evict?.threadId);
    expect(r.finding?.cycle).toEqual(["T2 reader", "T1 ioctl", "T3 mmap", "T2 reader"]);
  });
});

describe("seed000 as reported: the lockdep-style report", () => {
  it("has lockdep's header, the chain with every acquisition's line, and the scenario table in interleaving order", async () => {
    const r = await run("as-reported.ts");
    const l = r.finding?.lockdep;
    if (!l) throw new Error("expected a lockdep report");
    expect(l.header).toBe("WARNING: possible circular locking dependency detected");
    expect(l.chain).toEqual([
      "T2 reader holds &app->mmap_lock (read) since step 2 at _scenario.ts:24; waits for &A_mutex at _scenario.ts:13 in driverA_decrypt() <- driverB_read() <- squashfs_fault() <- page fault on squashfs_map at _scenario.ts:24 (held by T1 ioctl)",
      "T1 ioctl holds &A_mutex since step 4 at as-reported.ts:13; waits for &app->mmap_lock (read) at as-reported.ts:14 (queued behind writer T3 mmap)",
      "T3 mmap holds nothing; waits for &app->mmap_lock (write) at _scenario.ts:28 (held for read by T2 reader)",
    ]);
    expect(l.columns).toEqual(["T2 reader", "T1 ioctl", "T3 mmap"]);
    expect(l.rows.map((x) => `${l.columns[x.column]}: ${x.text}`)).toEqual([
      "T2 reader: <page fault>",
      "T2 reader: rlock(&app->mmap_lock);",
      "T3 mmap: lock(&app->mmap_lock);",
      "T1 ioctl: lock(&A_mutex);",
      "T1 ioctl: <page fault>",
      "T2 reader: lock(&A_mutex);",
      "T1 ioctl: rlock(&app->mmap_lock);",
    ]);
    expect(l.footer).toBe("*** DEADLOCK ***");
  });
});
