// Family 2 of issue 18 side by side (`npm run bench:family2`, and a section of
// `npm run bench`): for each size, faultline's generated spec (fixed and buggy:
// distinct states, states/s, TLC's time, end-to-end `faultline check`), the
// hand-optimised TLA+ of ../shared/reference/family2 with symmetry (states, time)
// and, when `spin` and `gcc` are installed, SPIN's compile + search on f2.pml.
// Runs are interleaved (one of each tool per round) and each figure is the
// median of the rounds. SPIN is a comparison only: never a dependency.
//   npm run bench:family2 -- [--repeat N] [--big-repeat N] [--limit SECONDS] [--sizes 1,2,2,2;2,2,2,2]
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import type { Toolchain } from "../src/tlc/locate.js";
import { YOUNG_GEN, hugePageArgs } from "../src/tlc/run.js";
import type { FamilySize } from "./family.js";
import { TRIVIAL, bareTlcArgs, block, median, writeBlock, writeSpec } from "./util.js";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist/cli/main.js");
/** ../shared/reference/family2 from the repository (or FAMILY2_DIR). */
export const family2Dir = (): string | undefined =>
  [process.env["FAMILY2_DIR"], path.resolve(root, "../shared/reference/family2"), "/work/shared/reference/family2"].find(
    (d): d is string => d !== undefined && existsSync(path.join(d, "F2FixedOpt.tla")),
  );

/** faultline's heap options for TLC: its young generation, and huge pages where the kernel has them. */
const HEAP = [...YOUNG_GEN, ...hugePageArgs()];

/** The sizes of the reference table, then the largest of the issue. */
export const FAMILY2_SIZES: readonly FamilySize[] = [
  { k: 1, f: 2, w: 2, l: 2 },
  { k: 3, f: 3, w: 2, l: 1 },
  { k: 1, f: 3, w: 2, l: 2 },
  { k: 2, f: 2, w: 2, l: 2 },
  { k: 3, f: 3, w: 2, l: 2 },
];

interface Run {
  readonly ms: number;
  /** user + system CPU of the whole run (GNU time) */
  readonly cpuMs?: number;
  readonly states?: number;
  /** TLC's own time, as faultline reports it */
  readonly tlcMs?: number;
  readonly verdict: string;
}

/** GNU time, when installed: the CPU (user + system) of a command and its children. */
const GNU_TIME = "/usr/bin/time";
const withCpu = existsSync(GNU_TIME);
/** Where GNU time writes its figures (outside the repository, where faultline's checks run). */
const cpuFile = path.join(os.tmpdir(), `faultline-f2-cpu-${process.pid}.txt`);

/** Wall time (and CPU, with GNU time) of one command, stopped after limitMs. */
async function timed(cmd: string, args: readonly string[], cwd: string, limitMs: number): Promise<{ ms: number; cpuMs?: number; out: string; code: number | undefined; timedOut: boolean }> {
  const [c, a] = withCpu ? [GNU_TIME, ["-o", cpuFile, "-f", "%U %S", cmd, ...args]] : [cmd, args];
  const t = performance.now();
  // Its own process group, killed whole at the limit: GNU time (or a shell) would
  // die alone and leave the command running, holding the output pipe open.
  const sub = execa(c, a, { cwd, reject: false, all: true, detached: true, env: { NO_COLOR: "1" } });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (sub.pid !== undefined) process.kill(-sub.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, limitMs);
  const r = await sub;
  clearTimeout(timer);
  const ms = performance.now() - t;
  const cpu = withCpu ? /^([\d.]+) ([\d.]+)\s*$/m.exec(await readFile(cpuFile, "utf8").catch(() => "")) : null;
  return { ms, ...(cpu && !timedOut ? { cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 } : {}), out: r.all ?? "", code: r.exitCode, timedOut };
}

const sizeName = ({ k, f, w, l }: FamilySize) => `${k},${f},${w} L${l}`;

/** One `faultline check --no-deps` of the model file (the dependency table's extra exploration is timed apart). */
async function faultline(file: string, limitMs: number): Promise<Run> {
  const r = await timed(process.execPath, [cli, "check", "--no-deps", "--no-why", "--json", file], root, limitMs);
  if (r.timedOut) return { ms: r.ms, verdict: "timeout" };
  const j = JSON.parse(r.out.slice(r.out.indexOf("{"))) as { results: { verdict: string; stats: { distinct: number; tlcMs: number } | null }[] };
  const one = j.results[0];
  return { ms: r.ms, ...(r.cpuMs !== undefined ? { cpuMs: r.cpuMs } : {}), verdict: one?.verdict ?? "?", ...(one?.stats ? { states: one.stats.distinct, tlcMs: one.stats.tlcMs } : {}) };
}

