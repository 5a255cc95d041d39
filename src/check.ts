// The pipeline in one function: model -> validated IR -> TLA+ -> TLC -> finding
// in the model's words. Four outcomes kept apart: ok, finding, invalid model, tool failure.

import { type Analysis, analyseInBackground } from "./deps/background.js";
import { type Insight, shownBy } from "./deps/index.js";
import type { Why } from "./deps/why.js";
import type { ModelDef } from "./dsl/model.js";
import { type GeneratedSpec, generate } from "./gen/index.js";
import type { Diagnostic } from "./ir/diagnostics.js";
import { prepared } from "./ir/encode.js";
import type { Program } from "./ir/program.js";
import type { Model } from "./ir/types.js";
import { type Symmetry, symmetry } from "./ir/symmetry.js";
import { validate } from "./ir/validate.js";
import { type Toolchain, ToolError, locateToolchain } from "./tlc/locate.js";
import type { TlcTrace } from "./tlc/json-trace.js";
import { EC } from "./tlc/codes.js";
import { type TlcStats, parseToolOutput } from "./tlc/output.js";
import { BROKEN_JAR_HINT, type DistributedOptions, brokenDistributed } from "./tlc/distributed.js";
import { type SimulateOptions, runTlc } from "./tlc/run.js";
import { type Finding, type Verdict, translate } from "./trace/translate.js";

/** `no-finding`: a random simulation (`simulate`) met no finding, which proves nothing: never `ok`. */
export type Outcome = Verdict | "no-finding" | "invalid" | "error" | "timeout";

export interface CheckResult {
  readonly model: string;
  /** `ok`, a finding's kind (`deadlock`, `lock-leak`, ...), or why there is no verdict. */
  readonly verdict: Outcome;
  readonly stats?: TlcStats;
  readonly finding?: Finding;
  /** For `invalid`: what is wrong with the model, each with file:line; for any verdict, the model's warnings. */
  readonly diagnostics?: readonly Diagnostic[];
  /** For `error` and `timeout`: what happened and what to do. */
  readonly error?: { readonly message: string; readonly hint: string; readonly keptDir?: string };
  readonly spec?: GeneratedSpec;
  /** TLC's counterexample as dumped, for --itf and other tools. */
  readonly trace?: TlcTrace;
  /** Wall time of the whole check. */
  readonly timeMs: number;
  /** For a check with `simulate`: what was sampled (TLC's random simulation, not the whole state space). */
  readonly simulation?: SimulationInfo;
  /**
   * Thread groups (by name) TLC treated as interchangeable, so `stats` counts states
   * up to their permutation; and groups it could not, with why.
   */
  readonly symmetry?: {
    readonly groups: readonly (readonly string[])[];
    readonly off: readonly { readonly threads: readonly string[]; readonly why: string }[];
  };
  /**
   * The lock dependency table over every reachable state, lockdep's potential
   * cycles (`shown`: the finding's deadlock closes it) and what the check exercised
   * (src/deps). Absent for invalid models and with `deps: false`.
   */
  readonly insight?: Insight & { readonly shown: readonly boolean[] };
  /** Why a deadlock happens (src/deps/why.ts: variants checked afterwards); set by the CLI for a single model. */
  readonly why?: Why;
}

export interface SimulationInfo {
  /** random behaviours TLC generated (when it found something: up to and including that one) */
  readonly behaviours: number;
  /** the longest a behaviour could be, in states */
  readonly depth: number;
  /** TLC's random seed: `--seed` gives the same behaviours again */
  readonly seed?: string;
  /** states generated over all behaviours */
  readonly generated?: number;
}

