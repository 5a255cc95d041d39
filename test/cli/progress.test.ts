// The live progress line: read from TLC's tool-mode progress messages, shown on a
// terminal only. A real pseudo-terminal (util-linux `script`) for the CLI; the
// reader on recorded messages cut at every place.

import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { progressReader, progressText, progressWanted } from "../../src/cli/progress.js";
import { faultline, mainArgs, root } from "../helpers/cli.js";
import { toolchain } from "../helpers/toolchain.js";

const jar = (await toolchain()).jar;
const LINE = /specs\/seed000\/as-reported\.ts: [\d,]+ distinct states, queue [\d,]+, [\d,]+ states\/s, \d+:\d\d elapsed/;

/** `faultline <args>` on a pseudo-terminal (stdout and stderr both): what the terminal got. */
async function onTerminal(args: string[]): Promise<{ exitCode: number | undefined; text: string }> {
  const cmd = [process.execPath, ...mainArgs, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = await execa("script", ["-qefc", cmd, "/dev/null"], { cwd: root, reject: false, env: { TLA2TOOLS_JAR: jar, NO_COLOR: "1" } });
  return { exitCode: r.exitCode, text: r.stdout };
}

describe("the progress line", () => {
  it("on a terminal: distinct states, states/s, queue and elapsed time from TLC, cleared before the report", async () => {
    const r = await onTerminal(["check", "specs/seed000/as-reported.ts"]);
    expect(r.exitCode).toBe(1);
    expect(r.text).toMatch(LINE);
    // Drawn and erased in place: carriage return and erase-line around it.
    expect(r.text).toMatch(new RegExp(`\\r\\u001b\\[2K${LINE.source}`));
    const report = r.text.slice(r.text.lastIndexOf("\u001b[2K"));
    expect(report).toMatch(/^\u001b\[2K\s*seed000 as reported .*: DEADLOCK/);
  });

  it("nothing with --quiet or --json on a terminal, nor when the output is not a terminal", async () => {
    const quiet = await onTerminal(["check", "-q", "specs/seed000/as-reported.ts"]);
    expect(quiet.exitCode).toBe(1);
    expect(quiet.text).toContain("DEADLOCK");
    expect(quiet.text).not.toMatch(LINE);
    const json = await onTerminal(["check", "--json", "specs/seed000/as-reported.ts"]);
    expect(json.exitCode).toBe(1);
    expect(json.text).not.toMatch(LINE);
    expect(JSON.parse(json.text.replace(/\r\n/g, "\n")).results[0].verdict).toBe("deadlock");
    const piped = await faultline(["check", "specs/seed000/as-reported.ts"]);
    expect(piped.exitCode).toBe(1);
    expect(piped.stderr).toBe("");
    expect(piped.stdout).not.toContain("\u001b[2K");
  });

  it("reads TLC's progress messages however the output is cut into chunks", async () => {
    const out = [
      "@!@!@STARTMSG 2190:0 @!@!@\nFinished computing initial states: 1 distinct state generated.\n@!@!@ENDMSG 2190 @!@!@\n",
      "@!@!@STARTMSG 2200:0 @!@!@\nProgress(12) at 2026-12-02 13:00:01: 1,234,567 states generated (600,000 s/min), 345,678 distinct states found (100,000 ds/min), 9,876 states left on queue.\n@!@!@ENDMSG 2200 @!@!@\n",
      "@!@!@STARTMSG 2209:0 @!@!@\nProgress(50) at 2026-12-02 13:00:02: 1521 states generated, -1 distinct states found, -1 states left on queue.\n@!@!@ENDMSG 2209 @!@!@\n",
    ].join("");
    for (const cut of [1, 7, 33, 64, out.length]) {
      const seen: unknown[] = [];
      const read = progressReader((s) => seen.push(s));
      for (let i = 0; i < out.length; i += cut) read(out.slice(i, i + cut));
      expect(seen).toEqual([
        { distinct: 345_678, generated: 1_234_567, queue: 9_876, perSecond: 10_000 },
        { behaviours: 50, generated: 1521, perSecond: expect.any(Number) },
      ]);
    }
    expect(progressText("m", { distinct: 345_678, generated: 1_234_567, queue: 9_876, perSecond: 10_000 }, 83_000)).toBe("m: 345,678 distinct states, queue 9,876, 10,000 states/s, 1:23 elapsed");
    expect(progressWanted({ isTTY: true }, {})).toBe(true);
    expect(progressWanted({ isTTY: true }, { json: true })).toBe(false);
    expect(progressWanted({ isTTY: true }, { quiet: true })).toBe(false);
    expect(progressWanted({ isTTY: false }, {})).toBe(false);
  });
});
