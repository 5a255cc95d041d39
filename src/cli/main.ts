#!/usr/bin/env node
// The `faultline` command: check models with TLC, or generate their specs.
// Only this layer touches process, console and exit codes.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { type CheckResult, check, specFiles } from "../check.js";
import { formatDiagnostic } from "../ir/diagnostics.js";
import { compileFile, loadModelFile } from "../load.js";
import type { SourceFile } from "../report/html.js";
import { locateToolchain } from "../tlc/locate.js";
import { type JsonResult, diagnosticsJson, jsonReport, resultJson } from "./json.js";
import { type ExtraFlags, addCheckOptions, checkExtras, extraUsageError } from "./check-options.js";
import { runInOrder } from "./parallel.js";
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
}

/** One model's outcome, buffered so parallel checks print in argument order. */
interface Checked {
  text: string;
  json: JsonResult;
  code: number;
  interrupted: boolean;
}

async function checkCommand(files: string[], opts: CheckFlags): Promise<number> {
  const st = makeStyle(colourWanted(process.stdout, process.env));
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // `on`, not `once`: a second Ctrl-C must not kill us before TLC is cleaned up
  // (signal-exit, which execa loads, re-raises a signal no one else listens to).
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let worst = EXIT.ok as number;
  const json: JsonResult[] = [];
  // `java -version` runs while the first model loads, once for all models; a
  // failure is reported by each check() in its result.
  const located = locateToolchain();
  located.catch(() => undefined); // handled by check(); not an unhandled rejection meanwhile
  const checkOne = async (file: string): Promise<Checked> => {
    const loaded = await loadModelFile(file);
    if (!loaded.ok) {
      const lines = [`${st.bold(rel(file))}: ${st.red("invalid model")}\n`, ...loaded.diagnostics.map((d) => `  ${formatDiagnostic(d)}\n`)];
      return { text: lines.join(""), json: diagnosticsJson(file, loaded.diagnostics), code: EXIT.invalid, interrupted: false };
    }
    const extras = checkExtras(opts, rel(file), files.length === 1 || opts.jobs === 1);
    const r = await check(loaded.def, {
      ...extras.options,
      toolchain: located,
      ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.merge === false ? { merge: false } : {}),
      signal: controller.signal,
    }).finally(() => extras.done());
    if (controller.signal.aborted) return { text: "", json: resultJson(file, r), code: EXIT.error, interrupted: true };
    // Heavy and rarely wanted: loaded only when asked for (start-up time, issue 6).
    if (opts.report) await writeReport(opts.report, r, loaded.file);
    if (opts.itf && r.trace) {
      const { toItf } = await import("../trace/itf.js");
      await writeFile(opts.itf, `${JSON.stringify(toItf(r.trace, r.trace.vars, { source: rel(file), description: `${r.model}: ${r.finding?.summary ?? r.verdict}` }), null, 1)}\n`);
    }
    const text = `${formatResult(r, rel(file), st, { quiet: opts.quiet === true, full: opts.full === true })}\n${files.length > 1 ? "\n" : ""}`;
    return { text, json: resultJson(file, r), code: exitFor(r), interrupted: false };
  };
  try {
    // Each TLC has one worker unless --workers says otherwise, so --jobs models
    // at a time fill the cores; results still come out in argument order.
    await runInOrder(
      files.length,
      opts.jobs ?? availableParallelism(),
      (i) => checkOne(files[i] as string),
      (i, c) => {
        if (c.interrupted) {
          process.stderr.write(`${rel(files[i] as string)}: interrupted; TLC was stopped and its files removed\n`);
          return;
        }
        json.push(c.json);
        if (!opts.json) process.stdout.write(c.text);
        worst = Math.max(worst, c.code);
      },
      controller.signal,
      () => controller.abort(),
    );
    if (controller.signal.aborted) return EXIT.error;
    if (opts.json) process.stdout.write(jsonReport(json));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return worst;
}

/** The HTML report, with the model files its locations name (relative to the model's directory). */
async function writeReport(out: string, r: CheckResult, modelFile: string): Promise<void> {
  const dir = path.dirname(modelFile);
  const names = new Set([path.basename(modelFile), ...(r.finding?.steps ?? []).map((s) => s.loc.file), ...(r.finding?.waits ?? []).map((w) => w.loc.file)]);
  const files: SourceFile[] = [];
  for (const name of names) {
    const text = await readFile(path.resolve(dir, name), "utf8").catch(() => undefined);
    if (text !== undefined) files.push({ name, text });
  }
  const { reportHtml } = await import("../report/html.js");
  await writeFile(out, reportHtml(r, rel(modelFile), files));
}

async function genCommand(file: string, opts: { out: string; merge?: boolean }): Promise<number> {
  const c = await compileFile(file, opts.merge === false ? { merge: false } : {});
  if (!c.ok) {
    process.stderr.write(`${rel(file)}: invalid model\n`);
    for (const d of c.diagnostics) process.stderr.write(`  ${formatDiagnostic(d)}\n`);
    return EXIT.invalid;
  }
  await mkdir(opts.out, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of specFiles(c.spec)) {
    const out = path.join(opts.out, name);
    await writeFile(out, text);
    written.push(rel(out));
  }
  process.stdout.write(`wrote ${written.slice(0, -1).join(", ")} and ${written.at(-1)}\n`);
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
    finding = explainTrace(map, await readFile(traceFile, "utf8"));
  } catch (err) {
    const message = err instanceof ExplainError ? err.message : err instanceof SyntaxError ? `'${traceFile}' is not a TLC JSON trace (${err.message})` : err instanceof Error && "code" in err ? `cannot read: ${err.message}` : undefined;
    if (message === undefined) throw err;
    process.stderr.write(`faultline explain: ${message}\n`);
    return EXIT.invalid;
  }
  const r: CheckResult = { model: name, verdict: finding.verdict, finding, timeMs: 0 };
  if (opts.json) process.stdout.write(jsonReport([resultJson(traceFile, r)]));
  else process.stdout.write(`${formatResult(r, rel(traceFile), st, { full: opts.full === true })}\n`);
  return EXIT.finding;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name("faultline")
    .description("Model-check kernel-style lock protocols (mutexes, spinlocks, fair rwsems, page faults) with TLC.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
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
    .action(async (files: string[], opts: CheckFlags) => {
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
  (err: unknown) => {
    process.stderr.write(`faultline internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.stderr.write("please report this with the model that caused it\n");
    process.exitCode = EXIT.error;
  },
);
