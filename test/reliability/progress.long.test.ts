// Issue 16, case 15 (long: real TLC stopped twice): what TLC had explored when
// it was stopped, by --timeout or by Ctrl-C, reaches the result, in JSON and text.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, javaUnder, leftovers } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-progress-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

type Doc = { results: { verdict: string; stats: { distinct: number; generated: number; depth: number; tlcMs: number } | null; error: { message: string } | null }[] };

describe("progress when TLC is stopped", () => {
  // TLC reports progress only once past its initial states: on a loaded machine JVM start and parsing take many seconds.
  it("--timeout: the JSON result has TLC's last progress figures", async () => {
    const dir = await mkdtemp(path.join(tmp, "timeout-"));
    const r = await faultline(["check", "--json", "--timeout", "40", "test/fixtures/hostile/long.ts"], { TMPDIR: dir, FAULTLINE_NO_CDS: "1" });
    expect(r.exitCode).toBe(3);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.results[0]?.verdict).toBe("timeout");
    const stats = doc.results[0]?.stats;
    expect(stats).not.toBeNull();
    expect(stats?.distinct).toBeGreaterThan(0);
    expect(stats?.generated).toBeGreaterThanOrEqual(stats?.distinct ?? 0);
    expect(stats?.tlcMs).toBeGreaterThan(0);
    expect(await leftovers(dir)).toEqual([]);
  });

  it("Ctrl-C: the interrupted result keeps how far TLC got, in JSON and in text", async () => {
    for (const json of [true, false]) {
      const dir = await mkdtemp(path.join(tmp, "sigint-"));
      const child = faultline(["check", ...(json ? ["--json"] : []), "test/fixtures/hostile/long.ts"], { TMPDIR: dir, FAULTLINE_NO_CDS: "1" });
      for (let i = 0; i < 200 && (await javaUnder(dir)).length === 0; i++) await new Promise((res) => setTimeout(res, 100));
      // Let TLC get past its initial states.
      await new Promise((res) => setTimeout(res, 15_000));
      child.kill("SIGINT");
      const r = await child;
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toContain("interrupted; TLC was stopped and its files removed");
      if (json) {
        const res = (JSON.parse(r.stdout) as Doc).results[0];
        expect(res?.verdict).toBe("error");
        expect(res?.error?.message).toContain("interrupted");
        expect(res?.stats?.distinct).toBeGreaterThan(0);
      } else {
        expect(r.stdout).toMatch(/error: interrupted: TLC was stopped\n {2}explored before it stopped: \d+ distinct states, \d+ generated, depth \d+, TLC [\d.]+ s/);
      }
      expect(await leftovers(dir)).toEqual([]);
    }
  });
});