export interface CheckOptions {
  /** Ends TLC after this long. */
  readonly timeoutMs?: number;
  readonly workers?: number;
  /** The java and jar to run, or their lookup already under way (default: locateToolchain()). */
  readonly toolchain?: Toolchain | Promise<Toolchain>;
  readonly signal?: AbortSignal;
  /** Step merging (src/ir/merge.ts): one TLA+ step per visible lock operation. Default true. */
  readonly merge?: boolean;
  /** TLC symmetry over `threads(n, ...)` groups where sound (src/ir/symmetry.ts). Default true. */
  readonly symmetry?: boolean;
  /** The dependency table, potential cycles and evidence (src/deps, an extra exhaustive exploration). Default true. */
  readonly deps?: boolean;
  /** States the dependency exploration may visit before it gives up (default src/deps MAX_OBSERVED_STATES). */
  readonly depsMaxStates?: number;
  /** TLC's random simulation instead of exhausting the state space: a finding is real, no finding proves nothing. */
  readonly simulate?: SimulateOptions;
  /** Check only these kinds of finding (e.g. `["deadlock"]`); default all the model's checks. */
  readonly only?: readonly string[];
  /** TLC's output as it arrives (tool-mode messages, e.g. for a progress line: src/cli/progress.ts). */
  readonly onOutput?: (chunk: string) => void;
  /** Seconds between TLC's progress messages (TLC's default: 60). */
  readonly progressSeconds?: number;
  /** TLC's distributed server: workers (`faultline worker`) do the checking. No liveness, no simulation. */
  readonly distributed?: DistributedOptions;
}

export interface CompileOptions {
  /** Names the model file in the spec header (default: the model's own file). */
  readonly source?: string;
  /** Step merging (src/ir/merge.ts); default true. `false` gives one TLA+ step per operation. */
  readonly merge?: boolean;
  /** TLC symmetry over `threads(n, ...)` groups where sound (src/ir/symmetry.ts); default true. */
  readonly symmetry?: boolean;
}

