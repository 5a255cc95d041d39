#!/usr/bin/env node
// The `faultline` command: check models with TLC, or generate their specs.
// Only this layer touches process, console and exit codes.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { CheckResult } from "../check.js";
import { formatDiagnostic } from "../ir/diagnostics.js";
import { mkdirs, writeAside } from "../files.js";
import { loadModelFile } from "../load.js";
import type { SourceFile } from "../report/html.js";
import { locateToolchain } from "../tlc/locate.js";
import { type JsonResult, diagnosticsJson, jsonReport, resultJson } from "./json.js";
import { type ExtraFlags, addCheckOptions, checkExtras, extraUsageError } from "./check-options.js";
import { runInOrder } from "./parallel.js";
import { noOutput, outDirProblem, outputProblem } from "./outputs.js";
import { addWatchCommand } from "./watch.js";
import { addWorkerCommand } from "./worker.js";
import { colourWanted, formatResult, makeStyle } from "./print.js";

/** Exit codes: the four outcomes (STYLE "Habits"). */
export const EXIT = { ok: 0, finding: 1, invalid: 2, error: 3 } as const;

function exitFor(r: CheckResult): number {
  switch (r.verdict) {
    case "ok":
    case "no-finding":
      return EXIT.ok;
    case "invalid":
      return EXIT.invalid;
    case "error":
    case "timeout":
      return EXIT.error;
    default:
      return EXIT.finding;
  }
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of seconds");
  return n;
}

function count(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
  return n;
}

const rel = (f: string) => path.relative(process.cwd(), f) || f;

/**
 * stdout, until the reader goes away (`faultline check ... | head -1`): then
 * EPIPE ends the command quietly, with no stack, and stops what still runs.
 */
let pipeClosed = false;
let onPipeClosed: (() => void) | undefined;
function out(text: string): void {
  if (!pipeClosed) process.stdout.write(text);
}
function err(text: string): void {
  if (!process.stderr.destroyed) process.stderr.write(text);
}
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
    if (stream === process.stdout && !pipeClosed) {
      pipeClosed = true;
      onPipeClosed?.();
    }
  });
}

/** Signals that end a command the way Ctrl-C does: TLC stopped, its files removed. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
/** After a stop signal, the longest the clean-up may take before the command exits anyway. */
const STOP_DEADLINE_MS = 15_000;

interface CheckFlags extends ExtraFlags {
  timeout?: number;
  workers?: number;
  jobs?: number;
  quiet?: boolean;
  full?: boolean;
  json?: boolean;
  itf?: string;
  report?: string;
  /** `--no-merge` sets it false: one TLA+ step per operation (src/ir/merge.ts). */
  merge?: boolean;
  /** `--no-deps` sets it false: no dependency table, potential cycles or evidence (src/deps). */
  deps?: boolean;
  /** `--no-why` sets it false: no extra checks of why a deadlock happens. */
  why?: boolean;
  whyBudget?: number;
  format?: string;
}

/** One model's outcome, buffered so parallel checks print in argument order. */
interface Checked {
  text: string;
  /** absent when the check was stopped before TLC ran */
  json?: JsonResult;
  code: number;
  interrupted: boolean;
  /** what the outputs (--itf, --report) did, for stderr */
  notes?: readonly string[];
}

/**
 * The pipeline (generation, TLC, the trace, the dependency analysis): loaded
 * once asked for, so that a check loads it while esbuild bundles the model and
 * the model's worker starts, not before.
 */
const pipeline = () => import("../check.js");

