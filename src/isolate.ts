// Runs a model's bundled code on a worker thread and brings back its IR (plain
// data). The code is the user's: whatever it does (process.exit, a loop that
// never ends, a timer that throws, an unhandled rejection, console.log), the
// thread that handles signals and writes faultline's output stays free, and
// every such act comes back as an outcome load.ts turns into a located error.

import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { makeTempDir } from "./files.js";
import type { Diagnostic } from "./ir/diagnostics.js";
import type { Loc, Model } from "./ir/types.js";

export type RunOutcome =
  | { readonly kind: "loaded"; readonly models: readonly { readonly key: string; readonly name: string; readonly ir: Model; readonly diagnostics: readonly Diagnostic[] }[] }
  /** the module threw while it was evaluated (the builder threw) */
  | { readonly kind: "threw"; readonly message: string; readonly stack: string }
  /** an exception in a timer or callback, or a rejection nobody handled */
  | { readonly kind: "uncaught"; readonly where: string; readonly message: string; readonly stack: string }
  /** process.exit() or process.abort(): `how` says which */
  | { readonly kind: "exit"; readonly how: string; readonly stack: string }
  | { readonly kind: "budget" }
  | { readonly kind: "interrupted" }
  /** the IR is nested too deeply to be passed on (or checked); `loc` is the statement it is in */
  | { readonly kind: "too-deep"; readonly loc?: Loc }
  /** no temporary file could be written: the machine, not the model */
  | { readonly kind: "environment"; readonly message: string };

export interface RunOptions {
  readonly budgetMs: number;
  readonly signal?: AbortSignal;
  /** the model's stdout and stderr, line by line */
  readonly output: (line: string) => void;
}

/**
 * Once a model has been handed over, how long its worker may take to end by
 * itself (so a timer of 0 ms that throws, or a rejection, still counts);
 * after that it is ended and the model is taken as it is.
 */
const SETTLE_MS = 300;

