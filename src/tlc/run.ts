// Runs TLC once on a generated spec in a fresh temp dir and returns a TlcRun.
// The dir is removed afterwards, unless the spec itself turned out broken
// (a faultline bug): then it is kept and its path returned for inspection.
import { readFileSync } from "node:fs";
import { readFile, readdir, rm, stat, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { type CdsOptions, type CdsPlan, type CdsStatus, abandonCds, cdsJvmArgs, linkArchive, planCds, settleCds } from "./cds.js";
import { type CanonRun, LAUNCH_CLASS, canonClasses, canonRun, wantsCanon } from "./canon.js";
import { OWNER_FILE, makeTempDir } from "../files.js";
import { type Toolchain, ToolError } from "./locate.js";
import { type TlcStats, parseToolOutput } from "./output.js";
import { DEFAULT_WORKER_WAIT_MS, type DistributedOptions, interpretServerRun, lastStateCheck, rmiProps } from "./distributed.js";
import { EC } from "./codes.js";
import { type RawRun, type TlcRun, interpretRun } from "./result.js";
import { type Spawned, runProcess } from "./spawn.js";

export interface RunOptions {
  /** text of the .tla module */
  spec: string;
  /** text of the .cfg */
  cfg: string;
  /** module name: the spec's `---- MODULE <module> ----` */
  module: string;
  toolchain: Toolchain;
  /** kill the JVM after this long and return outcome "timeout" */
  timeoutMs?: number;
  /** TLC worker threads (default 1: deterministic depth and traces) */
  workers?: number;
  /** aborting kills the JVM, removes the dir and rejects with signal.reason (after onInterrupted) */
  signal?: AbortSignal;
  /** on abort, before the rejection: what TLC had reported when it was stopped (its last progress report) */
  onInterrupted?: (stats: Partial<TlcStats>, wallMs: number) => void;
  /**
   * false skips the cfg's PROPERTY checks (-lncheck off); default true. "final"
   * checks them once the whole state graph is built (-lncheck final): by default
   * TLC also checks them now and then while it explores, on a clock, so a
   * violation may stop it after a number of states that depends on the machine's load.
   */
  checkLiveness?: boolean | "final";
  /** extra JVM options, e.g. ["-Xmx8g"] */
  jvmArgs?: readonly string[];
  /** stop TLC when its files pass this many bytes (default: FAULTLINE_MAX_DISK_MB, 8 GiB, at most half the free disk) */
  maxDiskBytes?: number;
  /** parent of the run's temp dir; default os.tmpdir() */
  tmpRoot?: string;
  /** class-data sharing archive: on unless FAULTLINE_NO_CDS=1; kept in the jar's cache dir */
  cds?: CdsOptions;
  /** what to do about the archive, when the caller has already planned it (ensureCdsArchive) */
  cdsPlan?: CdsPlan;
  /** TLC's random simulation instead of exhaustive checking (-simulate) */
  simulate?: SimulateOptions;
  /** TLC's output as it arrives, e.g. for its progress messages (TLC_PROGRESS_STATS) */
  onOutput?: (chunk: string) => void;
  /** seconds between TLC's progress messages (default TLC's 60; at least 1) */
  progressSeconds?: number;
  /** TLC's distributed server (tlc2.tool.distributed.TLCServer) instead of tlc2.TLC: workers connect to it */
  distributed?: DistributedOptions;
  /**
   * false keeps the cfg's SYMMETRY; by default a spec with symmetry groups is
   * checked through faultline's view of its states (canon.ts) when the class can
   * be had. Never for a distributed server (its workers lack the class) or a simulation.
   */
  canon?: boolean;
}

/** `-simulate num=<traces> -depth <depth> [-seed <seed>]`. */
export interface SimulateOptions {
  /** longest behaviour, in states */
  readonly depth: number;
  /** behaviours to generate */
  readonly traces: number;
  /** TLC's random seed (a Java long, so digits); TLC picks one when absent and prints it */
  readonly seed?: string;
}

/**
 * A run, what happened about class-data sharing (cds.ts), whether it used the
 * view of canon.ts, and whether its main class was faultline.Launch.
 */
export type TlcRunInfo = TlcRun & { readonly cds: CdsStatus; readonly canon: boolean; readonly launch: boolean };

const MODULE_NAME = /^[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*$/;
/** grace period between SIGTERM (TLC prints a last progress report) and SIGKILL */
const KILL_GRACE_MS = 3_000;

/** The spec a standalone dump runs: small, but it loads the parser, the checker and the trace dumper. */
const WARMUP_TLA = `---- MODULE Warmup ----
EXTENDS Naturals, Sequences
VARIABLES x, q
Init == x = 0 /\\ q = <<>>
Next == x < 3 /\\ x' = x + 1 /\\ q' = Append(q, x)
Small == x < 3
====
`;
const WARMUP_CFG = "INIT Init\nNEXT Next\nINVARIANT Small\n";

/**
 * Makes the class-data sharing archive now unless it exists (bench, postinstall),
 * with an ordinary TLC run on a tiny spec with a violated invariant, so the archive
 * holds what a check loads. Returns the archive, or undefined when this JVM or
 * cache cannot have one.
 */
export async function ensureCdsArchive(tc: Toolchain, opts: CdsOptions = {}): Promise<string | undefined> {
  const plan = await planCds(tc, opts);
  if (plan.kind !== "create") return plan.kind === "use" ? plan.archive : undefined;
  const run = await runTlc({ spec: WARMUP_TLA, cfg: WARMUP_CFG, module: "Warmup", toolchain: tc, timeoutMs: 60_000, cdsPlan: plan });
  return run.cds === "created" ? plan.archive : undefined;
}

export async function runTlc(opts: RunOptions): Promise<TlcRunInfo> {
  if (opts.distributed) return runServer(opts, opts.distributed);
  const raw = await execTlc(opts);
  let run: TlcRunInfo;
  try {
    run = { ...interpretRun(opts.simulate ? { ...raw, simulated: true } : raw), cds: raw.cds ?? "off", canon: raw.canon ?? false, launch: raw.launch ?? false };
  } catch (err) {
    await rm(raw.dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
  const keep = run.outcome === "parse-error" || (run.outcome === "failed" && run.keptDir !== undefined);
  // A kept dir is the user's to inspect: without its owner file no later run sweeps it away.
  if (keep) await rm(join(raw.dir, OWNER_FILE), { force: true });
  else await rm(raw.dir, { recursive: true, force: true, maxRetries: 3 });
  return run;
}

/**
 * TLC's distributed server on the spec, until the workers have checked it. Gives
 * up with a clear failure when no worker registers within `workerWaitMs` (a worker
 * that cannot start, e.g. with a jar whose distributed mode is broken, never does).
 */
async function runServer(opts: RunOptions, d: DistributedOptions): Promise<TlcRunInfo> {
  const wait = new AbortController();
  const waitMs = d.workerWaitMs ?? DEFAULT_WORKER_WAIT_MS;
  let timer: NodeJS.Timeout | undefined;
  let seen = "";
  let registered = false;
  const onOutput = (chunk: string) => {
    opts.onOutput?.(chunk);
    if (registered) return;
    seen += chunk;
    if (timer === undefined && seen.includes(`@!@!@STARTMSG ${EC.TLC_DISTRIBUTED_SERVER_RUNNING}:`)) {
      d.onReady?.(d.port);
      timer = setTimeout(() => wait.abort(new Error("no worker")), waitMs);
    }
    if (seen.includes(`@!@!@STARTMSG ${EC.TLC_DISTRIBUTED_WORKER_REGISTERED}:`)) {
      registered = true;
      clearTimeout(timer);
      seen = "";
    }
  };
  let raw: RawRun;
  try {
    raw = await execTlc({ ...opts, onOutput, signal: opts.signal ? AbortSignal.any([opts.signal, wait.signal]) : wait.signal, cdsPlan: { kind: "off" } });
  } catch (err) {
    if (!wait.signal.aborted || opts.signal?.aborted) throw err;
    return {
      outcome: "failed",
      message: `no TLC worker registered with the distributed server on port ${d.port} within ${Math.round(waitMs / 1000)} s; the server was stopped`,
      hint: `start workers with \`faultline worker <this-host>:${d.port}\` (same tla2tools.jar); a worker that fails with NotSerializableException has a jar whose distributed mode is broken`,
      output: "",
      cds: "off",
      canon: false,
      launch: false,
    };
  } finally {
    clearTimeout(timer);
  }
  try {
    const which = async () => {
      const one = lastStateCheck(opts.spec, opts.cfg, raw.output);
      if (!one) return undefined;
      const r = await runTlc({ spec: one.spec, cfg: one.cfg, module: opts.module, toolchain: opts.toolchain, ...(opts.tmpRoot !== undefined && { tmpRoot: opts.tmpRoot }), ...(opts.signal && { signal: opts.signal }) });
      return r.outcome === "invariant" ? r.invariant : undefined;
    };
    const run = { ...(await interpretServerRun(raw, which)), cds: "off" as const, canon: false, launch: false };
    const keep = run.outcome === "parse-error" || (run.outcome === "failed" && run.keptDir !== undefined);
    if (!keep) await rm(raw.dir, { recursive: true, force: true, maxRetries: 3 });
    return run;
  } catch (err) {
    await rm(raw.dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}

/**
 * Writes the files, runs the JVM and collects what it left, without judging
 * it. Exported for recording test fixtures; the caller owns `dir`.
 */
export async function execTlc(opts: RunOptions): Promise<RawRun> {
  const { module, toolchain } = opts;
  if (!MODULE_NAME.test(module)) throw new Error(`internal: ${JSON.stringify(module)} is not a TLA+ module name`);
  const root = opts.tmpRoot ?? tmpdir();
  let dir: string;
  try {
    dir = await makeTempDir(root, "faultline-");
  } catch (err) {
    // The environment, not the model: a missing or read-only TMPDIR.
    throw new ToolError(`cannot make a temporary directory for TLC in ${root}: ${(err as Error).message}`, "set TMPDIR to an existing directory you can write to");
  }
  try {
    await writeFile(join(dir, `${module}.tla`), opts.spec);
    await writeFile(join(dir, `${module}.cfg`), opts.cfg);
    let classes = await classesFor(opts);
    let canon = canonFor(opts, classes);
    for (const [name, text] of canon?.files ?? []) await writeFile(join(dir, name), text);
    // A state space too large for the machine fills TLC's on-disk queue: stop it first.
    const limit = await diskLimit(dir, opts.maxDiskBytes);
    const guard = new AbortController();
    const cancel = opts.signal ? AbortSignal.any([opts.signal, guard.signal]) : guard.signal;
    const launch = async (plan: CdsPlan) => {
      await linkArchive(plan, dir);
      let measuring = false; // one walk of the dir at a time, however slow it gets
      const watch = setInterval(() => {
        if (measuring) return;
        measuring = true;
        void dirBytes(dir)
          .then((n) => {
            if (n > limit) guard.abort(new Error("disk limit"));
          })
          .finally(() => {
            measuring = false;
          });
      }, DISK_POLL_MS);
      const started = performance.now();
      const res = await runProcess(toolchain.java, tlcArgs(opts, dir, plan, classes, canon), {
        cwd: dir,
        killAfterMs: KILL_GRACE_MS,
        watchParent: true,
        ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
        signal: cancel,
        ...(opts.onOutput && { onOutput: opts.onOutput }),
        // Not while the JVM lists its classes for the archive (it writes them until it exits).
        ...(plan.kind !== "create" && !opts.distributed && { endWhen: verdictPrinted() }),
      }).finally(() => clearInterval(watch));
      return { res, wallMs: Math.round(performance.now() - started) };
    };
    const plan = opts.cdsPlan ?? (await planCds(toolchain, opts.cds));
    let { res, wallMs }: { res: Spawned; wallMs: number } = await launch(plan).catch(async (err: unknown) => {
      await settleCds(plan, dir, false);
      throw err;
    });
    if (classes !== undefined && jvmDidNotStart(res) && res.all.includes(LAUNCH_CLASS)) {
      // Our main class could not be loaded (a class dir removed under us, a JVM
      // that refuses it): TLC's own, and SYMMETRY instead of the view.
      classes = undefined;
      canon = undefined;
      await emptyRunDir(dir, [`${opts.module}.tla`, `${opts.module}.cfg`]);
      ({ res, wallMs } = await launch(plan));
    }
    let cds: CdsStatus;
    if (plan.kind !== "off" && jvmDidNotStart(res)) {
      // A JVM that cannot map or make the archive may crash (a truncated archive
      // is a SIGBUS) or refuse the option: never again, and run TLC without it.
      await abandonCds(plan);
      await emptyRunDir(dir, [`${opts.module}.tla`, `${opts.module}.cfg`, ...(canon?.files.keys() ?? [])]);
      ({ res, wallMs } = await launch({ kind: "off" }));
      cds = "fallback";
    } else {
      const finished = res.exitCode !== undefined && !res.timedOut && !res.isCanceled;
      cds = await settleCds(plan, dir, finished);
    }
    if (res.isCanceled && guard.signal.aborted && !opts.signal?.aborted) {
      return { output: res.all, timedOut: false, diskLimit: limit, dir, wallMs, cds };
    }
    if (res.isCanceled) {
      opts.onInterrupted?.(parseToolOutput(res.all).stats, wallMs);
      throw opts.signal?.reason ?? new Error("tlc run was cancelled");
    }
    // A missing java or jar would have been caught by locateToolchain; if it
    // vanished since, say so rather than return a confusing "failed".
    if (res.spawnError) throw new Error(`could not start ${toolchain.java}: ${res.spawnError.message}`);
    return {
      output: res.all,
      ...(res.exitCode !== undefined && { exitCode: res.exitCode }),
      ...(res.ended ? { ended: true } : res.signal !== undefined && !res.timedOut && { signal: res.signal }),
      timedOut: res.timedOut,
      ...(await readTrace(dir)),
      dir,
      wallMs,
      cds,
      canon: canon !== undefined,
      launch: classes !== undefined,
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}

const DISK_POLL_MS = 1_000;

const FINISHED_END = `@!@!@ENDMSG ${EC.TLC_FINISHED} @!@!@`;

/**
 * For runProcess's endWhen: true once TLC has printed its last message
 * (TLC_FINISHED, "Finished in ...") after a verdict: no error found, a
 * simulation's statistics, or a violation, whose trace.json TLC wrote before.
 * The JVM then only exits, and that took a third of a second: its exit waits
 * up to 300 ms for threads in native code, and a TLC built with RMI in FPSet
 * (the jar that runs TLC's distributed mode, ../shared/tools/README.md) has one
 * blocked in accept(). A check of 6,159 states took 1.5 s in the JVM, 0.34 s of
 * it after TLC's last word. Anything else (an error, no verdict) waits for the
 * exit as before, so its exit status still reaches interpretRun.
 */
function verdictPrinted(): (chunk: string) => boolean {
  let all = "";
  return (chunk) => {
    const from = Math.max(0, all.length - FINISHED_END.length);
    all += chunk;
    if (!all.includes(FINISHED_END, from)) return false;
    const out = parseToolOutput(all);
    if (out.parseFailed) return false;
    if (out.violation) return true;
    return out.errors.length === 0 && (out.success || out.messages.some((m) => m.code === EC.TLC_STATS_SIMU));
  };
}

/** Exited or died before TLC printed its first message: the JVM itself failed. */
function jvmDidNotStart(res: Spawned): boolean {
  if (res.timedOut || res.isCanceled || res.spawnError || res.exitCode === 0) return false;
  return !res.all.includes("@!@!@STARTMSG");
}

/**
 * faultline's classes (canon.ts) for a run on this machine: the main class of
 * every such run, and the view's override. Not for a distributed server, whose
 * workers lack them.
 */
async function classesFor(opts: RunOptions): Promise<string | undefined> {
  if (opts.distributed) return undefined;
  return canonClasses(opts.toolchain, opts.cds?.cacheDir !== undefined ? { cacheDir: opts.cds.cacheDir } : {});
}

/** The view of canon.ts for this run, when it takes one and the classes can be had. */
function canonFor(opts: RunOptions, classes: string | undefined): CanonRun | undefined {
  if (classes === undefined || opts.canon === false || opts.distributed || opts.simulate || !wantsCanon(opts.spec, opts.cfg, opts.module)) return undefined;
  return canonRun(opts.module, opts.cfg);
}

/** Everything but the spec (and the view's files) goes before a second try (hs_err files, states, the CDS log). */
async function emptyRunDir(dir: string, files: Iterable<string>): Promise<void> {
  const keep = new Set([...files, OWNER_FILE]);
  for (const name of await readdir(dir)) {
    if (!keep.has(name)) await rm(join(dir, name), { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Bytes TLC may write: FAULTLINE_MAX_DISK_MB, or 8 GiB, but never more than half the free disk. */
async function diskLimit(dir: string, explicit: number | undefined): Promise<number> {
  if (explicit !== undefined) return explicit;
  const env = Number(process.env["FAULTLINE_MAX_DISK_MB"]);
  const wanted = Number.isFinite(env) && env > 0 ? env * 2 ** 20 : 8 * 2 ** 30;
  try {
    const fs = await statfs(dir);
    return Math.min(wanted, (fs.bavail * fs.bsize) / 2);
  } catch {
    return wanted;
  }
}

async function dirBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  // The entry's directory is `parentPath` since Node 20.12, `path` before (engines: >=20.5).
  const where = (e: (typeof entries)[number]) => e.parentPath ?? (e as { path?: string }).path ?? dir;
  const sizes = await Promise.all(entries.filter((e) => e.isFile()).map((e) => stat(join(where(e), e.name)).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

/** FAULTLINE_JAVA_OPTS split on white space, e.g. "-Xmx8g -XX:+UseG1GC". */
function javaOpts(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((o) => o !== "");
}

function tlcArgs(opts: RunOptions, dir: string, cds: CdsPlan, classes: string | undefined, canon: CanonRun | undefined): string[] {
  const jvm = jvmArgs(opts, dir, cds);
  if (opts.distributed) {
    // TLCServer takes fewer options than tlc2.TLC: no -dumpTrace, no -workers (the workers' threads).
    return [...rmiProps(opts.distributed.port, opts.distributed.host), ...jvm, "-cp", opts.toolchain.jar, "tlc2.tool.distributed.TLCServer", "-tool", "-metadir", join(dir, "states"), "-checkpoint", "0", "-config", `${opts.module}.cfg`, opts.module];
  }
  // The jar first: the class-data sharing archive was made with it alone on the
  // class path, and the JVM maps it for a class path that starts the same.
  const classPath = classes === undefined ? opts.toolchain.jar : `${opts.toolchain.jar}${delimiter}${classes}`;
  const main = classes === undefined ? "tlc2.TLC" : LAUNCH_CLASS;
  if (canon) return [...canon.jvmArgs, ...jvm, "-cp", classPath, main, ...tlcOnlyArgs(opts, dir, canon.module)];
  return [...jvm, "-cp", classPath, main, ...tlcOnlyArgs(opts, dir, opts.module)];
}

/** The JVM options of a run in `dir` (bench/cpu.ts gives a bare TLC run the same). */
export function jvmArgs(opts: RunOptions, dir: string, cds: CdsPlan): string[] {
  return [
    ...cdsJvmArgs(cds),
    // TLC warns (EC.TLC_ENVIRONMENT_JVM_GC) without the parallel collector;
    // deep recursion in the evaluator needs more than the default stack.
    "-XX:+UseParallelGC",
    "-Xss4m",
    ...YOUNG_GEN,
    // No hsperfdata file in /tmp, a little less start-up.
    "-XX:-UsePerfData",
    ...hugePageArgs(),
    ...jitArgs(opts),
    // TLC unpacks its standard modules into java.io.tmpdir and never removes
    // them: keep them in our dir so they go with it.
    `-Djava.io.tmpdir=${dir}`,
    // Numbers in messages are locale-formatted ("1,467,996"); pin the locale.
    "-Duser.language=en",
    "-Duser.country=US",
    // The user's own JVM options (e.g. a larger heap), then the caller's.
    ...(opts.progressSeconds !== undefined ? [`-Dtlc2.TLC.progressInterval=${Math.max(1, Math.round(opts.progressSeconds))}`] : []),
    ...javaOpts(process.env["FAULTLINE_JAVA_OPTS"]),
    ...(opts.jvmArgs ?? []),
  ];
}

/**
 * A young generation of a fixed 64 MB. Left to itself, the parallel collector
 * starts it at a third of the initial heap (128 MB on a 24 GB machine) and grows
 * it after collections, to 2 GB in a run of minutes: each new page of it is a
 * page fault and a page the kernel zeroes, and that was a third of a check's
 * CPU. Most of what TLC allocates dies young (successor states, values under
 * evaluation), so a small young generation costs more, short collections: at
 * 552,877 states 888 of them, 3.2 s of pauses in all (33 and 1.4 s before), in
 * a run 6.5 s shorter. Family 2, bare TLC with faultline's other options, CPU
 * seconds (user + system): K2 F2 W2 L2 3.8 -> 2.4-2.7; K3 F3 W2 L1 2.2 ->
 * 1.9-2.0; K3 F3 W2 L2 (552,877 states) 81.5 -> 73.9 (system 7.0 -> 1.1). The
 * old generation still grows to the JVM's maximum heap; FAULTLINE_JAVA_OPTS
 * comes later on the command line, so -Xmn there overrides this.
 */
export const YOUNG_GEN: readonly string[] = ["-Xmn64m"];

/**
 * The heap in transparent huge pages (2 MB) where the kernel offers them to a
 * process that asks (Linux, /sys/kernel/mm/transparent_hugepage/enabled is
 * "always" or "madvise"). Every page of the heap TLC touches for the first time
 * is a page fault, and on a virtual machine a costly one: the young collections
 * that promote the parsed spec and TLC's tables, and the fingerprint set, were
 * most of the kernel time of a check (perf). With 2 MB pages there are 512 times
 * fewer. Family 2, bare TLC with faultline's other options, seven interleaved
 * runs, TLC's own time (median): a 2-state spec 247 -> 219 ms; K1 F2 W2 L2
 * (6,159 states) 887 -> 716 ms, CPU 1.49 -> 1.31 s; K3 F3 W2 L1 (5,280) 1,252 ->
 * 1,043 ms. Elsewhere (macOS, THP off) the JVM would only warn: not given.
 * FAULTLINE_JAVA_OPTS comes later, so -XX:-UseTransparentHugePages there undoes it.
 */
export function hugePageArgs(): string[] {
  hugePages ??= /\[(always|madvise)\]/.test(readTextOr("/sys/kernel/mm/transparent_hugepage/enabled"));
  return hugePages ? ["-XX:+UseTransparentHugePages"] : [];
}
let hugePages: boolean | undefined;

function readTextOr(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/**
 * Which of the JVM's compilers TLC gets. Most checks run for seconds, and there
 * C2, the optimising compiler, costs more than it gives back: compiling TLC's
 * evaluator took about 3 CPU-seconds in a check of 6,159 states (family 2,
 * K1 F2 W2 L2), and on a 2-core machine the compiler threads compete with the
 * worker. C1 alone (-XX:TieredStopAtLevel=1) runs at its speed at once: that
 * check went from 4.6 to 2.5 CPU-seconds, 2.9 to 2.2 s end to end. Its code is
 * slower, so a run of minutes takes longer (1.6-1.8x at 552,877 states).
 * Several workers, a distributed server and a simulation ask for long runs: they
 * keep both compilers. FAULTLINE_JAVA_OPTS comes later on the command line, so
 * -XX:TieredStopAtLevel=4 there restores C2 for any run (README, "Benchmarks").
 */
export function jitArgs(opts: Pick<RunOptions, "workers" | "distributed" | "simulate">): string[] {
  return asksLongRun(opts) ? [] : ["-XX:TieredStopAtLevel=1"];
}

/** Several workers, a distributed server or a simulation: a run of minutes or more. */
function asksLongRun(opts: Pick<RunOptions, "workers" | "distributed" | "simulate">): boolean {
  return (opts.workers ?? 1) > 1 || opts.distributed !== undefined || opts.simulate !== undefined;
}

/**
 * How much of the heap TLC's fingerprint set may fill before it writes to its
 * disk file (-fpmem). TLC's default, a quarter, sizes the set's in-memory table
 * for some 67 million states on a 24 GB machine (6 GB heap), and allocating and
 * zeroing its 16 MB of references was about 40 ms of every check's set-up, most
 * of it page faults (perf; TLC's own timestamps, eight runs: 0.14-0.16 s from
 * "Starting" to the first state, 0.10-0.12 s with 2%). 2% keeps about 8 million
 * states in memory there (2 million with an 8 GB machine's 2 GB heap); past that
 * TLC goes on with its disk file, as it does past any size: family 2 K3 F3 W2 L2
 * (552,877 states) with 0.1% took 73 s against 70 s with the default, one run
 * each. Runs that ask for more (asksLongRun) keep TLC's default.
 */
export function fpMemArgs(opts: Pick<RunOptions, "workers" | "distributed" | "simulate">): string[] {
  return asksLongRun(opts) ? [] : ["-fpmem", "0.02"];
}

function tlcOnlyArgs(opts: RunOptions, dir: string, module: string): string[] {
  return [
    "-tool",
    "-dumpTrace",
    "json",
    "trace.json",
    "-metadir",
    join(dir, "states"),
    "-workers",
    String(opts.workers ?? 1),
    ...fpMemArgs(opts),
    "-noGenerateSpecTE",
    // no checkpoint of the state queue every 30 minutes: a run is never resumed
    "-checkpoint",
    "0",
    ...(opts.checkLiveness === false ? ["-lncheck", "off"] : opts.checkLiveness === "final" ? ["-lncheck", "final"] : []),
    ...(opts.simulate ? ["-simulate", `num=${opts.simulate.traces}`, "-depth", String(opts.simulate.depth), ...(opts.simulate.seed !== undefined ? ["-seed", String(opts.simulate.seed)] : [])] : []),
    "-config",
    `${module}.cfg`,
    `${module}.tla`,
  ];
}

async function readTrace(dir: string): Promise<{ traceJson?: string }> {
  try {
    return { traceJson: await readFile(join(dir, "trace.json"), "utf8") };
  } catch {
    return {};
  }
}
