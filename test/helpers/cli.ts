// The `faultline` command as a user runs it, for CLI tests: one node process (as
// the built CLI is one process, so signals reach it directly) running src/ as
// global-setup.ts compiled it for this run, or, outside vitest's run, src/ with
// tsx's loader; and where its java processes and temporary files are.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { inject } from "vitest";
import { toolchain } from "./toolchain.js";

export const root = path.resolve(import.meta.dirname, "../..");
const compiled = inject("faultlineMain");
/** node's arguments before faultline's own: the command's `node <these> <args>`. */
export const mainArgs: readonly string[] = compiled ? [compiled] : ["--import", "tsx", path.join(root, "src/cli/main.ts")];
const jar = (await toolchain()).jar;

/** `faultline <args>` from the repository root, with the test TLC and no colour; never rejects. */
export function faultline(args: readonly string[], env: Record<string, string | undefined> = {}) {
  return execa(process.execPath, [...mainArgs, ...args], {
    cwd: root,
    reject: false,
    env: { TLA2TOOLS_JAR: jar, NO_COLOR: "1", ...env },
  });
}

/** Pids of the java processes whose command line names `dir` (a check's private TMPDIR). */
export async function javaUnder(dir: string): Promise<number[]> {
  const r = await execa("pgrep", ["-f", `java.*${path.basename(dir)}`], { reject: false });
  return r.stdout.split("\n").filter(Boolean).map(Number);
}

/** What faultline and TLC left in `dir`: not tsx's compile cache, not a test's own `fake-*` files. */
export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => !f.startsWith("tsx-") && !f.startsWith("fake-"));
}