async function checkCommand(files: string[], opts: CheckFlags): Promise<number> {
  const st = makeStyle(colourWanted(process.stdout, process.env));
  const outputs = [opts.itf && { flag: "--itf", file: opts.itf }, opts.report && { flag: "--report", file: opts.report }].filter((o) => !!o);
  // What needs no loading is refused before anything runs.
  for (const o of outputs) {
    const problem = await outputProblem(o.flag, o.file, files);
    if (problem) {
      err(`faultline check: ${problem}\n`);
      return EXIT.invalid;
    }
  }
  const controller = new AbortController();
  const onSignal = () => {
    if (!controller.signal.aborted) {
      // Never hang on the way out: TLC's watchdog and the next run's sweep clean what is left.
      setTimeout(() => {
        err("faultline: stopping took too long; exiting\n");
        process.exit(EXIT.error);
      }, STOP_DEADLINE_MS).unref();
    }
    controller.abort();
  };
  // `on`, not `once`: a second Ctrl-C must not kill us before TLC is cleaned up
  // (signal-exit, which execa loads, re-raises a signal no one else listens to).
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  // The reader of our output is gone: stop checking, quietly.
  let cutShort = false;
  onPipeClosed = () => {
    cutShort = true;
    controller.abort();
  };
  let worst = EXIT.ok as number;
  const json: JsonResult[] = [];
  // `java -version` runs while the first model loads, once for all models; a
  // failure is reported by each check() in its result.
  const located = locateToolchain();
  located.catch(() => undefined); // handled by check(); not an unhandled rejection meanwhile
  const checkOne = async (file: string): Promise<Checked> => {
    const loading = loadModelFile(file, { signal: controller.signal });
    // After the model's load has started esbuild and its worker.
    const checking = pipeline();
    checking.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const loaded = await loading;
    if (controller.signal.aborted) return { text: "", code: EXIT.error, interrupted: true };
    if (!loaded.ok && loaded.environment) {
      const r: CheckResult = { model: path.basename(file), verdict: "error", error: loaded.environment, timeMs: 0 };
      return { text: `${formatResult(r, rel(file), st)}\n`, json: { ...resultJson(file, r), model: null }, code: EXIT.error, interrupted: false };
    }
    if (!loaded.ok) {
      const lines = [`${st.bold(rel(file))}: ${st.red("invalid model")}\n`, ...loaded.diagnostics.map((d) => `  ${formatDiagnostic(d)}\n`)];
      const notes = await Promise.all(outputs.map((o) => noOutput(o.flag === "--itf" ? "itf" : "report", o.flag, o.file, "the model is invalid")));
      return { text: lines.join(""), json: diagnosticsJson(file, loaded.diagnostics), code: EXIT.invalid, interrupted: false, notes };
    }
    // An output must not be the model or a file it imports: refused before TLC runs.
    for (const o of outputs) {
      const problem = await outputProblem(o.flag, o.file, [loaded.file], loaded.inputs);
      if (problem) {
        const r: CheckResult = { model: loaded.def.ir.name, verdict: "invalid", diagnostics: [], error: { message: problem, hint: "name an output file that is not an input" }, timeMs: 0 };
        return { text: "", json: resultJson(file, r), code: EXIT.invalid, interrupted: false, notes: [`faultline check: ${problem}`] };
      }
    }
    const extras = checkExtras(opts, rel(file), files.length === 1 || opts.jobs === 1);
    const { check } = await checking;
    let r = await check(loaded.def, {
      ...extras.options,
      toolchain: located,
      ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.merge === false ? { merge: false } : {}),
      ...(opts.deps === false ? { deps: false } : {}),
      signal: controller.signal,
    }).finally(() => extras.done());
    // Interrupted: how far TLC got is still printed (text and JSON).
    const plain = () => `${formatResult(r, rel(file), st, { quiet: opts.quiet === true, full: opts.full === true })}\n${files.length > 1 ? "\n" : ""}`;
    if (controller.signal.aborted) return { text: plain(), json: resultJson(file, r), code: EXIT.error, interrupted: true };
    // Why a deadlock happens: on by default for a single model, within a bounded extra time.
    if (files.length === 1 && opts.why !== false && r.verdict === "deadlock") {
      const { whyDeadlock } = await import("../deps/why.js");
      const why = await whyDeadlock(loaded.def, r, { toolchain: located, signal: controller.signal, budgetMs: (opts.whyBudget ?? 30) * 1000 });
      if (why) r = { ...r, why };
      if (controller.signal.aborted) return { text: plain(), json: resultJson(file, r), code: EXIT.error, interrupted: true };
    }
    const text = opts.format === "mail" ? `${(await import("./mail.js")).formatMail(r, rel(file))}${files.length > 1 ? "\n" : ""}` : plain();
    // An output that cannot be written still leaves the verdict printed; the exit code then says 3.
    const notes: string[] = [];
    let code = exitFor(r);
    const failed = (flag: string, e: unknown) => {
      notes.push(`${flag}: could not write: ${(e as Error).message}`);
      code = Math.max(code, EXIT.error);
    };
    // Heavy and rarely wanted: loaded only when asked for (start-up time, issue 6).
    if (opts.report) await writeReport(opts.report, r, loaded.file).catch((e: unknown) => failed("--report", e));
    if (opts.itf && r.trace) {
      const { toItf } = await import("../trace/itf.js");
      const itf = `${JSON.stringify(toItf(r.trace, r.trace.vars, { source: rel(file), description: `${r.model}: ${r.finding?.summary ?? r.verdict}` }, r.spec?.names), null, 1)}\n`;
      await writeAside(opts.itf, itf).catch((e: unknown) => failed("--itf", e));
    } else if (opts.itf) {
      notes.push(await noOutput("itf", "--itf", opts.itf, `no counterexample (${r.verdict})`));
    }
    return { text, json: resultJson(file, r), code, interrupted: false, notes };
  };
  try {
    // Each TLC has one worker unless --workers says otherwise, so --jobs models
    // at a time fill the cores; results still come out in argument order.
    await runInOrder(
      files.length,
      opts.jobs ?? availableParallelism(),
      (i) => checkOne(files[i] as string),
      (i, c) => {
        // How far TLC got still reaches the result, in text and JSON.
        if (c.json) json.push(c.json);
        if (!opts.json) out(c.text);
        for (const n of c.notes ?? []) err(`${n}\n`);
        if (c.interrupted) {
          if (!cutShort) err(`${rel(files[i] as string)}: interrupted; TLC was stopped and its files removed\n`);
          worst = Math.max(worst, EXIT.error);
          return;
        }
        worst = Math.max(worst, c.code);
      },
      controller.signal,
      () => controller.abort(),
    );
    if (opts.json) out(jsonReport(json));
    // Checks never run are no pass: interrupted (or the reader gone) is exit 3.
    if (controller.signal.aborted) return Math.max(worst, EXIT.error);
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    onPipeClosed = undefined;
  }
  return worst;
}