async function handTla(tc: Toolchain, dir: string, fixed: boolean, limitMs: number, jvm: readonly string[] = []): Promise<Run> {
  const module = fixed ? "F2FixedOpt" : "F2BuggyOpt";
  return bareTlc(tc, dir, module, limitMs, jvm);
}

/** Bare TLC with 1 worker on <module>.tla in dir, as a user would run it (with the JVM options jvm before the rest). */
async function bareTlc(tc: Toolchain, dir: string, module: string, limitMs: number, jvm: readonly string[] = []): Promise<Run> {
  await rm(path.join(dir, "states"), { recursive: true, force: true });
  const r = await timed(tc.java, [...jvm, ...bareTlcArgs(tc, dir, module)], dir, limitMs);
  if (r.timedOut) return { ms: r.ms, verdict: "timeout" };
  // The last count: progress lines print it too.
  const m = [...r.out.matchAll(/([\d,]+) distinct states found/g)].at(-1);
  const verdict = /Deadlock reached|is violated/.test(r.out) ? "deadlock" : r.code === 0 ? "ok" : `error ${r.code}`;
  return { ms: r.ms, ...(r.cpuMs !== undefined ? { cpuMs: r.cpuMs } : {}), verdict, ...(m?.[1] ? { states: Number(m[1].replace(/,/g, "")) } : {}) };
}

async function spin(dir: string, size: FamilySize, fixed: boolean, limitMs: number): Promise<Run> {
  const defs = [`-DK=${size.k}`, `-DF=${size.f}`, `-DW=${size.w}`, `-DL=${size.l}`, ...(fixed ? [] : ["-DBUGGY"])];
  const t = performance.now();
  const a = await timed("spin", ["-a", ...defs, "f2.pml"], dir, limitMs);
  if (a.code !== 0) throw new Error(`spin -a failed: ${a.out}`);
  const c = await timed("gcc", ["-O2", "-DSAFETY", "-o", "pan", "pan.c"], dir, limitMs);
  if (c.code !== 0) throw new Error(`gcc pan.c failed: ${c.out}`);
  const p = await timed("./pan", ["-m100000"], dir, limitMs);
  const ms = performance.now() - t;
  if (p.timedOut) return { ms, verdict: "timeout" };
  const m = /([\d.e+]+) states, stored/.exec(p.out);
  const verdict = /errors: 0\b/.test(p.out) ? "ok" : /pan:\d+: invalid end state/.test(p.out) ? "deadlock" : "?";
  return { ms, verdict, ...(m?.[1] ? { states: Math.round(Number(m[1])) } : {}) };
}

const has = async (cmd: string, args: string[]) => !(await execa(cmd, args, { reject: false })).failed;

