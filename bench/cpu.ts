// faultline's own CPU per check (issue 18): a whole `faultline check` of a model
// (node, the model's bundling and worker, generation, TLC, trace translation)
// against a bare TLC run of the very spec it generated, as CPU seconds (user +
// system of the process and all its children, from the shell's `times`), not
// wall time, which on a loaded machine mostly measures the other work.
// Interleaved runs; medians. `npm run bench:cpu -- [--repeat N] [model.ts]`
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { check } from "../src/check.js";
import { loadModelFile } from "../src/load.js";
import type { Toolchain } from "../src/tlc/locate.js";
import { ensureCdsArchive, fpMemArgs, jvmArgs } from "../src/tlc/run.js";
import { bareTlcArgs, block, median, writeBlock, writeSpec } from "./util.js";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist/cli/main.js");

/** CPU seconds (user + system) of `cmd args` and everything it started, and its exit code. */
export async function cpuSeconds(cmd: string, args: readonly string[], cwd: string): Promise<{ cpu: number; wall: number; code: number | undefined }> {
  const t = performance.now();
  // `times` prints the shell's own times, then its children's: "0m1.860s 0m0.270s".
  const r = await execa("sh", ["-c", '"$@" >/dev/null 2>&1; c=$?; times; exit $c', "sh", cmd, ...args], { cwd, reject: false, env: { NO_COLOR: "1" } });
  const wall = performance.now() - t;
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read the CPU times of ${cmd}: ${r.stdout}`);
  return { cpu: (secs[0] ?? 0) + (secs[1] ?? 0), wall, code: r.exitCode };
}

/** The checks bench:cpu times: a default one (dependency table and why-checks included), and the pipeline alone. */
export const CPU_CHECKS: readonly (readonly string[])[] = [[], ["--no-deps", "--no-why"]];

export interface CpuOverhead {
  readonly file: string;
  /** the options given to `faultline check` besides -q */
  readonly args: readonly string[];
  readonly check: readonly number[];
  readonly bare: readonly number[];
  /** bare TLC with the options faultline gives it (class-data sharing archive, C1 alone, -fpmem) */
  readonly same: readonly number[];
  /** median(check) - median(same): faultline's own work */
  readonly overhead: number;
}

/** `faultline check -q <file>` (defaults: dependency table and why included) against bare TLC on its spec. */
export async function cpuOverhead(tc: Toolchain, file: string, repeat: number, cliArgs: readonly string[] = []): Promise<CpuOverhead> {
  const loaded = await loadModelFile(file);
  if (!loaded.ok) throw new Error(`${file}: invalid`);
  const r = await check(loaded.def, { toolchain: tc, deps: false });
  if (!r.spec) throw new Error(`${file}: ${r.verdict}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), "faultline-cpu-"));
  await writeSpec(dir, r.spec);
  const checks: number[] = [];
  const bares: number[] = [];
  const sames: number[] = [];
  const archive = await ensureCdsArchive(tc);
  const jvm = jvmArgs({ spec: "", cfg: "", module: r.spec.module, toolchain: tc }, dir, archive ? { kind: "use", archive } : { kind: "off" });
  try {
    for (let i = 0; i < repeat; i++) {
      const c = await cpuSeconds(process.execPath, [cli, "check", "-q", ...cliArgs, file], root);
      if (c.code === undefined || c.code > 2) throw new Error(`faultline check ${file} failed (exit ${c.code})`);
      checks.push(c.cpu);
      await rm(path.join(dir, "states"), { recursive: true, force: true });
      const b = await cpuSeconds(tc.java, bareTlcArgs(tc, dir, r.spec.module), dir);
      bares.push(b.cpu);
      await rm(path.join(dir, "states"), { recursive: true, force: true });
      const same = await cpuSeconds(tc.java, [...jvm, "-cp", tc.jar, "tlc2.TLC", "-tool", "-workers", "1", ...fpMemArgs({}), "-checkpoint", "0", "-noGenerateSpecTE", "-metadir", path.join(dir, "states"), `${r.spec.module}.tla`], dir);
      sames.push(same.cpu);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { file, args: cliArgs, check: checks, bare: bares, same: sames, overhead: median(checks) - median(sames) };
}

/** The section as `npm run bench` writes it (between the markers bench:cpu replaces). */
export const cpuBlock = (results: readonly CpuOverhead[], repeat: number): string[] => block("cpu", cpuLines(results, repeat));

export function cpuLines(results: readonly CpuOverhead[], repeat: number): string[] {
  const s = (x: number) => `${x.toFixed(2)} s`;
  return [
    "",
    "## faultline's own CPU per check",
    "",
    `CPU seconds (user + system, the process and all it starts: node, the model's worker and esbuild, TLC's JVM) of \`node dist/cli/main.js check -q <model>\` against bare TLC (\`java -cp tla2tools.jar tlc2.TLC -workers 1\`) on the spec it generates: as a user would run it, and with the options faultline gives it (class-data sharing archive, C1 alone, its fingerprint memory: src/tlc/run.ts; not its main class, which changes wall time, not CPU). faultline's own CPU is the difference with the second. Interleaved, medians of ${repeat}. Load average: ${os.loadavg().map((x) => x.toFixed(1)).join(", ")}.`,
    "",
    "| model | faultline check | CPU | bare TLC | bare TLC, faultline's JVM options | faultline's own |",
    "|---|---|---:|---:|---:|---:|",
    ...results.map((r) => `| ${path.relative(path.join(root, "specs"), r.file)} | ${["-q", ...r.args].join(" ")}${r.args.length === 0 ? " (dependency table and why-checks included)" : ""} | ${s(median(r.check))} | ${s(median(r.bare))} | ${s(median(r.same))} | ${s(r.overhead)} |`),
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--repeat");
  const repeat = i >= 0 ? Number(args[i + 1]) : 5;
  const files = args.filter((a, j) => a.endsWith(".ts") && j !== i + 1);
  const { locateToolchain } = await import("../src/tlc/locate.js");
  const tc = await locateToolchain();
  const results = [];
  for (const f of files.length > 0 ? files : [path.join(root, "specs/seed000/as-reported.ts")]) {
    for (const extra of CPU_CHECKS) {
      const r = await cpuOverhead(tc, path.resolve(f), repeat, extra);
      results.push(r);
      console.error(`${f} ${extra.join(" ")}: check ${r.check.map((x) => x.toFixed(2)).join(" ")}; bare ${r.bare.map((x) => x.toFixed(2)).join(" ")}; same options ${r.same.map((x) => x.toFixed(2)).join(" ")}`);
    }
  }
  const lines = cpuLines(results, repeat);
  await writeBlock("cpu", lines);
  console.log(lines.join("\n"));
}