/** The HTML report, with the model files its locations name (relative to the model's directory). */
async function writeReport(outFile: string, r: CheckResult, modelFile: string): Promise<void> {
  const dir = path.dirname(modelFile);
  const names = new Set([path.basename(modelFile), ...(r.finding?.steps ?? []).map((s) => s.loc.file), ...(r.finding?.waits ?? []).map((w) => w.loc.file)]);
  const files: SourceFile[] = [];
  for (const name of names) {
    const text = await readFile(path.resolve(dir, name), "utf8").catch(() => undefined);
    if (text !== undefined) files.push({ name, text });
  }
  const { reportHtml } = await import("../report/html.js");
  await writeAside(outFile, reportHtml(r, rel(modelFile), files));
}

async function genCommand(file: string, opts: { out: string; merge?: boolean }): Promise<number> {
  const bad = await outDirProblem(opts.out);
  if (bad) {
    err(`faultline gen: ${bad}\n`);
    return EXIT.invalid;
  }
  const loaded = await loadModelFile(file);
  if (!loaded.ok && loaded.environment) {
    err(`faultline gen: error: ${loaded.environment.message}\n  hint: ${loaded.environment.hint}\n`);
    return EXIT.error;
  }
  const { compile, specFiles } = await pipeline();
  const c = loaded.ok ? compile(loaded.def, { source: path.basename(file), ...(opts.merge === false ? { merge: false } : {}) }) : loaded;
  if (!c.ok) {
    err(`${rel(file)}: invalid model\n`);
    for (const d of c.diagnostics) err(`  ${formatDiagnostic(d)}\n`);
    return EXIT.invalid;
  }
  const targets = specFiles(c.spec).map(([name, text]) => [path.join(opts.out, name), text] as const);
  for (const [target] of targets) {
    const problem = loaded.ok ? await outputProblem("--out", target, [loaded.file], loaded.inputs).catch(() => undefined) : undefined;
    if (problem && !/does not exist/.test(problem)) {
      err(`faultline gen: ${problem}\n`);
      return EXIT.invalid;
    }
  }
  try {
    await mkdirs(opts.out);
    for (const [target, text] of targets) await writeAside(target, text);
  } catch (e) {
    err(`faultline gen: error: cannot write the spec into '${opts.out}': ${(e as Error).message}\n`);
    return EXIT.error;
  }
  const written = targets.map(([t]) => rel(t));
  out(`wrote ${written.slice(0, -1).join(", ")} and ${written.at(-1)}\n`);
  return EXIT.ok;
}