/** The section's lines (markdown). */
export async function family2Section(tc: Toolchain, opts: { repeat: number; limitS: number; sizes?: readonly FamilySize[]; bigRepeat?: number }): Promise<string[]> {
  if (!existsSync(cli)) throw new Error("bench: run `npm run build` first (it times the built CLI)");
  const ref = family2Dir();
  const withSpin = (await has("spin", ["-V"])) && (await has("gcc", ["--version"]));
  const tmp = await mkdtemp(path.join(os.tmpdir(), "faultline-f2-"));
  const limitMs = opts.limitS * 1000;
  const { family2 } = await import("./family2.js");
  // Start-up baselines for the CPU per state: faultline on a one-step model, bare TLC on a two-state spec.
  const trivialDir = path.join(tmp, "trivial");
  await writeSpec(trivialDir, TRIVIAL);
  const trivialModel = path.join(trivialDir, "trivial.ts");
  await writeFile(trivialModel, 'import { model } from "faultline";\nexport default model("trivial", (m) => {\n  const l = m.mutex("L");\n  m.process("p").thread("T", (t) => {\n    t.lock(l);\n    t.unlock(l);\n  });\n});\n');
  const flBase: Run[] = [];
  const handBase: Run[] = [];
  const handHeapBase: Run[] = [];
  const source = await readFile(path.join(root, "bench/family2.ts"), "utf8");
  const family2Text = source.replace('from "../src/index.js"', 'from "faultline"');
  if (family2Text === source) throw new Error("bench/family2.ts no longer imports ../src/index.js: update family2Section");
  const { analyse } = await import("../src/deps/index.js");
  const { compile } = await import("../src/check.js");
  const lines = [
    "",
    "## Family 2: every lock visible (issue 18)",
    "",
    "`../shared/reference/family2`: " + `mmap_lock -> M -> S, K ioctl threads, F readers, W writers, bodies run L times; fixed (one lock order) and buggy (copy_to_user inside M: deadlock). Medians of ${opts.repeat} interleaved rounds${opts.bigRepeat !== undefined ? ` (${opts.bigRepeat} at 3,3,2 L2)` : ""} (faultline, hand TLA+, SPIN, in turn); a run stops after ${opts.limitS} s. Load average at the start of this section: ${os.loadavg().map((x) => x.toFixed(1)).join(", ")}.`,
    "",
    "- faultline: distinct states of the merged spec with symmetry, states/s (distinct over TLC's own time, with its JVM start), TLC's time, and end to end `node dist/cli/main.js check --no-deps --no-why <model>` (node start, model load, generation, TLC, trace).",
    "- deps: the dependency table's extra exploration that a default `faultline check` adds (src/deps, in node, no symmetry), timed once in process.",
    "- hand TLA+: `F2FixedOpt.tla`/`F2BuggyOpt.tla` with SYMMETRY over each thread kind, bare TLC with 1 worker, whole-process wall time.",
    `- SPIN: \`spin -a\` + \`gcc -O2 -DSAFETY\` + \`./pan\`, whole wall time${withSpin ? "" : " (not installed here: n/a)"}.`,
    `- CPU per state (fixed rows${withCpu ? "" : "; needs GNU time at /usr/bin/time: n/a here"}): user + system CPU of the whole run (GNU time), less the start-up measured in the same rounds (faultline: a \`check\` of a one-thread model; hand: bare TLC on a two-state spec), over the distinct states: what a state costs once both are running, JIT and garbage collection included.`,
    `- hand, faultline's heap: the hand TLA+ again with the heap options faultline gives TLC (\`${HEAP.join(" ")}\`, src/tlc/run.ts), and its start-up likewise: how much of the ratio is those options rather than the encoding (fixed rows the hand run finishes).`,
    "",
    "| K,F,W L | variant | faultline states | states/s | TLC time | end to end | deps | hand TLA+ + sym: states | time | states/s | SPIN states | compile + search | CPU per state: faultline / hand | hand, faultline's heap: time, CPU per state |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const size of opts.sizes ?? FAMILY2_SIZES) {
    for (const fixed of [true, false]) {
      const variant = fixed ? "fixed" : "buggy";
      const dir = path.join(tmp, `${size.k}${size.f}${size.w}${size.l}${variant}`);
      await mkdir(dir, { recursive: true });
      const modelFile = path.join(dir, `family2_${variant}.ts`);
      // Written as a user writes a model: importing "faultline" (which the loader
      // does not bundle), not bench/family2.ts's import of ../src (esbuild would
      // bundle the whole source tree into every check).
      await writeFile(path.join(dir, "family2.ts"), family2Text);
      await writeFile(modelFile, `import { family2 } from "./family2.ts";\nexport default family2(${JSON.stringify(size)}, ${fixed});\n`);
      if (ref) {
        for (const f of ["F2FixedOpt.tla", "F2BuggyOpt.tla", "f2.pml"]) await cp(path.join(ref, f), path.join(dir, f));
        const ids = (p: string, n: number) => `{${Array.from({ length: n }, (_, i) => `${p}${i + 1}`).join(", ")}}`;
        const cfg = `CONSTANTS\n    Ioc = ${ids("i", size.k)}\n    Rdr = ${ids("r", size.f)}\n    Wtr = ${ids("w", size.w)}\n    L = ${size.l}\nSYMMETRY SymUnion\nINIT Init\nNEXT Next\n`;
        await writeFile(path.join(dir, "F2FixedOpt.cfg"), cfg);
        await writeFile(path.join(dir, "F2BuggyOpt.cfg"), cfg);
      }
      const fl: Run[] = [];
      const hand: Run[] = [];
      const handHeap: Run[] = [];
      const sp: Run[] = [];
      const rounds = size.l === 2 && size.k * size.f * size.w >= 18 ? (opts.bigRepeat ?? opts.repeat) : opts.repeat;
      for (let i = 0; i < rounds; i++) {
        fl.push(await faultline(modelFile, limitMs));
        if (ref) hand.push(await handTla(tc, dir, fixed, limitMs));
        if (ref && withSpin) sp.push(await spin(dir, size, fixed, limitMs));
        const heapToo = ref && fixed && withCpu && hand[0]?.verdict !== "timeout";
        if (heapToo) handHeap.push(await handTla(tc, dir, fixed, limitMs, HEAP));
        // What each costs before its first state (JVM, parsing, node): in the same round.
        if (fixed && withCpu) {
          flBase.push(await faultline(trivialModel, limitMs));
          handBase.push(await bareTlc(tc, trivialDir, TRIVIAL.module, limitMs));
          if (heapToo) handHeapBase.push(await bareTlc(tc, trivialDir, TRIVIAL.module, limitMs, HEAP));
        }
        process.stderr.write(".");
      }
      let depsCell = "";
      {
        const def = family2(size, fixed);
        const c = compile(def, {});
        if (c.ok) {
          const t = performance.now();
          const a = analyse(def.ir, c.program);
          depsCell = `${((performance.now() - t) / 1000).toFixed(1)} s (${a.deps.states} states${a.deps.complete ? "" : ", gave up"})`;
        }
      }
      const med = (rs: Run[]) => (rs.some((r) => r.verdict === "timeout") ? `> ${opts.limitS} s` : `${(median(rs.map((r) => r.ms)) / 1000).toFixed(1)} s`);
      const st = (rs: Run[]) => (rs[0]?.states !== undefined ? rs[0].states.toLocaleString("en-US") : rs[0]?.verdict ?? "n/a");
      const tlcMs = median(fl.map((r) => r.tlcMs ?? 0));
      const distinct = fl[0]?.states;
      const rate = (n: number | undefined, ms: number) => (n === undefined || ms <= 0 ? "" : Math.round(n / (ms / 1000)).toLocaleString("en-US"));
      const handMs = median(hand.map((r) => r.ms));
      // CPU per state once started: (median CPU - median start-up CPU) / distinct states.
      const perState = (rs: Run[], base: Run[]) => {
        const n = rs[0]?.states;
        if (!fixed || n === undefined || rs.some((r) => r.cpuMs === undefined || r.verdict === "timeout") || base.length === 0) return undefined;
        return (median(rs.map((r) => r.cpuMs ?? 0)) - median(base.map((r) => r.cpuMs ?? 0))) / n;
      };
      const flPer = perState(fl, flBase);
      const handPer = perState(hand, handBase);
      const perCell = flPer !== undefined && handPer !== undefined ? `${(flPer * 1000).toFixed(0)} / ${(handPer * 1000).toFixed(0)} µs (${(flPer / handPer).toFixed(1)}x)` : "";
      const heapPer = perState(handHeap, handHeapBase);
      const heapCell = flPer !== undefined && heapPer !== undefined ? `${med(handHeap)}, ${(heapPer * 1000).toFixed(0)} µs (faultline ${(flPer / heapPer).toFixed(1)}x)` : "";
      lines.push(
        `| ${sizeName(size)} | ${variant} (${fl[0]?.verdict ?? "?"}) | ${distinct?.toLocaleString("en-US") ?? "timeout"} | ${rate(distinct, tlcMs)} | ${(tlcMs / 1000).toFixed(1)} s | ${med(fl)} | ${depsCell} | ${ref ? `${st(hand)} (${hand[0]?.verdict})` : "n/a"} | ${ref ? med(hand) : ""} | ${ref && hand[0]?.verdict !== "timeout" ? rate(hand[0]?.states, handMs) : ""} | ${sp.length > 0 ? `${st(sp)} (${sp[0]?.verdict})` : "n/a"} | ${sp.length > 0 ? med(sp) : ""} | ${perCell} | ${heapCell} |`,
      );
      process.stderr.write(`\n${lines.at(-1)}\n`);
    }
  }
  await rm(tmp, { recursive: true, force: true });
  await rm(cpuFile, { force: true });
  return lines;
}

/** The section as `npm run bench` writes it (between the markers bench:family2 replaces). */
export const family2Block = (lines: readonly string[]): string[] => block("family2", lines);

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const { locateToolchain } = await import("../src/tlc/locate.js");
  const tc = await locateToolchain();
  const sizes = opt("--sizes")
    ?.split(";")
    .map((s) => {
      const [k, f, w, l] = s.split(",").map(Number) as [number, number, number, number];
      return { k, f, w, l };
    });
  const big = opt("--big-repeat");
  const lines = await family2Section(tc, { repeat: Number(opt("--repeat") ?? 3), limitS: Number(opt("--limit") ?? 300), ...(sizes ? { sizes } : {}), ...(big ? { bigRepeat: Number(big) } : {}) });
  await writeBlock("family2", lines);
  console.log(lines.join("\n"));
}
