// What bench.ts and jvm-flags.ts share: the median, a trivial spec, writing a spec
// into a directory, and timing one plain TLC run on it.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
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

/** `java` arguments of a bare TLC run with 1 worker on <module>.tla in dir, as a user would run it (states under dir/states). */
export const bareTlcArgs = (tc: Toolchain, dir: string, module: string): string[] => [
  "-XX:+UseParallelGC",
  `-Djava.io.tmpdir=${dir}`,
  "-cp",
  tc.jar,
  "tlc2.TLC",
  "-workers",
  "1",
  "-metadir",
  path.join(dir, "states"),
  `${module}.tla`,
];

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

/**
 * Writes `lines` into bench/results.md between two `<!-- name -->` markers,
 * replacing what was there (appended when there are none): the standalone
 * bench scripts update their own section of the full `npm run bench` output.
 */
export async function writeBlock(name: string, lines: readonly string[]): Promise<void> {
  const mark = `<!-- ${name} -->`;
  const out = path.resolve(import.meta.dirname, "results.md");
  const old = await readFile(out, "utf8").catch(() => "# Benchmarks\n");
  const block = `${mark}\n${lines.join("\n").trim()}\n${mark}`;
  const i = old.indexOf(mark);
  const j = old.lastIndexOf(mark);
  await writeFile(out, i >= 0 && j > i ? `${old.slice(0, i)}${block}${old.slice(j + mark.length)}` : `${old.trimEnd()}\n\n${block}\n`);
}

/** The lines of a section as `npm run bench` writes them: between the markers writeBlock replaces. */
export const block = (name: string, lines: readonly string[]): string[] => ["", `<!-- ${name} -->`, lines.join("\n").trim(), `<!-- ${name} -->`];