async function explainCommand(spec: string, traceFile: string, opts: { full?: boolean; json?: boolean }): Promise<number> {
  const { ExplainError, explainTrace, readSourceMap } = await import("../explain.js");
  const st = makeStyle(colourWanted(process.stdout, process.env));
  let finding: ReturnType<typeof explainTrace>;
  let name: string;
  try {
    const map = await readSourceMap(spec);
    name = map.model.name;
    const text = await readFile(traceFile, "utf8").catch((e: Error) => {
      throw new ExplainError(`cannot read the trace '${traceFile}': ${e.message}`);
    });
    finding = explainTrace(map, text, traceFile);
  } catch (e) {
    if (!(e instanceof ExplainError)) throw e;
    err(`faultline explain: ${e.message}\n`);
    return EXIT.invalid;
  }
  const r: CheckResult = { model: name, verdict: finding.verdict, finding, timeMs: 0 };
  if (opts.json) out(jsonReport([resultJson(traceFile, r)]));
  else out(`${formatResult(r, rel(traceFile), st, { full: opts.full === true })}\n`);
  return EXIT.finding;
}

/** faultline's version, from its package.json. */
function version(): string {
  const pkg = createRequire(import.meta.url)("../../package.json") as { version: string };
  return `faultline ${pkg.version}`;
}

async function diffCommand(beforeFile: string, afterFile: string, opts: { json?: boolean; timeout?: number }): Promise<number> {
  const located = locateToolchain();
  located.catch(() => undefined);
  // Both models load (and any error in either is reported) before TLC runs.
  const loaded = await Promise.all([loadModelFile(beforeFile), loadModelFile(afterFile)]);
  let bad = false;
  for (const [i, l] of loaded.entries()) {
    if (l.ok) continue;
    bad = true;
    process.stderr.write(`${rel(i === 0 ? beforeFile : afterFile)}: invalid model\n`);
    for (const d of l.diagnostics) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
  }
  if (bad) return EXIT.invalid;
  const { check } = await pipeline();
  const [before, after] = await Promise.all(
    loaded.map((l) => check((l as Extract<typeof l, { ok: true }>).def, { toolchain: located, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}) })),
  ) as [CheckResult, CheckResult];
  for (const [f, r] of [[beforeFile, before], [afterFile, after]] as const) {
    if (r.verdict === "invalid") {
      process.stderr.write(`${rel(f)}: invalid model\n`);
      for (const d of r.diagnostics ?? []) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
      return EXIT.invalid;
    }
    if (r.verdict === "error" || r.verdict === "timeout") {
      process.stderr.write(`${rel(f)}: ${r.verdict}: ${r.error?.message ?? ""}\n  hint: ${r.error?.hint ?? ""}\n`);
      return EXIT.error;
    }
  }
  const { diffMarkdown, diffResults } = await import("./diff.js");
  const d = diffResults(rel(beforeFile), before, rel(afterFile), after);
  process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : diffMarkdown(d));
  return exitFor(after);
}

