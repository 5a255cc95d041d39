// parseToolOutput on recorded TLC output and on hand-made frames: no Java.
import { describe, expect, it } from "vitest";
import { EC } from "../../src/tlc/codes.js";
import { parseToolOutput } from "../../src/tlc/output.js";
import { loadRecording } from "./fixtures.js";

const frame = (code: number, severity: number, body: string): string =>
  `@!@!@STARTMSG ${code}:${severity} @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;

describe("parseToolOutput: frames", () => {
  it("splits messages from unframed text", () => {
    const out = parseToolOutput(`hello\n${frame(2185, 0, "Starting...")}"CounterExample written: trace.json"\n`);
    expect(out.messages).toEqual([{ code: 2185, severity: 0, body: "Starting..." }]);
    expect(out.unframed).toBe('hello\n"CounterExample written: trace.json"\n');
  });

  it("keeps a message printed inside another apart from it", () => {
    const text = `@!@!@STARTMSG 1000:1 @!@!@\nouter\n${frame(2217, 4, "inner")}more\n@!@!@ENDMSG 1000 @!@!@\n`;
    const out = parseToolOutput(text);
    expect(out.messages).toEqual([
      { code: 2217, severity: 4, body: "inner" },
      { code: 1000, severity: 1, body: "outer\nmore" },
    ]);
  });

  it("finds markers in the middle of a line and survives a frame cut off by a kill", () => {
    const out = parseToolOutput("x@!@!@STARTMSG 2200:0 @!@!@\nProgress(3) at t: 10 states generated, 7 distinct states found, 0 states left");
    expect(out.unframed).toBe("x");
    expect(out.stats).toEqual({ depth: 3, generated: 10, distinct: 7 });
  });

  it("ignores a stray end marker", () => {
    expect(parseToolOutput("@!@!@ENDMSG 2186 @!@!@\n").messages).toEqual([]);
  });
});

describe("parseToolOutput: stats", () => {
  it("reads grouped numbers and lets the final TLC_STATS win over a later progress report", () => {
    const text =
      frame(2199, 0, "1,467,996 states generated, 499,691 distinct states found, 0 states left on queue.") +
      frame(2200, 0, "Progress(9) at 2026-11-21 20:13:47: 5 states generated (5 s/min), 4 distinct states found (4 ds/min), 0 states left on queue.") +
      frame(2194, 0, "The depth of the complete state graph search is 12.") +
      frame(2186, 0, "Finished in 771ms at (2026-11-21 20:12:35)");
    expect(parseToolOutput(text).stats).toEqual({ generated: 1_467_996, distinct: 499_691, depth: 12, timeMs: 771 });
  });

  it("keeps the last progress report of a run killed on timeout", () => {
    expect(parseToolOutput(loadRecording("timeout").output).stats).toMatchObject({
      generated: expect.any(Number),
      distinct: expect.any(Number),
      depth: expect.any(Number),
    });
  });
});

describe("parseToolOutput: verdicts from recorded runs", () => {
  const cases = [
    { given: "ok", want: { success: true, parseFailed: false }, absent: ["violation"] },
    { given: "invariant", want: { violation: { kind: "invariant", name: "MutualExclusion", initial: false } } },
    { given: "invariant-initial", want: { violation: { kind: "invariant", name: "Positive", initial: true } } },
    { given: "liveness-lasso", want: { violation: { kind: "property", name: "NoStarvation" }, lasso: { backTo: 4 } } },
    { given: "liveness-stuttering", want: { violation: { kind: "property", name: "Done" }, lasso: "stuttering" } },
    { given: "action-property", want: { violation: { kind: "property", name: "StaysSmall" } }, absent: ["lasso"] },
    { given: "deadlock", want: { violation: { kind: "deadlock" } } },
    { given: "parse-error", want: { parseFailed: true, success: false } },
    { given: "semantic-error", want: { parseFailed: true } },
    { given: "config-error", want: { parseFailed: true } },
    { given: "eval-error", want: { parseFailed: false, success: false }, absent: ["violation"] },
  ] as const;

  it.each(cases)("$given", (c) => {
    const out = parseToolOutput(loadRecording(c.given).output);
    expect(out).toMatchObject(c.want);
    for (const key of "absent" in c ? c.absent : []) expect(out).not.toHaveProperty(key);
  });

  it("collects SANY's report without its progress lines", () => {
    const out = parseToolOutput(loadRecording("semantic-error").output);
    expect(out.sany).toContain("Unknown operator: `Missing'.");
    expect(out.sany).not.toMatch(/Parsing file|Semantic processing/);
  });

  it("lists error messages but not trace headers", () => {
    const codes = parseToolOutput(loadRecording("eval-error").output).errors.map((m) => m.code);
    expect(codes).toEqual([2184 /* TLC_MODULE_APPLY_EMPTY_SEQ */, EC.TLC_NESTED_EXPRESSION]);
  });
});
