// What bench.ts and jvm-flags.ts share: the median, a trivial spec, writing a spec
// into a directory, and timing one plain TLC run on it.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import type { Toolchain } from "../src/tlc/locate.js";

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Two states: what the JVM and TLC cost on their own. */
export const TRIVIAL = {
  module: "Trivial",
  tla: "---- MODULE Trivial ----\nVARIABLE x\nInit == x = 0\nNext == x' = IF x = 0 THEN 1 ELSE 0\n====\n",
  cfg: "INIT Init\nNEXT Next\n",
};

export async function writeSpec(dir: string, spec: { readonly module: string; readonly tla: string; readonly cfg: string }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${spec.module}.tla`), spec.tla);
  await writeFile(path.join(dir, `${spec.module}.cfg`), spec.cfg);
}

/** TLC's exit codes for "checked": no violation, or a safety/liveness/deadlock finding. */
const CHECKED = new Set([0, 11, 12, 13]);

/** Wall time of `java <jvm> -cp tla2tools.jar tlc2.TLC <tlc> <module>.tla` in `dir`, as a user would run it. */
export async function timeTlc(tc: Toolchain, dir: string, module: string, jvm: readonly string[] = [], tlc: readonly string[] = ["-workers", "1"]): Promise<number> {
  const meta = path.join(dir, "states");
  const t = performance.now();
  const r = await execa(tc.java, [...jvm, `-Djava.io.tmpdir=${dir}`, "-cp", tc.jar, "tlc2.TLC", ...tlc, "-metadir", meta, `${module}.tla`], { cwd: dir, reject: false, all: true });
  const took = performance.now() - t;
  await rm(meta, { recursive: true, force: true });
  if (r.exitCode === undefined || !CHECKED.has(r.exitCode)) throw new Error(`TLC failed on ${module} (exit ${r.exitCode}): ${r.all}`);
  return took;
}