async function orderCommand(file: string): Promise<number> {
  const loaded = await loadModelFile(file);
  const { compile } = await pipeline();
  const c = loaded.ok ? compile(loaded.def) : undefined;
  if (!loaded.ok || !c?.ok) {
    process.stderr.write(`${rel(file)}: invalid model\n`);
    for (const d of loaded.ok ? (c && !c.ok ? c.diagnostics : []) : loaded.diagnostics) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
    return EXIT.invalid;
  }
  const { analyse } = await import("../deps/index.js");
  const { orderComment } = await import("./order.js");
  const o = orderComment(loaded.def.ir, analyse(loaded.def.ir, c.program).deps, path.basename(file));
  process.stdout.write(o.text);
  return o.cycles.length > 0 ? EXIT.finding : EXIT.ok;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name("faultline")
    .description("Model-check kernel-style lock protocols (mutexes, spinlocks, fair rwsems, page faults) with TLC.")
    .version(version(), "-V, --version", "print faultline's version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s), writeErr: (s) => err(s) });
  addCheckOptions(program
    .command("check"))
    .description("check models: exit 0 no finding, 1 finding, 2 bad model or usage, 3 TLC or environment failure")
    .argument("<models...>", "model files (.ts)")
    .option("--timeout <seconds>", "stop TLC after this many seconds", seconds)
    .option("--workers <n>", "TLC worker threads per model (default: 1)", count)
    .option("--jobs <n>", "models checked at once (default: the number of CPUs)", count)
    .option("-q, --quiet", "print only the verdict and summary")
    .option("--full", "show every thread's steps and the whole state after each step")
    .option("--json", "print the results as JSON (schema/result.schema.json)")
    .option("--itf <file>", "write the counterexample in the Informal Trace Format (one model)")
    .option("--report <file.html>", "write a self-contained HTML report with a lane diagram (one model)")
    .option("--no-merge", "one TLA+ step per operation instead of per lock operation (larger state space, same verdict)")
    .option("--no-deps", "skip the lock dependency table, potential cycles and evidence (an extra exploration of the whole state space)")
    .option("--no-why", "for a deadlock of a single model, skip the extra checks of why it happens (rwsem policies, threads needed)")
    .option("--why-budget <seconds>", "extra time the why-checks may take (default 30)", seconds)
    .option("--format <format>", "text (default) or mail: plain text wrapped at 72 columns for a mailing-list reply")
    .action(async (files: string[], opts: CheckFlags) => {
      if (opts.format !== undefined && opts.format !== "text" && opts.format !== "mail") program.error(`error: --format must be text or mail, not '${opts.format}'`, { exitCode: EXIT.invalid });
      const usage = extraUsageError(opts, files);
      if (usage) program.error(usage, { exitCode: EXIT.invalid });
      if ((opts.itf || opts.report) && files.length > 1) program.error("error: --itf and --report take one model; check the others without them", { exitCode: EXIT.invalid });
      code = await checkCommand(files, opts);
    });
  program
    .command("gen")
    .description("generate the TLA+ spec and .cfg of a model")
    .argument("<model>", "model file (.ts)")
    .requiredOption("-o, --out <dir>", "directory to write <module>.tla and <module>.cfg into")
    .option("--no-merge", "one TLA+ step per operation instead of per lock operation")
    .action(async (file: string, opts: { out: string; merge?: boolean }) => {
      code = await genCommand(file, opts);
    });
  program
    .command("explain")
    .description("read a TLC JSON trace (-dumpTrace json) of a generated spec back in the model's words")
    .argument("<spec>", "directory holding the generated spec and its <module>.map.json (or the map file)")
    .argument("<trace>", "trace.json written by TLC's -dumpTrace json")
    .option("--full", "show every thread's steps and the whole state after each step")
    .option("--json", "print the result as JSON (schema/result.schema.json)")
    .action(async (spec: string, trace: string, opts: { full?: boolean; json?: boolean }) => {
      code = await explainCommand(spec, trace, opts);
    });
  program
    .command("diff")
    .description("compare two models (a proposal and its fix): verdicts, findings, lock dependencies and potential deadlocks gained and lost; exit code of the second")
    .argument("<before>", "model file (.ts)")
    .argument("<after>", "model file (.ts)")
    .option("--json", "print the comparison as JSON (faultline.diff/1) instead of Markdown")
    .option("--timeout <seconds>", "stop each TLC after this many seconds", seconds)
    .action(async (before: string, after: string, opts: { json?: boolean; timeout?: number }) => {
      code = await diffCommand(before, after, opts);
    });
  program
    .command("order")
    .description("print the model's lock ordering as a comment like mm/rmap.c's, from the dependencies over every reachable state (exit 1 when locks are taken in both orders)")
    .argument("<model>", "model file (.ts)")
    .action(async (file: string) => {
      code = await orderCommand(file);
    });
  addWorkerCommand(program, (c) => {
    code = c;
  });
  addWatchCommand(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    throw err;
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    let text: string;
    try {
      text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    } catch {
      text = "an error that cannot be shown";
    }
    err(`faultline bug: ${text}\n`);
    err("please report this with the model that caused it\n");
    process.exitCode = EXIT.error;
  },
);
