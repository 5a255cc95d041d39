// Issue 16, cases 1, 2, 7, 8 and part of 12: a model file is user code. It runs
// on a worker thread, so whatever it does (process.exit, a loop that never ends,
// console.log, a timer that throws, a rejection nobody handles, throwing an
// object that cannot be shown) becomes a located FL error for that model (exit
// 2), never faultline's own exit code, a hang, a crash or corrupt output.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, leftovers } from "../helpers/cli.js";

const H = "test/fixtures/hostile";
const tmp = await mkdtemp(path.join(tmpdir(), "faultline-iso-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** `faultline check <args>` with its own TMPDIR, no class-data sharing archive to make. */
async function check(args: string[], env: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(tmp, "run-"));
  const r = await faultline(["check", ...args], { TMPDIR: dir, FAULTLINE_NO_CDS: "1", ...env });
  return { ...r, dir };
}

describe("a model file cannot take faultline down", () => {
  it("case 1: process.exit(0) in a model is FL008 at its line; the exit code is the worst of the models (2), never 0", async () => {
    const r = await check(["--jobs", "1", "-q", "specs/seed000/as-reported.ts", `${H}/exit0.ts`]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain("DEADLOCK");
    expect(r.stdout).toMatch(/exit0\.ts:4: error FL008: the model file ended the process \(process\.exit\(0\)\) while loading/);
    expect(await leftovers(r.dir)).toEqual([]);
  });

  it("case 1: with --json the document is printed and the exit code is 2", async () => {
    const r = await check(["--json", `${H}/exit-in-builder.ts`]);
    expect(r.exitCode).toBe(2);
    const doc = JSON.parse(r.stdout) as { results: { verdict: string; diagnostics: { code: string; line: number }[] }[] };
    expect(doc.results[0]?.verdict).toBe("invalid");
    expect(doc.results[0]?.diagnostics).toMatchObject([{ code: "FL008", line: 5 }]);
  });

  it("case 2: a model that never finishes loading is FL009 after the load budget, and leaves nothing behind", async () => {
    const started = Date.now();
    const r = await check([`${H}/loop.ts`], { FAULTLINE_LOAD_TIMEOUT: "2" });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/loop\.ts:1: error FL009: the model file did not finish loading within 2 s/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await leftovers(r.dir)).toEqual([]);
  });

  it("case 2: SIGTERM and Ctrl-C end a check whose model loops forever, at once, leaving nothing behind", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const dir = await mkdtemp(path.join(tmp, "loop-"));
      const child = faultline(["check", `${H}/loop.ts`], { TMPDIR: dir, FAULTLINE_NO_CDS: "1" });
      // Wait until the model's code runs (its temporary file exists).
      for (let i = 0; i < 100 && !(await leftovers(dir)).some((f) => f.startsWith("faultline-model-")); i++) await new Promise((res) => setTimeout(res, 100));
      expect((await leftovers(dir)).some((f) => f.startsWith("faultline-model-"))).toBe(true);
      const sent = Date.now();
      child.kill(signal);
      const r = await child;
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect(r.exitCode).toBe(3);
      expect(await leftovers(dir)).toEqual([]);
    }
  });

  it("case 7: what a model prints goes to stderr, labelled, and --json stays one document", async () => {
    const r = await check(["--json", `${H}/prints.ts`]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: "faultline.result/1", results: [{ verdict: "ok" }] });
    expect(r.stdout).not.toContain("hello from the model");
    expect(r.stderr).toContain("[prints.ts] hello from the model");
  });

  it("case 8: a timer that throws and an unhandled rejection are FL004 at the model line, exit 2, nothing left", async () => {
    const t = await check([`${H}/timer-throws.ts`]);
    expect(t.exitCode).toBe(2);
    expect(t.stdout).toMatch(/timer-throws\.ts:5: error FL004: the model file threw in a timer or callback: timer went off/);
    expect(t.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(await leftovers(t.dir)).toEqual([]);
    const p = await check([`${H}/rejects.ts`]);
    expect(p.exitCode).toBe(2);
    expect(p.stdout).toMatch(/rejects\.ts:4: error FL004: the model file threw in a promise nobody handled: nobody handles this/);
    expect(await leftovers(p.dir)).toEqual([]);
  });

  it("case 12: an object thrown whose toString throws, and 20,000 nested not(), are located FL errors, not faultline bugs", async () => {
    const w = await check([`${H}/weird-throw.ts`]);
    expect(w.exitCode).toBe(2);
    expect(w.stdout).toMatch(/weird-throw\.ts:\d+: error FL004: the model file threw while building the model: a value that cannot be shown as text/);
    const d = await check([`${H}/deep-not.ts`]);
    expect(d.exitCode).toBe(2);
    expect(d.stdout).toMatch(/deep-not\.ts:9: error FL321: the model is nested too deeply/);
    expect(`${w.stderr}${d.stderr}`).not.toContain("faultline bug");
  });

  it("a model importing more than the DSL from faultline (check) still loads, through the full index", async () => {
    const r = await check(["-q", `${H}/uses-check.ts`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("uses check (test/fixtures/hostile/uses-check.ts): ok");
  });
});