// The worker: CommonJS text run with `eval`, so it needs no file of ours. Everything the model can do to end or break the thread is
// reported first, with a stack the parent maps to the model's line.
const WORKER = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
process.setSourceMapsEnabled(true);
const show = (err) => {
  let message = "a value that cannot be shown as text";
  let stack = "";
  try { message = err instanceof Error ? String(err.message) : String(err); } catch {}
  try { if (err instanceof Error && typeof err.stack === "string") stack = err.stack; } catch {}
  return { message, stack };
};
const here = () => {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack || "";
  Error.stackTraceLimit = saved;
  return stack;
};
const realExit = process.exit.bind(process);
let ended = false;
const end = (message) => {
  if (!ended) { ended = true; parentPort.postMessage(message); }
  realExit(1);
};
process.exit = (code) => end({ kind: "exit", how: "process.exit(" + (code === undefined ? "" : String(code)) + ")", stack: here() });
process.abort = () => end({ kind: "exit", how: "process.abort()", stack: here() });
process.on("uncaughtException", (err) => end({ kind: "uncaught", where: "in a timer or callback", ...show(err) }));
process.on("unhandledRejection", (err) => end({ kind: "uncaught", where: "in a promise nobody handled", ...show(err) }));
const deepest = (root) => {
  let best = -1, where;
  const todo = [[root, 0, undefined]];
  for (let n = 0; todo.length > 0 && n < 5e6; n++) {
    const [x, depth, loc] = todo.pop();
    if (typeof x !== "object" || x === null) continue;
    const at = x.loc && typeof x.loc.line === "number" ? x.loc : loc;
    if (depth > best) { best = depth; where = at; }
    for (const k of Object.keys(x)) todo.push([x[k], depth + 1, at]);
  }
  return where;
};
// The DSL loads while the parent bundles the model.
const preloaded = workerData.preload ? import(workerData.preload).catch(() => undefined) : undefined;
parentPort.once("message", async (url) => {
  let mod;
  try {
    await preloaded;
    if (workerData.tsx) (await import(workerData.tsx)).register();
    mod = await import(url);
  } catch (err) {
    parentPort.postMessage({ kind: "threw", ...show(err) });
    return;
  }
  const found = new Map();
  for (const [key, value] of Object.entries(mod)) {
    if (key === "module.exports" || typeof value !== "object" || value === null || value.kind !== "faultline-model") continue;
    found.set(value, key);
  }
  const models = [...found].map(([v, key]) => ({ key, name: String(v.ir && v.ir.name), ir: v.ir, diagnostics: v.diagnostics }));
  try {
    parentPort.postMessage({ kind: "loaded", models });
  } catch (err) {
    if (err instanceof RangeError) parentPort.postMessage({ kind: "too-deep", loc: deepest(models.map((m) => m.ir)) });
    else parentPort.postMessage({ kind: "threw", message: "the model cannot be passed on: " + show(err).message, stack: "" });
  }
});
`;

/**
 * Run from its TypeScript sources (tests, scripts), faultline's own modules are
 * .ts files, which a model importing "faultline" then imports too: the worker
 * registers tsx as the parent has it (loader hooks do not reach workers on Node 20).
 */
export function tsxLoader(): string | undefined {
  if (!import.meta.url.endsWith(".ts")) return undefined;
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return undefined;
  }
}

/** Built faultline's DSL entry (model-entry.js), which a model importing "faultline" most likely loads. */
function dslEntry(): string | undefined {
  return import.meta.url.endsWith(".js") ? new URL("./model-entry.js", import.meta.url).href : undefined;
}

export interface ModelRunner {
  /** Imports `code` (an ES module) on the worker and waits for the outcome. */
  run(code: string, opts: RunOptions): Promise<RunOutcome>;
  /** Ends the worker unused. */
  cancel(): void;
}

/** Starts a worker now (it boots while the caller bundles the model), to run one model. */
export function startModelRunner(): ModelRunner {
  const worker = new Worker(WORKER, { eval: true, stdout: true, stderr: true, workerData: { tsx: tsxLoader(), preload: dslEntry() } });
  // Until run() listens: an early failure of the worker itself must not crash us.
  worker.on("error", () => undefined);
  const lines = streamLines(worker);
  return {
    cancel: () => void worker.terminate(),
    run: async (code, opts) => {
      let dir: string | undefined;
      try {
        try {
          dir = await makeTempDir(tmpdir(), "faultline-model-");
          await writeFile(path.join(dir, "model.mjs"), code);
        } catch (err) {
          void worker.terminate();
          return { kind: "environment", message: `cannot write a temporary file in ${tmpdir()}: ${(err as Error).message}` };
        }
        const outcome = await watch(worker, pathToFileURL(path.join(dir, "model.mjs")).href, opts);
        await lines.flush(opts.output);
        return outcome;
      } finally {
        if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      }
    },
  };
}

function watch(worker: Worker, url: string, opts: RunOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let outcome: RunOutcome | undefined;
    let settle: NodeJS.Timeout | undefined;
    const stop = (o: RunOutcome) => {
      outcome = o;
      void worker.terminate();
    };
    const budget = setTimeout(() => stop({ kind: "budget" }), opts.budgetMs);
    const onAbort = () => stop({ kind: "interrupted" });
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    worker.on("message", (m: RunOutcome) => {
      // The first word wins, but a failure after the model was handed over (a
      // timer, a rejection, an exit) still beats "loaded".
      if (outcome !== undefined && outcome.kind !== "loaded") return;
      if (m.kind === "loaded") {
        outcome = m;
        settle = setTimeout(() => void worker.terminate(), SETTLE_MS);
      } else stop(m);
    });
    worker.on("error", (err: Error) => {
      // The worker itself failed (out of memory): not one of the reported acts.
      if (outcome === undefined || outcome.kind === "loaded") {
        const oom = (err as { code?: string }).code === "ERR_WORKER_OUT_OF_MEMORY";
        stop({ kind: "threw", message: oom ? "the model's code ran out of memory" : err.message, stack: err.stack ?? "" });
      }
    });
    worker.on("exit", (code) => {
      clearTimeout(budget);
      clearTimeout(settle);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve(outcome ?? { kind: "exit", how: `exit code ${code}`, stack: "" });
    });
    worker.postMessage(url);
  });
}

/** The worker's stdout and stderr as lines, handed to `output` as they come once it is set. */
function streamLines(worker: Worker): { flush(output: (line: string) => void): Promise<void> } {
  const pending: string[] = [];
  let partial = "";
  let sink: ((line: string) => void) | undefined;
  const take = (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) sink ? sink(line) : pending.push(line);
  };
  const ended = [worker.stdout, worker.stderr].map(
    (s) =>
      new Promise<void>((resolve) => {
        s.setEncoding("utf8");
        s.on("data", take);
        s.on("end", resolve);
        s.on("close", resolve);
        s.on("error", () => resolve());
      }),
  );
  return {
    flush: async (output) => {
      sink = output;
      for (const line of pending.splice(0)) output(line);
      // The streams end with the worker; never wait long for them.
      await Promise.race([Promise.all(ended), new Promise((r) => setTimeout(r, 500).unref())]);
      if (partial !== "") output(partial);
      partial = "";
    },
  };
}
