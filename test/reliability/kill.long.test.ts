// Issue 16, case 4 (long: real TLC, real signals): a JVM never outlives
// faultline, even after SIGKILL (the OOM killer, CI's kill -9), and the next run
// removes the temporary directory the killed one left. SIGHUP and SIGQUIT clean
// up as Ctrl-C does.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, javaUnder, leftovers } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-kill-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[], dir: string) {
  return faultline(["check", ...args], { TMPDIR: dir, FAULTLINE_NO_CDS: "1" });
}

async function waitForJava(dir: string): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const pids = await javaUnder(dir);
    if (pids.length > 0) return pids;
    await sleep(100);
  }
  return [];
}

describe("no orphan JVM, no directory left for good", () => {
  it("SIGKILL of faultline while TLC runs: the JVM is gone within seconds, and the next run removes the directory", async () => {
    const dir = await mkdtemp(path.join(tmp, "sigkill-"));
    const child = start(["test/fixtures/loading/big.ts"], dir);
    const pids = await waitForJava(dir);
    expect(pids).not.toEqual([]);
    child.kill("SIGKILL");
    const r = await child;
    expect(r.signal).toBe("SIGKILL");
    let left = await javaUnder(dir);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await sleep(100);
      left = await javaUnder(dir);
    }
    // Never leave an orphan behind this test, whatever it found.
    for (const pid of left) process.kill(pid, "SIGKILL");
    expect(left).toEqual([]);
    // The killed run's directory is still there...
    expect((await leftovers(dir)).filter((f) => /^faultline-/.test(f))).not.toEqual([]);
    // ...until the next run, which removes it (its owner is dead) and its own.
    const next = await start(["-q", "specs/seed000/pinned-buffer.ts"], dir);
    expect(next.exitCode).toBe(0);
    expect(await leftovers(dir)).toEqual([]);
  });

  it("the next run never removes the directory of a check still running", async () => {
    const dir = await mkdtemp(path.join(tmp, "inuse-"));
    const long = start(["test/fixtures/loading/big.ts"], dir);
    expect(await waitForJava(dir)).not.toEqual([]);
    const running = (await leftovers(dir)).filter((f) => /^faultline-/.test(f));
    expect(running).toHaveLength(1);
    const next = await start(["-q", "specs/seed000/pinned-buffer.ts"], dir);
    expect(next.exitCode).toBe(0);
    expect(await leftovers(dir)).toEqual(running);
    expect(await javaUnder(dir)).not.toEqual([]);
    long.kill("SIGINT");
    expect((await long).exitCode).toBe(3);
    expect(await leftovers(dir)).toEqual([]);
  });

  it.each(["SIGHUP", "SIGQUIT"] as const)("%s ends TLC and removes its files, like Ctrl-C", async (signal) => {
    const dir = await mkdtemp(path.join(tmp, `${signal}-`));
    const child = start(["test/fixtures/loading/big.ts"], dir);
    expect(await waitForJava(dir)).not.toEqual([]);
    child.kill(signal);
    const r = await child;
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("interrupted; TLC was stopped and its files removed");
    expect(await javaUnder(dir)).toEqual([]);
    expect(await leftovers(dir)).toEqual([]);
  });
});
