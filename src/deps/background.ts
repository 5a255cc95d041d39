// The dependency analysis (index.ts, analyse) on a worker thread, so that it
// runs beside TLC instead of after it. It needs only the model and its program,
// not TLC's result: check() starts it before TLC and waits for it after. On a
// family-2 model (K1 F2 W2 L2) it explores about 120,000 states in node for 3 to
// 4 s, while TLC takes 1.5 s: side by side, the check waits for the longer one.
//
// The result is the same as analyse's in this thread: the worker runs that very
// function on a copy of the model and program (plain data). A worker that cannot
// start or fails hands over to analyse here, so the table never depends on it.

import { Worker } from "node:worker_threads";
import { tsxLoader } from "../isolate.js";
import type { Program } from "../ir/program.js";
import type { Model } from "../ir/types.js";
import { type Insight, analyse, insightOf } from "./index.js";
import { observe } from "./observe.js";

// CommonJS text run with `eval`, as isolate.ts's worker: no file of ours to find.
const WORKER = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const { analyse } = await import(workerData.module);
  return analyse(workerData.model, workerData.program, workerData.opts);
})().then(
  (insight) => parentPort.postMessage({ insight }),
  (err) => parentPort.postMessage({ error: String((err && err.stack) || err) }),
);
`;

/** Run from the sources (tests), the analysis is index.ts, loaded through tsx. */
const MODULE = new URL(import.meta.url.endsWith(".ts") ? "./index.ts" : "./index.js", import.meta.url).href;

export interface Analysis {
  /** The insight, from the worker, or from analyse here if the worker failed. */
  result(): Promise<Insight>;
  /** Ends the worker, used or not (idempotent). */
  cancel(): void;
  /** Where the result came from: for tests. */
  readonly ranOn: () => "worker" | "here" | "pending";
}

type Options = {
  readonly maxStates?: number;
  /** default: a worker when faultline runs built (dist), none from its TypeScript sources (see WORKER_BY_DEFAULT) */
  readonly worker?: boolean;
};

/**
 * Run from its TypeScript sources (the tests, scripts), a worker would register
 * tsx and compile the analysis's modules all over again, which costs more than
 * it saves (seed001's proposal: 0.8-1.1 s against 0.2-0.4 s here): there the analysis runs
 * in this thread when its result is wanted, as it did before workers.
 */
const WORKER_BY_DEFAULT = !import.meta.url.endsWith(".ts");

/**
 * A model whose whole state space (one step per operation) is at most this
 * many states is analysed here at once, in a few milliseconds: for it a worker
 * (an isolate, the analysis's modules loaded again) costs more CPU than the
 * analysis. 38 of the 43 models under specs/ are (seed000's has 109 states).
 */
export const HERE_STATES = 2_000;

export function analyseInBackground(model: Model, program: Program, options: Options = {}): Analysis {
  const { worker: wanted = WORKER_BY_DEFAULT, ...opts } = options;
  let ranOn: "worker" | "here" | "pending" = "pending";
  const here = (): Insight => {
    ranOn = "here";
    return analyse(model, program, opts);
  };
  /** No worker: the insight is worked out here, by `get`. */
  const inThisThread = (get: () => Insight): Analysis => ({ result: async () => get(), cancel: () => undefined, ranOn: () => ranOn });
  // The same observation analyse() would make first (one step per operation,
  // complete), so the same insight; else the worker does the whole analysis.
  const small = observe(model, program, { merge: false, maxStates: Math.min(HERE_STATES, opts.maxStates ?? HERE_STATES) });
  if (small.complete) {
    const insight = insightOf(model, program, small);
    ranOn = "here";
    return inThisThread(() => insight);
  }
  if (!wanted) return inThisThread(here);
  let worker: Worker;
  try {
    worker = new Worker(WORKER, { eval: true, workerData: { tsx: tsxLoader(), module: MODULE, model, program, opts } });
  } catch {
    return inThisThread(here);
  }
  // Not unref'd: while check() waits for the result, the worker may be the only
  // thing keeping the event loop alive; check() ends it either way (cancel).
  const done = new Promise<Insight>((resolve, reject) => {
    worker.once("message", (m: { insight?: Insight; error?: string }) => (m.insight ? resolve(m.insight) : reject(new Error(m.error))));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the analysis worker exited (${code}) without a result`)));
  });
  done.catch(() => undefined); // cancelled, or handed over to here() in result()
  const cancel = () => void worker.terminate();
  return {
    result: () =>
      done.then(
        (insight) => {
          ranOn = "worker";
          return insight;
        },
        () => here(),
      ).finally(cancel),
    cancel,
    ranOn: () => ranOn,
  };
}
