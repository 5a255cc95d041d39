// The `faultline` command as a user runs it: output and exit codes
// (0 no finding, 1 finding, 2 bad model or usage, 3 environment or TLC failure).
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, root } from "../helpers/cli.js";

describe("faultline check", () => {
  /** `faultline check specs/seed000/as-reported.ts`, run once: two tests read its output. */
  let seed000: ReturnType<typeof faultline> | undefined;
  const checkSeed000 = () => (seed000 ??= faultline(["check", "specs/seed000/as-reported.ts"]));

  it("exits 1 on the seed000 deadlock and says who waits for whom", async () => {
    const r = await checkSeed000();
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("DEADLOCK");
    expect(r.stdout).toContain("T1 ioctl waits for &app->mmap_lock (read) in a page fault at as-reported.ts:14: queued behind writer T3 mmap");
    expect(r.stdout).toContain("T3 mmap waits for &app->mmap_lock (write) at _scenario.ts:28: held for read by T2 reader");
    expect(r.stdout).toContain("T2 reader waits for &A_mutex at _scenario.ts:13 (in driverA_decrypt() <- driverB_read() <- squashfs_fault() <- page fault on squashfs_map at _scenario.ts:24): held by T1 ioctl");
    expect(r.stdout).toContain("cycle: T2 reader -> T1 ioctl -> T3 mmap -> T2 reader");
    expect(r.stdout).not.toMatch(/\u001b\[/); // NO_COLOR
  });

  it("fits the seed000 deadlock report on one screen, and --full shows every state", async () => {
    const r = await checkSeed000();
    // The deadlock report, up to lockdep's *** DEADLOCK ***; why it happens and the
    // lock dependencies (src/deps) follow it.
    const lines = r.stdout.split("\n");
    expect(lines.findIndex((l) => l.includes("*** DEADLOCK ***"))).toBeLessThanOrEqual(40);
    expect(lines.length).toBeLessThanOrEqual(60);
    const full = await faultline(["check", "--full", "specs/seed000/as-reported.ts"]);
    expect(full.stdout).toContain("| &app->mmap_lock: read-held by T2 reader; queue: T3 mmap (write)");
    expect(full.stdout).toContain("| T1 ioctl: at down_read(&app->mmap_lock) (as-reported.ts:14)");
  });

  it("exits 0 when there is no finding", async () => {
    const r = await faultline(["check", "specs/seed000/pinned-buffer.ts"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/ok, no finding \(\d+ distinct states/);
  });

  it("checks several models and exits with the worst outcome", async () => {
    const r = await faultline(["check", "-q", "specs/seed000/pinned-buffer.ts", "specs/seed000/as-reported.ts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("seed000 pinned buffer");
    expect(r.stdout).toContain("seed000 as reported");
  });

  it("checks models in parallel (--jobs) and prints them in argument order", async () => {
    const files = ["specs/seed000/as-reported.ts", "test/fixtures/invalid/recursion.ts", "specs/seed000/pinned-buffer.ts", "specs/seed002/i-mmap-inversion.ts"];
    const r = await faultline(["check", "-q", "--jobs", "3", ...files]);
    expect(r.exitCode).toBe(2);
    const at = ["as-reported.ts", "recursion.ts): invalid model", "pinned-buffer.ts", "i-mmap-inversion.ts"].map((f) => r.stdout.indexOf(f));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const one = await faultline(["check", "-q", "--jobs", "1", ...files]);
    expect(one.stdout.replace(/\(.*\)/g, "")).toBe(r.stdout.replace(/\(.*\)/g, ""));
  });

  it("refuses --itf and --report with several models", async () => {
    for (const flag of ["--itf", "--report"]) {
      const r = await faultline(["check", flag, "out", "specs/seed000/as-reported.ts", "specs/seed000/pinned-buffer.ts"]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain("--itf and --report take one model");
    }
  });

  it.each([
    ["test/fixtures/invalid/pagefault-balance.ts", /pagefault-balance\.ts:\d+: error FL31\d: /],
    ["test/fixtures/loading/throws.ts", /throws\.ts:5: error FL004: the model file threw while building the model: driver table not initialised/],
    ["test/fixtures/loading/exports-nothing.ts", /exports-nothing\.ts:1: error FL005: 'exports-nothing\.ts' exports no model/],
    ["test/fixtures/loading/two-models.ts", /error FL006: 'two-models\.ts' exports 2 models \(a \('first'\), b \('second'\)\)/],
    ["test/fixtures/loading/not-typescript.ts", /not-typescript\.ts:1: error FL003: cannot parse the model file/],
    ["test/fixtures/loading/missing.ts", /error FL001: model file 'test\/fixtures\/loading\/missing\.ts' does not exist/],
  ])("exits 2 on a bad model file: %s", async (file, message) => {
    const r = await faultline(["check", file]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(message);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("exits 2 on bad usage", async () => {
    const runs = await Promise.all([["check"], ["check", "--timeout", "soon", "specs/seed000/as-reported.ts"], ["frobnicate"], ["check", "--jobs", "0", "specs/seed000/as-reported.ts"]].map((a) => faultline(a)));
    expect(runs.map((r) => r.exitCode)).toEqual([2, 2, 2, 2]);
  });

  it("exits 3 and says what to do when the jar is missing", async () => {
    const r = await faultline(["check", "specs/seed000/as-reported.ts"], { TLA2TOOLS_JAR: "/nonexistent/tla2tools.jar" });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain("/nonexistent/tla2tools.jar");
    expect(r.stdout).toMatch(/hint: .*TLA2TOOLS_JAR/);
  });

  it("exits 3 and says what to do when java is missing", async () => {
    // A PATH holding node and nothing else.
    const bin = await mkdtemp(path.join(tmpdir(), "faultline-nojava-"));
    await symlink(process.execPath, path.join(bin, "node"));
    const r = await faultline(["check", "specs/seed000/as-reported.ts"], { PATH: bin, JAVA_HOME: undefined, JAVA: undefined });
    await rm(bin, { recursive: true, force: true });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/java/i);
    expect(r.stdout).toMatch(/hint: .*(install|JAVA_HOME)/);
  });

  it("exits 3 when --timeout stops TLC", async () => {
    const r = await faultline(["check", "--timeout", "0.001", "specs/seed000/copy-outside-lock.ts"]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain("timeout");
  });
});

describe("faultline gen", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("writes the module and its cfg, identical to the committed spec", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "faultline-gen-"));
    dirs.push(out);
    const r = await faultline(["gen", "specs/seed000/as-reported.ts", "--out", out]);
    expect(r.exitCode).toBe(0);
    const tla = await readFile(path.join(out, "seed000_as_reported.tla"), "utf8");
    expect(tla).toBe(await readFile(path.join(root, "specs/seed000/seed000_as_reported.tla"), "utf8"));
    expect(await readFile(path.join(out, "seed000_as_reported.cfg"), "utf8")).toContain("INVARIANT NoDeadlock");
  });

  it("exits 2 for an invalid model and writes nothing", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "faultline-gen-"));
    dirs.push(out);
    const r = await faultline(["gen", "test/fixtures/invalid/recursion.ts", "--out", out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/recursion\.ts:6: error FL240/);
  });
});
