// Recorded TLC runs under test/fixtures/tlc/ (see cases.json there).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RawRun } from "../../src/tlc/result.js";

export const FIXTURES = new URL("../fixtures/tlc/", import.meta.url).pathname;

export interface FixtureCase {
  dir: string;
  module: string;
  timeoutMs?: number;
  jvmArgs?: string[];
}

export function loadCases(): FixtureCase[] {
  return (JSON.parse(readFileSync(join(FIXTURES, "cases.json"), "utf8")) as { cases: FixtureCase[] }).cases;
}

/** The recorded run of one case, as run.ts would hand it to interpretRun. */
export function loadRecording(dir: string): RawRun {
  const at = join(FIXTURES, dir);
  const run = JSON.parse(readFileSync(join(at, "run.json"), "utf8")) as Omit<RawRun, "output" | "dir">;
  const trace = join(at, "trace.json");
  return {
    ...run,
    output: readFileSync(join(at, "output.txt"), "utf8"),
    ...(existsSync(trace) && { traceJson: readFileSync(trace, "utf8") }),
    dir: "$DIR",
  };
}
