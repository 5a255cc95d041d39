// `npm run bench:reference`: faultline against the hand-written reference encodings
// of the seed scenarios (../shared/reference, issue 13 item 8). For every row of the
// reference README's table, the faultline model of the same scenario
// (specs/reference/<dir>/<base>.ts, the reference's directory and base name) is
// generated and its reachable states counted as the README counts the reference's:
// TLC with every invariant and property removed from the .cfg and no deadlock check
// (faultline's deadlock is the NoDeadlock invariant, so it goes too), i.e. the whole
// reachable state space, independent of search order, even for buggy models. The
// reference explorer's exhaustive count is computed as well and must be the same.
// The verdict is the ordinary `check`'s. Prints the table; `npm run bench` puts it
// into bench/results.md. Needs a TLC toolchain (TLA2TOOLS_JAR or the installed jar).
//   npm run bench:reference -- [--reference DIR]

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { check, compile, onlyChecks } from "../src/check.js";
import type { ModelDef } from "../src/dsl/model.js";
import { explore } from "../src/explore/index.js";
import { loadModelFile } from "../src/load.js";
import { type Toolchain, locateToolchain } from "../src/tlc/locate.js";
import { runTlc } from "../src/tlc/run.js";

const root = path.resolve(import.meta.dirname, "..");

/** Where the reference encodings are: FAULTLINE_REFERENCE, else ../shared/reference beside the checkout's parent. */
export function referenceDir(): string {
  const env = process.env.FAULTLINE_REFERENCE;
  if (env) return path.resolve(env);
  for (const dir of [path.resolve(root, "..", "shared", "reference"), "/work/shared/reference"]) if (existsSync(path.join(dir, "README.md"))) return dir;
  return path.resolve(root, "..", "shared", "reference");
}

/** One row of the reference README's table. */
export interface ReferenceRow {
  readonly scenario: string;
  /** e.g. `seed001_mpx` */
  readonly dir: string;
  /** e.g. `mpx_d_proposal_nofault_inval` */
  readonly base: string;
  /** As written: `deadlock`, `ok`, `invariant violated: NoReuse`, `lock leak`. */
  readonly verdict: string;
  /** The hand-written spec's reachable distinct states. */
  readonly reachable: number;
}

/** The rows of the table `| scenario | spec | verdict | reachable |` in the reference README. */
export function parseReferenceTable(readme: string): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  for (const line of readme.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    // | scenario | `dir/base.tla` | verdict | count |  -> ["", scenario, spec, verdict, count, ""]
    if (cells.length !== 6) continue;
    const spec = /^`([^`/]+)\/([^`/]+)\.tla`$/.exec(cells[2] as string);
    const count = (cells[4] as string).replace(/,/g, "");
    if (!spec || !/^\d+$/.test(count)) continue;
    rows.push({ scenario: cells[1] as string, dir: spec[1] as string, base: spec[2] as string, verdict: cells[3] as string, reachable: Number(count) });
  }
  return rows;
}

export async function referenceRows(dir = referenceDir()): Promise<ReferenceRow[]> {
  return parseReferenceTable(await readFile(path.join(dir, "README.md"), "utf8"));
}

/** The faultline model of a reference spec. */
export function modelPath(row: ReferenceRow): string {
  return path.join(root, "specs", "reference", row.dir, `${row.base}.ts`);
}

/**
 * The reference verdict in faultline's words: `deadlock`, `ok`, `lock-leak`, or
 * `invariant` with the invariant's name.
 */
export function expectedVerdict(row: ReferenceRow): { readonly verdict: string; readonly invariant?: string } {
  const v = row.verdict.trim();
  const inv = /^invariant violated: (\S+)$/.exec(v);
  if (inv) return { verdict: "invariant", invariant: inv[1] as string };
  if (v === "lock leak") return { verdict: "lock-leak" };
  if (v === "deadlock" || v === "ok") return { verdict: v };
  throw new Error(`reference README: unknown verdict '${v}' for ${row.dir}/${row.base}`);
}

/** The reference explorer's verdict and exhaustive reachable count (merging on, as `check`). */
export function exploreCounts(def: ModelDef): { readonly verdict: string; readonly invariant?: string; readonly reachable: number } {
  const first = explore(def);
  const all = explore(def, { exhaustive: true });
  const v = first.violation;
  const invariant = v?.kind === "invariant" ? def.ir.invariants.find((i) => i.id === v.invariant)?.name : undefined;
  return { verdict: first.verdict, ...(invariant !== undefined ? { invariant } : {}), reachable: all.distinct };
}

