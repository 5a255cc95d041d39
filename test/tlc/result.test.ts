// interpretRun on recorded TLC runs (no Java): each case's TlcRun, minus the
// raw output, is kept as a golden result.json next to its recording.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type RawRun, type TlcRun, interpretRun } from "../../src/tlc/result.js";
import { FIXTURES, loadCases, loadRecording } from "./fixtures.js";

function withoutOutput(run: TlcRun): Omit<TlcRun, "output"> {
  const { output: _, ...rest } = run;
  return rest;
}

describe("interpretRun: goldens", () => {
  it.each(loadCases().map((c) => c.dir))("%s", async (dir) => {
    const run = interpretRun(loadRecording(dir));
    await expect(`${JSON.stringify(withoutOutput(run), null, 2)}\n`).toMatchFileSnapshot(join(FIXTURES, dir, "result.json"));
  });
});

describe("interpretRun: what each outcome carries", () => {
  const run = (dir: string): TlcRun => interpretRun(loadRecording(dir));

  it("ok: full stats", () => {
    expect(run("ok")).toMatchObject({ outcome: "ok", stats: { generated: 5, distinct: 3, depth: 2 } });
  });

  it("invariant: name, states, actions and their parameters", () => {
    const r = run("invariant");
    if (r.outcome !== "invariant") throw new Error(r.outcome);
    expect(r.invariant).toBe("MutualExclusion");
    expect(r.trace.actions).toEqual([null, "Test", "Test", "Set", "Set"]);
    expect(r.trace.params).toEqual([null, { p: "p1" }, { p: "p2" }, { p: "p1" }, { p: "p2" }]);
    expect(r.trace.states.at(-1)).toEqual({
      locked: true,
      pc: { p1: "cs", p2: "cs" },
      entries: [
        { who: "p1", at: 0 },
        { who: "p2", at: 1 },
      ],
    });
    expect(r.trace.vars).toEqual(["locked", "pc", "entries"]);
    expect(r.trace.loopTo).toBeUndefined();
  });

  it("invariant broken by an initial state: one state, and how each kind of value is dumped", () => {
    const r = run("invariant-initial");
    if (r.outcome !== "invariant") throw new Error(r.outcome);
    expect(r.trace.actions).toEqual([null]);
    expect(r.trace.states[0]).toEqual({
      intdom: { "0": 0, "1": 1, "2": 2 },
      tupledom: { "<<1, 2>>": "z", "<<3, 4>>": "z" },
      setofsets: [[1], [2, 3]],
      sparse: { "2": true, "5": true },
      tuple: [1, "x", "P1"],
      empty: [],
      neg: -3,
      rec: { a: 1, b: [] },
      mvdom: { P1: [] },
      str: "P1",
    });
  });

  it("liveness lasso: loops back with the action that closes it", () => {
    const r = run("liveness-lasso");
    if (r.outcome !== "liveness") throw new Error(r.outcome);
    expect(r.property).toBe("NoStarvation");
    expect(r.trace).toMatchObject({ loopTo: 3, loopAction: "Acquire", loopParams: { p: "p2" } });
    // the state looped back to is where p2 holds the lock while p1 waits
    expect(r.trace.states[3]).toEqual({ owner: "p2", pc: { p1: "wait", p2: "cs" } });
  });

  it("liveness by stuttering: TLC's JSON labels the stutter step with an action, we do not", () => {
    const r = run("liveness-stuttering");
    if (r.outcome !== "liveness") throw new Error(r.outcome);
    expect(r.trace).toMatchObject({ loopTo: 2, loopAction: null, loopParams: null });
    expect(r.trace.states).toHaveLength(3);
  });

  it("action property: reported as liveness, without a loop", () => {
    const r = run("action-property");
    expect(r).toMatchObject({ outcome: "liveness", property: "StaysSmall" });
    if (r.outcome === "liveness") expect(r.trace.loopTo).toBeUndefined();
  });

  it("deadlock: the trace into the stuck state", () => {
    const r = run("deadlock");
    if (r.outcome !== "deadlock") throw new Error(r.outcome);
    expect(r.trace.params).toEqual([null, { t: "t1" }, { t: "t2" }]);
  });

  it.each(["parse-error", "semantic-error", "config-error"])("%s: keeps the dir and says what SANY or the cfg said", (dir) => {
    const r = run(dir);
    expect(r).toMatchObject({ outcome: "parse-error", keptDir: "$DIR" });
  });

  it("eval error: failed, and the generated spec is kept", () => {
    expect(run("eval-error")).toMatchObject({
      outcome: "failed",
      keptDir: "$DIR",
      message: expect.stringContaining("Attempted to apply Head to the empty sequence."),
    });
  });

  it("timeout: whatever stats the last progress report had", () => {
    expect(run("timeout")).toMatchObject({ outcome: "timeout", stats: { generated: expect.any(Number) } });
  });

  it("out of memory: failed with a hint about the heap", () => {
    expect(run("out-of-memory")).toMatchObject({ outcome: "failed", message: "tlc ran out of memory", hint: expect.stringContaining("-Xmx") });
  });
});

describe("interpretRun: failures without a recording", () => {
  const raw = (over: Partial<RawRun>): RawRun => ({ output: "", timedOut: false, dir: "/tmp/x", wallMs: 5, ...over });

  it("a JVM killed by a signal", () => {
    expect(interpretRun(raw({ signal: "SIGKILL" }))).toMatchObject({ outcome: "failed", message: expect.stringContaining("SIGKILL") });
  });

  it("java that cannot load TLC: exit 1 and the JVM's words", () => {
    const r = interpretRun(raw({ exitCode: 1, output: "Error: Could not find or load main class tlc2.TLC\n" }));
    expect(r).toMatchObject({ outcome: "failed", message: expect.stringContaining("Could not find or load main class") });
    expect(r).not.toHaveProperty("keptDir");
  });

  it("a violation whose trace.json is missing", () => {
    const output = "@!@!@STARTMSG 2114:1 @!@!@\nDeadlock reached.\n@!@!@ENDMSG 2114 @!@!@\n";
    expect(interpretRun(raw({ exitCode: 11, output }))).toMatchObject({ outcome: "failed", message: expect.stringContaining("no trace.json") });
  });

  it("a trace.json that is not JSON", () => {
    const output = "@!@!@STARTMSG 2114:1 @!@!@\nDeadlock reached.\n@!@!@ENDMSG 2114 @!@!@\n";
    expect(interpretRun(raw({ exitCode: 11, output, traceJson: "{" }))).toMatchObject({ outcome: "failed", message: expect.stringContaining("cannot read") });
  });

  it("a JVM ended after TLC's verdict (no exit status): ok on TLC_SUCCESS, failed without it", () => {
    const success = "@!@!@STARTMSG 2193:0 @!@!@\nModel checking completed. No error has been found.\n@!@!@ENDMSG 2193 @!@!@\n";
    expect(interpretRun(raw({ ended: true, output: success }))).toMatchObject({ outcome: "ok" });
    expect(interpretRun(raw({ output: success }))).toMatchObject({ outcome: "failed", message: expect.stringContaining("without a verdict") });
  });

  it("a timeout before any progress report has no stats", () => {
    expect(interpretRun(raw({ timedOut: true }))).toEqual({ outcome: "timeout", output: "" });
  });
});
