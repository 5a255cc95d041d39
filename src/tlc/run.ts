// Runs TLC once on a generated spec in a fresh temp dir and returns a TlcRun.
// The dir is removed afterwards, unless the spec itself turned out broken
// (a faultline bug): then it is kept and its path returned for inspection.
import { mkdtemp, readFile, readdir, rm, stat, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { Toolchain } from "./locate.js";
import { type RawRun, type TlcRun, interpretRun } from "./result.js";

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
  workers?: number | "auto";
  /** aborting kills the JVM, removes the dir and rejects with signal.reason */
  signal?: AbortSignal;
  /** false skips the cfg's PROPERTY checks (-lncheck off); default true */
  checkLiveness?: boolean;
  /** extra JVM options, e.g. ["-Xmx8g"] */
  jvmArgs?: readonly string[];
  /** stop TLC when its files pass this many bytes (default: FAULTLINE_MAX_DISK_MB, 8 GiB, at most half the free disk) */
  maxDiskBytes?: number;
  /** parent of the run's temp dir; default os.tmpdir() */
  tmpRoot?: string;
}

const MODULE_NAME = /^[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*$/;
/** grace period between SIGTERM (TLC prints a last progress report) and SIGKILL */
const KILL_GRACE_MS = 3_000;

export async function runTlc(opts: RunOptions): Promise<TlcRun> {
  const raw = await execTlc(opts);
  let run: TlcRun;
  try {
    run = interpretRun(raw);
  } catch (err) {
    await rm(raw.dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
  const keep = run.outcome === "parse-error" || (run.outcome === "failed" && run.keptDir !== undefined);
  if (!keep) await rm(raw.dir, { recursive: true, force: true, maxRetries: 3 });
  return run;
}

/**
 * Writes the files, runs the JVM and collects what it left, without judging
 * it. Exported for recording test fixtures; the caller owns `dir`.
 */
export async function execTlc(opts: RunOptions): Promise<RawRun> {
  const { module, toolchain } = opts;
  if (!MODULE_NAME.test(module)) throw new Error(`internal: ${JSON.stringify(module)} is not a TLA+ module name`);
  const dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), "faultline-"));
  try {
    await writeFile(join(dir, `${module}.tla`), opts.spec);
    await writeFile(join(dir, `${module}.cfg`), opts.cfg);
    const started = performance.now();
    // A state space too large for the machine fills TLC's on-disk queue: stop it first.
    const limit = await diskLimit(dir, opts.maxDiskBytes);
    const guard = new AbortController();
    const watch = setInterval(() => {
      void dirBytes(dir).then((n) => {
        if (n > limit) guard.abort(new Error("disk limit"));
      });
    }, DISK_POLL_MS);
    const cancel = opts.signal ? AbortSignal.any([opts.signal, guard.signal]) : guard.signal;
    const res = await execa(toolchain.java, tlcArgs(opts, dir), {
      cwd: dir,
      all: true,
      reject: false,
      stdin: "ignore",
      cleanup: true,
      forceKillAfterDelay: KILL_GRACE_MS,
      ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs }),
      cancelSignal: cancel,
    }).finally(() => clearInterval(watch));
    const wallMs = Math.round(performance.now() - started);
    if (res.isCanceled && guard.signal.aborted && !opts.signal?.aborted) {
      return { output: res.all ?? "", timedOut: false, diskLimit: limit, dir, wallMs };
    }
    if (res.isCanceled) throw opts.signal?.reason ?? new Error("tlc run was cancelled");
    // A missing java or jar would have been caught by locateToolchain; if it
    // vanished since, say so rather than return a confusing "failed".
    if (res.failed && res.exitCode === undefined && res.signal === undefined && !res.timedOut) {
      throw new Error(`could not start ${toolchain.java}: ${res.shortMessage}`);
    }
    return {
      output: res.all ?? "",
      ...(res.exitCode !== undefined && { exitCode: res.exitCode }),
      ...(res.signal !== undefined && !res.timedOut && { signal: res.signal }),
      timedOut: res.timedOut,
      ...(await readTrace(dir)),
      dir,
      wallMs,
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}

const DISK_POLL_MS = 1_000;

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
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const s = await stat(join(e.parentPath ?? dir, e.name)).catch(() => undefined);
    total += s?.size ?? 0;
  }
  return total;
}

function tlcArgs(opts: RunOptions, dir: string): string[] {
  return [
    // TLC warns (EC.TLC_ENVIRONMENT_JVM_GC) without the parallel collector;
    // deep recursion in the evaluator needs more than the default stack.
    "-XX:+UseParallelGC",
    "-Xss4m",
    // TLC unpacks its standard modules into java.io.tmpdir and never removes
    // them: keep them in our dir so they go with it.
    `-Djava.io.tmpdir=${dir}`,
    // Numbers in messages are locale-formatted ("1,467,996"); pin the locale.
    "-Duser.language=en",
    "-Duser.country=US",
    ...(opts.jvmArgs ?? []),
    "-cp",
    opts.toolchain.jar,
    "tlc2.TLC",
    "-tool",
    "-dumpTrace",
    "json",
    "trace.json",
    "-metadir",
    join(dir, "states"),
    "-workers",
    String(opts.workers ?? 1),
    "-noGenerateSpecTE",
    ...(opts.checkLiveness === false ? ["-lncheck", "off"] : []),
    "-config",
    `${opts.module}.cfg`,
    `${opts.module}.tla`,
  ];
}

async function readTrace(dir: string): Promise<{ traceJson?: string }> {
  try {
    return { traceJson: await readFile(join(dir, "trace.json"), "utf8") };
  } catch {
    return {};
  }
}