/** Reachable distinct states of the generated spec under TLC, with every invariant and property removed. */
export async function tlcReachable(def: ModelDef, tc: Toolchain): Promise<number> {
  const c = compile(def);
  if (!c.ok) throw new Error(`${def.ir.name}: invalid model`);
  const run = await runTlc({ spec: c.spec.tla, cfg: onlyChecks(c.spec, []), module: c.spec.module, toolchain: tc, timeoutMs: 600_000 });
  if (run.outcome !== "ok") throw new Error(`${def.ir.name}: TLC without invariants ended with ${run.outcome}`);
  return run.stats.distinct;
}

export interface ReferenceResult {
  readonly row: ReferenceRow;
  /** Absent when specs/reference has no model for the row. */
  readonly faultline?: { readonly verdict: string; readonly reachable: number; readonly explorer: number };
}

/** The table as markdown lines. */
export function referenceTable(results: readonly ReferenceResult[]): string[] {
  const lines = [
    "| scenario | reference verdict | faultline verdict | hand-written reachable | faultline reachable | ratio |",
    "|---|---|---|---:|---:|---:|",
  ];
  for (const { row, faultline } of results) {
    const name = `${row.dir}/${row.base}`;
    if (!faultline) {
      lines.push(`| ${name} | ${row.verdict} | missing | ${row.reachable} | missing | |`);
      continue;
    }
    const ratio = faultline.reachable / row.reachable;
    const mismatch = faultline.explorer !== faultline.reachable ? ` (explorer: ${faultline.explorer})` : "";
    lines.push(`| ${name} | ${row.verdict} | ${faultline.verdict} | ${row.reachable} | ${faultline.reachable}${mismatch} | ${ratio.toFixed(2)} |`);
  }
  return lines;
}

/** Runs every present model: verdict by `check`, reachable states by TLC and by the explorer. */
export async function runReference(tc: Toolchain, onRow?: (r: ReferenceResult) => void): Promise<ReferenceResult[]> {
  const out: ReferenceResult[] = [];
  for (const row of await referenceRows()) {
    const file = modelPath(row);
    let r: ReferenceResult = { row };
    if (existsSync(file)) {
      const loaded = await loadModelFile(file);
      if (!loaded.ok) throw new Error(`${path.relative(root, file)}: invalid model`);
      const checked = await check(loaded.def, { toolchain: tc, deps: false });
      const name = /invariant '([^']+)'/.exec(checked.finding?.summary ?? "")?.[1];
      const verdict = checked.verdict === "invariant" && name ? `invariant violated: ${name}` : checked.verdict === "lock-leak" ? "lock leak" : checked.verdict;
      const reachable = await tlcReachable(loaded.def, tc);
      r = { row, faultline: { verdict, reachable, explorer: exploreCounts(loaded.def).reachable } };
    }
    out.push(r);
    onRow?.(r);
  }
  return out;
}

/** The section bench/results.md carries. */
export function referenceSection(results: readonly ReferenceResult[]): string[] {
  const present = results.filter((r) => r.faultline);
  const above = present.filter((r) => (r.faultline?.reachable ?? 0) > r.row.reachable);
  return [
    "## Against the hand-written reference encodings",
    "",
    "Each scenario of ../shared/reference written as a faultline model (specs/reference/, same directory and base name). Reachable: distinct states with every invariant and property removed and no deadlock check (the whole reachable space, as the reference README counts it); TLC's count, which the reference explorer's exhaustive count must equal. Verdict: `faultline check`. `npm run bench:reference` prints this table alone.",
    "",
    ...referenceTable(results),
    "",
    `${present.length} of ${results.length} scenarios modelled; ${above.length} above the hand-written count${above.length ? `: ${above.map((r) => `${r.row.dir}/${r.row.base}`).join(", ")}` : ""}.`,
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const tc = await locateToolchain();
  const results = await runReference(tc, () => process.stderr.write("."));
  process.stderr.write("\n");
  console.log(referenceTable(results).join("\n"));
  const bad = results.filter((r) => r.faultline && (r.faultline.explorer !== r.faultline.reachable || r.faultline.verdict !== r.row.verdict));
  if (bad.length > 0) {
    console.error(`disagreements (verdict or explorer count): ${bad.map((r) => `${r.row.dir}/${r.row.base}`).join(", ")}`);
    process.exitCode = 1;
  }
}