export type Compiled =
  | {
      readonly ok: true;
      readonly spec: GeneratedSpec;
      /** The model's program as lowered (the dependency analysis reads it). */
      readonly program: Program;
      /** The model and program as the spec encodes them (src/ir/encode.ts): trace translation reads TLC's states with them. */
      readonly encoded: { readonly model: Model; readonly program: Program };
      readonly symmetry: Symmetry;
      readonly warnings: readonly Diagnostic[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Validates and generates, without running TLC. A string second argument is the
 * `source` option (the model file named in the spec header).
 */
export function compile(def: ModelDef, options: CompileOptions | string = {}): Compiled {
  const opts = typeof options === "string" ? { source: options } : options;
  const v = validate(def.ir, def.diagnostics);
  if (!v.program) return { ok: false, diagnostics: v.diagnostics };
  // Merged, a rwsem taken only for write is encoded as a mutex (src/ir/encode.ts); unmerged, as SEMANTICS describes it.
  const { plan, ...enc } = prepared(def.ir, v.program, { merge: opts.merge !== false });
  const sym = opts.symmetry === false ? { groups: [], off: [] } : symmetry(enc.model, enc.program);
  const spec = generate(enc.model, enc.program, opts.source ?? def.ir.loc.file, plan, sym);
  return { ok: true, spec, program: v.program, encoded: { model: enc.model, program: enc.program }, symmetry: sym, warnings: v.diagnostics };
}

/** The source map as written beside the spec: stable key order, one trailing newline. */
export function sourceMapText(map: GeneratedSpec["sourceMap"]): string {
  return `${JSON.stringify(map, null, 1)}\n`;
}

/** The files of a spec, as `gen` writes them and specs/ keeps them: [file name, text]. */
export function specFiles(spec: GeneratedSpec): [name: string, text: string][] {
  return [
    [`${spec.module}.tla`, spec.tla],
    [`${spec.module}.cfg`, spec.cfg],
    [`${spec.module}.map.json`, sourceMapText(spec.sourceMap)],
  ];
}

export async function check(def: ModelDef, opts: CheckOptions = {}): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const c = compile(def, { ...(opts.merge !== undefined ? { merge: opts.merge } : {}), ...(opts.symmetry !== undefined ? { symmetry: opts.symmetry } : {}) });
  if (!c.ok) return { model: def.ir.name, verdict: "invalid", diagnostics: c.diagnostics, timeMs: elapsed() };
  // The dependency table needs only the model: it is worked out beside TLC.
  const analysis = opts.deps === false ? undefined : analyseInBackground(def.ir, c.program, opts.depsMaxStates !== undefined ? { maxStates: opts.depsMaxStates } : {});
  try {
    return await checkWith(def, opts, c, analysis, elapsed);
  } finally {
    analysis?.cancel();
  }
}

async function checkWith(def: ModelDef, opts: CheckOptions, c: Compiled & { ok: true }, analysis: Analysis | undefined, elapsed: () => number): Promise<CheckResult> {
  const name = def.ir.name;
  const { spec } = c;

  let toolchain: Toolchain;
  try {
    toolchain = await (opts.toolchain ?? locateToolchain());
  } catch (err) {
    if (err instanceof ToolError) return { model: name, verdict: "error", error: { message: err.message, hint: err.hint }, spec, timeMs: elapsed() };
    throw err;
  }

  if (opts.distributed) {
    const refuse = (message: string, hint: string): CheckResult => ({ model: name, verdict: "error", error: { message, hint }, spec, timeMs: elapsed() });
    if (/^PROPERTY /m.test(spec.cfg)) return refuse("TLC's distributed mode cannot check liveness, and this model checks termination", "check it without --distributed, or without checkTermination()");
    if (opts.simulate) return refuse("TLC's distributed mode does not simulate", "use --simulate or --distributed, not both");
    const broken = await brokenDistributed(toolchain.jar);
    if (broken) return refuse(broken, BROKEN_JAR_HINT);
  }

  let run: Awaited<ReturnType<typeof runTlc>>;
  let progress: TlcStats | undefined;
  try {
    run = await runTlc({
      spec: spec.tla,
      cfg: opts.only ? onlyChecks(spec, opts.only) : spec.cfg,
      module: spec.module,
      toolchain,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.simulate ? { simulate: opts.simulate } : {}),
      ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
      ...(opts.progressSeconds !== undefined ? { progressSeconds: opts.progressSeconds } : {}),
      ...(opts.distributed ? { distributed: opts.distributed } : {}),
      onInterrupted: (stats, wallMs) => {
        const s = { timeMs: wallMs, ...stats };
        if (isFull(s)) progress = s;
      },
    });
  } catch (err) {
    if (opts.signal?.aborted) {
      return { model: name, verdict: "error", ...(progress && { stats: progress }), error: { message: "interrupted: TLC was stopped", hint: "run the check again" }, spec, timeMs: elapsed() };
    }
    // A missing or read-only TMPDIR and the like: the environment, exit 3.
    if (err instanceof ToolError) return { model: name, verdict: "error", error: { message: err.message, hint: err.hint }, spec, timeMs: elapsed() };
    throw err;
  }
  const insightOf = async (finding?: Finding): Promise<CheckResult["insight"] | undefined> => {
    if (!analysis) return undefined;
    const i = await analysis.result();
    return { ...i, shown: i.cycles.map((c) => shownBy(c, finding)) };
  };
  const threadName = (id: string) => def.ir.threads.find((t) => t.id === id)?.name ?? id;
  const sym = c.symmetry;
  const base = {
    model: name,
    spec,
    ...(c.warnings.length > 0 ? { diagnostics: c.warnings } : {}),
    ...(sym.groups.length + sym.off.length > 0 && {
      symmetry: { groups: sym.groups.map((g) => g.threads.map(threadName)), off: sym.off.map((o) => ({ threads: o.threads.map(threadName), why: o.why })) },
    }),
  };
  const sim = opts.simulate;
  switch (run.outcome) {
    case "ok":
      return { ...base, verdict: "ok", stats: run.stats, ...withInsight(await insightOf()), timeMs: elapsed() };
    case "simulated":
      return {
        ...base,
        verdict: "no-finding",
        simulation: { behaviours: run.behaviours, depth: sim?.depth ?? 0, ...(run.seed !== undefined && { seed: run.seed }), generated: run.generated },
        timeMs: elapsed(),
      };
    case "invariant":
    case "liveness": {
      const finding = translate({
        model: c.encoded.model,
        program: c.encoded.program,
        names: spec.names,
        trace: run.trace,
        ...(run.outcome === "invariant" ? { violated: run.invariant } : {}),
      });
      const simulation = sim && simulationOf(run.output, sim);
      return { ...base, verdict: finding.verdict, finding, ...(simulation ? { simulation } : { stats: run.stats }), trace: run.trace, ...withInsight(await insightOf(finding)), timeMs: elapsed() };
    }
    case "parse-error":
      return {
        ...base,
        verdict: "error",
        error: {
          message: `faultline bug: TLC could not parse the generated spec: ${run.message}`,
          hint: `the spec is kept in ${run.keptDir}; please report it with your model`,
          keptDir: run.keptDir,
        },
        timeMs: elapsed(),
      };
    case "timeout":
      return {
        ...base,
        verdict: "timeout",
        ...(run.stats && isFull(run.stats) ? { stats: run.stats } : {}),
        error: {
          message: `TLC did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was stopped`,
          hint: "raise --timeout, or make the model smaller (fewer threads, smaller loop bounds)",
        },
        timeMs: elapsed(),
      };
    case "failed":
      return { ...base, verdict: "error", error: { message: run.message, hint: run.hint, ...(run.keptDir ? { keptDir: run.keptDir } : {}) }, timeMs: elapsed() };
    case "deadlock":
      // The .cfg turns TLC's own deadlock check off (deadlock is the NoDeadlock invariant).
      return { ...base, verdict: "error", error: { message: "faultline bug: TLC checked for states without successors", hint: "please report it with your model" }, timeMs: elapsed() };
  }
}

