// Ctrl-C and --timeout during a long check: the JVM is ended (no orphan java),
// the temporary files are removed, and the user is told what happened.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, javaUnder, leftovers } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-int-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** `faultline check <args>` with `dir` as its TMPDIR. */
function start(args: string[], dir: string, env: Record<string, string> = {}) {
  return faultline(["check", ...args], { TMPDIR: dir, ...env });
}

async function waitForJava(dir: string): Promise<void> {
  for (let i = 0; i < 100 && (await javaUnder(dir)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
}

describe("stopping a check", () => {
  it("Ctrl-C ends TLC, removes its files and exits 3", async () => {
    const dir = await mkdtemp(path.join(tmp, "sigint-"));
    const child = start(["test/fixtures/loading/big.ts"], dir);
    await waitForJava(dir);
    expect(await javaUnder(dir)).not.toEqual([]);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("interrupted; TLC was stopped and its files removed");
    expect(await javaUnder(dir)).toEqual([]);
    expect(await leftovers(dir)).toEqual([]);
  });

  it("Ctrl-C during parallel checks ends every TLC, removes their files and exits 3", async () => {
    const dir = await mkdtemp(path.join(tmp, "sigint-many-"));
    const child = start(["--jobs", "2", "test/fixtures/loading/big.ts", "test/fixtures/loading/big.ts", "specs/seed000/as-reported.ts"], dir);
    for (let i = 0; i < 100 && (await javaUnder(dir)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await javaUnder(dir)).toHaveLength(2);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(3);
    expect(r.stderr.match(/big\.ts: interrupted; TLC was stopped and its files removed/g)).toHaveLength(2);
    expect(r.stdout).not.toContain("as-reported"); // never started
    expect(await javaUnder(dir)).toEqual([]);
    expect(await leftovers(dir)).toEqual([]);
  });

  it("--timeout ends TLC, removes its files, exits 3 and says what to do", async () => {
    const dir = await mkdtemp(path.join(tmp, "timeout-"));
    const r = await start(["--timeout", "3", "test/fixtures/loading/big.ts"], dir);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/timeout: TLC did not finish within 3 s and was stopped/);
    expect(r.stdout).toMatch(/hint: raise --timeout, or make the model smaller/);
    expect(await javaUnder(dir)).toEqual([]);
    expect(await leftovers(dir)).toEqual([]);
  });

  // Two checks at once in one TMPDIR, both about to make the archive: the most they
  // could share; the third check maps the archive.
  it("two checks at once do not share files, and making the class-data sharing archive at once leave one good archive", async () => {
    const dir = await mkdtemp(path.join(tmp, "cds-"));
    const cache = await mkdtemp(path.join(tmp, "cache-"));
    const env = { FAULTLINE_CACHE_DIR: cache, FAULTLINE_NO_CDS: "" };
    const [a, b] = await Promise.all([start(["-q", "specs/seed000/as-reported.ts"], dir, env), start(["-q", "specs/seed000/pinned-buffer.ts"], dir, env)]);
    expect([a.exitCode, b.exitCode]).toEqual([1, 0]);
    const files = (await readdir(path.join(cache, "cds"))).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^tla2tools-[0-9a-f]{16}\.jsa$/);
    expect(files[1]).toBe(`${files[0]}.jar.json`);
    expect((await start(["-q", "specs/seed000/as-reported.ts"], dir, env)).exitCode).toBe(1);
    expect(await leftovers(dir)).toEqual([]);
  });
});
