// Issue 17: reports that say exactly what happened. Each case reads the rendered
// report (text, JSON, HTML) of a real check, as a reader would.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { faultline } from "../helpers/cli.js";

/** The `--full` state block printed under trace step `n`. */
function stateAfter(stdout: string, n: number): string[] {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => new RegExp(`^  ${n} `).test(l));
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!/^\s+\| /.test(l)) break;
    out.push(l.replace(/^\s+\| /, ""));
  }
  return out;
}

describe("--full: the state after each operation of a TLC step", () => {
  it("a release that grants a queued writer shows the lock free with the writer still queued, then granted", async () => {
    const r = await faultline(["check", "--full", "test/fixtures/reports/grant-full.ts"]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split("\n");
    const release = lines.find((l) => /^  8 +A +up_write\(&sem\) +released/.test(l));
    expect(release).toBeDefined();
    expect(stateAfter(r.stdout, 8)).toEqual(["A: finished", "B: at down_write(&sem) (grant-full.ts:13)", "C: finished", "D: at wait_event(go) (grant-full.ts:15)", "&sem: queue: B (write)", "a_in = true", "go = true"]);
    expect(lines.some((l) => /^  9 +B +down_write\(&sem\) +acquired for write: granted when A released it/.test(l))).toBe(true);
    expect(stateAfter(r.stdout, 9)).toContain("&sem: write-held by B");
  });
});

describe("model errors", () => {
  it("are all reported at once: lowering's FL313/FL310 with the structural FL210/FL231/FL250, in text and JSON", async () => {
    const file = "test/fixtures/invalid/all-at-once.ts";
    const r = await faultline(["check", file]);
    expect(r.exitCode).toBe(2);
    const codes = [...r.stdout.matchAll(/all-at-once\.ts:(\d+): error (FL\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(codes).toEqual(["9 FL210", "10 FL210", "11 FL231", "13 FL313", "17 FL310", "19 FL250"]);
    const j = await faultline(["check", "--json", file]);
    const diags = JSON.parse(j.stdout).results[0].diagnostics as { code: string; line: number }[];
    expect(diags.map((d) => `${d.line} ${d.code}`)).toEqual(codes);
  });
});

describe("a reachable release of a lock the thread never holds", () => {
  it("is a bad-unlock finding with its trace, in text, JSON and HTML, not a model error", async () => {
    const file = "test/fixtures/reports/dax-wrong-unlock.ts";
    const r = await faultline(["check", file]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/: BAD-UNLOCK \(/);
    expect(r.stdout).toMatch(/^R read fault calls up_read\(&i_mmap_rwsem\) at dax-wrong-unlock\.ts:13 without holding &i_mmap_rwsem for read$/m);
    expect(r.stdout).toMatch(/ R read fault +mutex_lock\(&i_mmap_lock\) +acquired +dax-wrong-unlock\.ts:12 +\[__dax_fault\(read\) <- page fault on dax_file\]/);
    expect(r.stdout).toContain("WARNING: bad unlock balance detected!");
    expect(r.stdout).not.toContain("FL301");
    const j = JSON.parse((await faultline(["check", "--json", file])).stdout).results[0];
    expect(j.verdict).toBe("bad-unlock");
    expect(j.diagnostics).toEqual([]);
    expect(j.steps.map((s: { operation: string }) => s.operation)).toEqual(["load(dax_file)", "down_read(&app->mmap_lock)", "mutex_lock(&i_mmap_lock)"]);
    const dir = await mkdtemp(path.join(tmpdir(), "faultline-bad-unlock-"));
    try {
      const html = path.join(dir, "r.html");
      expect((await faultline(["check", "-q", "--report", html, file])).exitCode).toBe(1);
      const page = await readFile(html, "utf8");
      expect(page).toContain('id="verdict">bad-unlock<');
      expect(page).toContain("R read fault calls up_read(&amp;i_mmap_rwsem) at dax-wrong-unlock.ts:13 without holding &amp;i_mmap_rwsem for read");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("a DSL method that does not exist", () => {
  it.each([
    ["test/fixtures/loading/wrong-builder.ts", /wrong-builder\.ts:6: error FL004: the model file threw while building the model: .*thread is not a function; 'thread' is a method of a process \(const process = m\.process\(name\)\): use process\.thread\(\.\.\.\)$/m],
    ["test/fixtures/loading/typo-method.ts", /typo-method\.ts:7: error FL004: the model file threw while building the model: .*downread is not a function; did you mean t\.downRead\(\.\.\.\)\?$/m],
  ])("names the builder that has it, or the nearest method: %s", async (file, message) => {
    const r = await faultline(["check", file]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(message);
    const j = JSON.parse((await faultline(["check", "--json", file])).stdout).results[0];
    expect(j.diagnostics[0].code).toBe("FL004");
    expect(`${j.file.split("/").pop()}:${j.diagnostics[0].line}: error FL004: ${j.diagnostics[0].message}`).toMatch(message);
  });
});

describe("README", () => {
  it("shows the real output of its first command for seed000 (timings aside)", async () => {
    const readme = await readFile(path.join(import.meta.dirname, "../../README.md"), "utf8");
    const block = /real output of the first command above:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const r = await faultline(["check", "specs/seed000/as-reported.ts"]);
    // Timings aside: TLC's and the total in the first line, the why-checks' (0.0 s on an idle machine, not on a busy one).
    const times = (s: string) =>
      s
        .replace(/TLC \d+\.\d s, total \d+\.\d s/, "TLC x s, total x s")
        .replace(/\(checked again with variants of the model, \d+\.\d s\)/, "(checked again with variants of the model, x s)")
        .trimEnd();
    expect(times(block ?? "")).toBe(times(r.stdout));
  });
});

describe("a release no path reaches", () => {
  it("is warning FL301 at its line, and the reachable release without the lock is still the bad-unlock finding", async () => {
    const r = await faultline(["check", "test/fixtures/reports/unlock-unreachable.ts"]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/: BAD-UNLOCK \(/);
    expect(lines[1]).toBe("  unlock-unreachable.ts:11: warning FL301: thread 'T1' can never reach this release of 'A_mutex': it follows a return on every path; remove it, or move it before the return");
    expect(r.stdout).toMatch(/^T1 calls mutex_unlock\(&A_mutex\) at unlock-unreachable\.ts:9 without holding &A_mutex$/m);
  });
});