function withInsight(i: CheckResult["insight"] | undefined): { insight?: NonNullable<CheckResult["insight"]> } {
  return i ? { insight: i } : {};
}

/** Of a simulation that found something: how many behaviours it took, and the seed TLC printed. */
function simulationOf(output: string, sim: SimulateOptions): SimulationInfo {
  const out = parseToolOutput(output);
  const progress = out.messages.findLast((m) => m.code === EC.TLC_PROGRESS_SIMU)?.body ?? "";
  const mode = out.messages.find((m) => m.code === EC.TLC_MODE_SIMU)?.body ?? "";
  const seed = /seed (-?\d+)/.exec(mode)?.[1] ?? sim.seed;
  return { behaviours: Number(/Progress\(([\d,]+)\)/.exec(progress)?.[1]?.replace(/,/g, "") ?? 1) || 1, depth: sim.depth, ...(seed !== undefined && { seed }) };
}

/**
 * The .cfg with only the INVARIANT and PROPERTY lines whose finding is one of `kinds`
 * (e.g. `deadlock` keeps NoDeadlock). Fewer invariants never hide a state of the others'
 * (merging, src/ir/merge.ts, does not depend on them).
 */
export function onlyChecks(spec: GeneratedSpec, kinds: readonly string[]): string {
  const wanted = new Set(kinds);
  return spec.cfg
    .split("\n")
    .filter((line) => {
      const inv = /^INVARIANT (\S+)/.exec(line)?.[1];
      if (inv !== undefined) return wanted.has(spec.names.checks.get(inv)?.kind ?? inv);
      if (/^PROPERTY /.test(line)) return wanted.has("termination");
      return true;
    })
    .join("\n");
}

function isFull(s: Partial<TlcStats>): s is TlcStats {
  return s.generated !== undefined && s.distinct !== undefined && s.depth !== undefined && s.timeMs !== undefined;
}
