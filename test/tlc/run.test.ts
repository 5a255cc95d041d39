// runTlc against the real jar on the fixture specs: outcome, trace, stats and
// what happens to the temp dir. Needs TLA2TOOLS_JAR and java.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Toolchain, locateToolchain } from "../../src/tlc/locate.js";
import { type TlcRun, interpretRun } from "../../src/tlc/result.js";
import { type RunOptions, execTlc, runTlc } from "../../src/tlc/run.js";
import { javaUnder } from "../helpers/cli.js";
import { FIXTURES } from "./fixtures.js";

const jar = process.env["TLA2TOOLS_JAR"];
const title = jar ? "runTlc on real TLC" : "runTlc on real TLC (skipped: set TLA2TOOLS_JAR=/path/to/tla2tools.jar to run)";
if (!jar) console.warn(`test/tlc/run.test.ts: ${title}`);

describe.skipIf(!jar)(title, { timeout: 60_000 }, () => {
  let toolchain: Toolchain;
  let tmpRoot: string;

  beforeAll(async () => {
    toolchain = await locateToolchain();
    tmpRoot = await mkdtemp(join(tmpdir(), "faultline-run-test-"));
  });
  afterAll(() => rm(tmpRoot, { recursive: true, force: true }));

  const fixture = (dir: string, module: string, more: Partial<RunOptions> = {}): RunOptions => ({
    spec: readFileSync(join(FIXTURES, dir, `${module}.tla`), "utf8"),
    cfg: readFileSync(join(FIXTURES, dir, `${module}.cfg`), "utf8"),
    module,
    toolchain,
    tmpRoot,
    ...more,
  });
  const leftovers = (): Promise<string[]> => readdir(tmpRoot);

  it("ok: stats, and the temp dir is gone", async () => {
    const run = await runTlc(fixture("ok", "Mutex"));
    expect(run).toMatchObject({ outcome: "ok", stats: { generated: 5, distinct: 3, depth: 2 } });
    if (run.outcome === "ok") expect(run.stats.timeMs).toBeGreaterThan(0);
    expect(await leftovers()).toEqual([]);
  });

  // -XX:+PrintCommandLineFlags: the JVM prints the flags it was given, each at its final value.
  const jit = (output: string) => /-XX:TieredStopAtLevel=(\d)/.exec(output)?.[1];
  /** A run with FAULTLINE_JAVA_OPTS set to opts (vitest.config.ts sets its own for the tests). */
  const withJavaOpts = async (opts: string, run: () => Promise<TlcRun>): Promise<TlcRun> => {
    const old = process.env["FAULTLINE_JAVA_OPTS"];
    process.env["FAULTLINE_JAVA_OPTS"] = opts;
    try {
      return await run();
    } finally {
      if (old === undefined) delete process.env["FAULTLINE_JAVA_OPTS"];
      else process.env["FAULTLINE_JAVA_OPTS"] = old;
    }
  };
  it("JIT: C1 alone for a one-worker check, both compilers for several workers; FAULTLINE_JAVA_OPTS overrides", async () => {
    const flags = { jvmArgs: ["-XX:+PrintCommandLineFlags"] };
    const one = await withJavaOpts("", () => runTlc(fixture("ok", "Mutex", flags)));
    expect(one.outcome).toBe("ok");
    expect(jit(one.output), one.output).toBe("1");
    const two = await withJavaOpts("", () => runTlc(fixture("ok", "Mutex", { ...flags, workers: 2 })));
    expect(two).toMatchObject({ outcome: "ok", stats: { distinct: 3 } });
    expect(two.output).toContain("-XX:+PrintCommandLineFlags");
    expect(jit(two.output), two.output).toBeUndefined();
    const full = await withJavaOpts("-XX:TieredStopAtLevel=4", () => runTlc(fixture("ok", "Mutex", flags)));
    expect(full.outcome).toBe("ok");
    expect(jit(full.output), full.output).toBe("4");
    expect(await leftovers()).toEqual([]);
  });

  // The young generation's size, as the JVM settled it (NewSize = MaxNewSize: fixed).
  const young = (output: string) => [/-XX:NewSize=(\d+)/.exec(output)?.[1], /-XX:MaxNewSize=(\d+)/.exec(output)?.[1]];
  it("the young generation is a fixed 64 MB, for every run; -Xmn in FAULTLINE_JAVA_OPTS overrides it", async () => {
    const flags = { jvmArgs: ["-XX:+PrintCommandLineFlags"] };
    const mb = (n: number) => String(n * 1024 * 1024);
    const one = await withJavaOpts("", () => runTlc(fixture("ok", "Mutex", flags)));
    expect(one.outcome).toBe("ok");
    expect(young(one.output), one.output).toEqual([mb(64), mb(64)]);
    const two = await withJavaOpts("", () => runTlc(fixture("ok", "Mutex", { ...flags, workers: 2 })));
    expect(two.outcome).toBe("ok");
    expect(young(two.output), two.output).toEqual([mb(64), mb(64)]);
    const own = await withJavaOpts("-Xmn200m", () => runTlc(fixture("ok", "Mutex", flags)));
    expect(own.outcome).toBe("ok");
    expect(young(own.output), own.output).toEqual([mb(200), mb(200)]);
    expect(await leftovers()).toEqual([]);
  });

  it("the JVM is ended once TLC has printed a verdict and its last message; an error still waits for the exit status", async () => {
    const ok = await execTlc(fixture("ok", "Mutex"));
    const inv = await execTlc(fixture("invariant", "BrokenMutex"));
    const bad = await execTlc(fixture("eval-error", "HeadEmpty"));
    try {
      // TLC_FINISHED (2186) is in, and no exit status or signal reaches interpretRun.
      for (const r of [ok, inv]) {
        expect(r.ended, r.output).toBe(true);
        expect(r.output).toContain("@!@!@ENDMSG 2186 @!@!@");
        expect(r).not.toHaveProperty("exitCode");
        expect(r).not.toHaveProperty("signal");
        expect(await javaUnder(r.dir)).toEqual([]);
      }
      expect(interpretRun(ok)).toMatchObject({ outcome: "ok", stats: { generated: 5, distinct: 3, depth: 2 } });
      // trace.json was whole before TLC's last message.
      expect(interpretRun(inv)).toMatchObject({ outcome: "invariant", invariant: "MutualExclusion", trace: { actions: [null, "Test", "Test", "Set", "Set"] } });
      expect(bad).not.toHaveProperty("ended");
      expect(bad.exitCode).toBe(255);
      expect(interpretRun(bad)).toMatchObject({ outcome: "failed", message: expect.stringContaining("Head to the empty sequence") });
    } finally {
      for (const r of [ok, inv, bad]) await rm(r.dir, { recursive: true, force: true });
    }
  });

  it("invariant: name, trace states and actions", async () => {
    const run = await runTlc(fixture("invariant", "BrokenMutex"));
    if (run.outcome !== "invariant") throw new Error(`${run.outcome}\n${run.output}`);
    expect(run.invariant).toBe("MutualExclusion");
    expect(run.trace.actions).toEqual([null, "Test", "Test", "Set", "Set"]);
    expect(run.trace.states[0]).toEqual({ locked: false, pc: { p1: "idle", p2: "idle" }, entries: [] });
    expect(run.trace.states.at(-1)).toMatchObject({ pc: { p1: "cs", p2: "cs" } });
    expect(run.stats).toMatchObject({ generated: 15, distinct: 13, depth: 5 });
    expect(await leftovers()).toEqual([]);
  });

  it("liveness: a lasso with the step that closes it", async () => {
    const run = await runTlc(fixture("liveness-lasso", "Starve"));
    if (run.outcome !== "liveness") throw new Error(`${run.outcome}\n${run.output}`);
    expect(run.property).toBe("NoStarvation");
    // Which lasso TLC reports depends on scheduling; every one loops back into the trace.
    expect(run.trace.loopTo).toBeGreaterThanOrEqual(0);
    expect(run.trace.loopTo).toBeLessThan(run.trace.states.length);
    expect(typeof run.trace.loopAction).toBe("string");
    expect(await leftovers()).toEqual([]);
  });

  it("liveness with checkLiveness: false is not checked", async () => {
    const run = await runTlc(fixture("liveness-lasso", "Starve", { checkLiveness: false }));
    expect(run.outcome).toBe("ok");
  });

  it("liveness with checkLiveness: \"final\" is checked on the whole state graph", async () => {
    const whole = await runTlc(fixture("liveness-lasso", "Starve", { checkLiveness: false }));
    const run = await runTlc(fixture("liveness-lasso", "Starve", { checkLiveness: "final" }));
    if (run.outcome !== "liveness" || whole.outcome !== "ok") throw new Error(`${run.outcome}\n${run.output}`);
    expect(run.property).toBe("NoStarvation");
    expect(run.stats.distinct).toBe(whole.stats.distinct);
  });

  it("deadlock, with two workers", async () => {
    const run = await runTlc(fixture("deadlock", "Abba", { workers: 2 }));
    if (run.outcome !== "deadlock") throw new Error(`${run.outcome}\n${run.output}`);
    // Two workers may reach either state without successors first: ABBA, or both done.
    expect([
      { holder: { a: "t1", b: "t2" }, pc: { t1: 2, t2: 2 } },
      { holder: { a: "none", b: "none" }, pc: { t1: 4, t2: 4 } },
    ]).toContainEqual(run.trace.states.at(-1));
  });

  it("parse error: keeps the dir with the spec in it", async () => {
    const run = await runTlc(fixture("parse-error", "Syntax"));
    if (run.outcome !== "parse-error") throw new Error(`${run.outcome}\n${run.output}`);
    expect(run.message).toContain("Encountered \"1\" at line 5, column 20");
    expect(run.keptDir.startsWith(join(tmpRoot, "faultline-"))).toBe(true);
    expect(existsSync(join(run.keptDir, "Syntax.tla"))).toBe(true);
    expect(existsSync(join(run.keptDir, "Syntax.cfg"))).toBe(true);
    await rm(run.keptDir, { recursive: true });
  });

  it("timeout: kills the JVM, returns partial stats and removes the dir", async () => {
    const started = Date.now();
    const run = await runTlc(fixture("timeout", "Big", { timeoutMs: 2_500 }));
    expect(run.outcome).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await leftovers()).toEqual([]);
  });

  it("abort: rejects with the signal's reason and removes the dir", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user gave up")), 1_500);
    await expect(runTlc(fixture("timeout", "Big", { signal: controller.signal }))).rejects.toThrow("user gave up");
    expect(await leftovers()).toEqual([]);
  });
});
