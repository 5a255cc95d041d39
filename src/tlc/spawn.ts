// Child processes for TLC and `java -version`: node's spawn plus the little
// faultline needs (interleaved output, timeout, cancel, SIGTERM then SIGKILL,
// no orphan JVM when node exits). Replaces execa, whose import alone cost
// about 0.1 s of CPU on every check (issue 6).
import { type ChildProcess, spawn } from "node:child_process";

export interface SpawnOptions {
  readonly cwd?: string;
  /** added to process.env, or the whole environment with extendEnv: false */
  readonly env?: Record<string, string | undefined>;
  readonly extendEnv?: boolean;
  /** SIGTERM after this long; the result says timedOut */
  readonly timeoutMs?: number;
  /** SIGTERM on abort; the result says isCanceled */
  readonly signal?: AbortSignal;
  /** SIGKILL this long after SIGTERM (default 3 s) */
  readonly killAfterMs?: number;
}

export interface Spawned {
  /** stdout and stderr interleaved as they arrived, without the final newline (as execa gave it) */
  readonly all: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode?: number;
  /** the signal that ended the process, e.g. "SIGKILL" */
  readonly signal?: string;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  /** the process could not be started (ENOENT, EACCES) */
  readonly spawnError?: Error;
}

/** Children still running: killed if node exits without waiting for them. */
const live = new Set<ChildProcess>();
let exitHook = false;

export function runProcess(command: string, args: readonly string[], opts: SpawnOptions = {}): Promise<Spawned> {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const child of live) child.kill("SIGKILL");
    });
  }
  return new Promise((resolve) => {
    const env = opts.extendEnv === false ? opts.env : { ...process.env, ...opts.env };
    const child = spawn(command, args, { ...(opts.cwd !== undefined && { cwd: opts.cwd }), env, stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const all: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => {
      out.push(b);
      all.push(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      err.push(b);
      all.push(b);
    });
    let timedOut = false;
    let isCanceled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (killTimer || child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), opts.killAfterMs ?? 3_000);
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, opts.timeoutMs);
    const onAbort = () => {
      isCanceled = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });

    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (done) return;
      done = true;
      live.delete(child);
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
      const text = (bufs: Buffer[]) => Buffer.concat(bufs).toString("utf8").replace(/\r?\n$/, "");
      resolve({
        all: text(all),
        stdout: text(out),
        stderr: text(err),
        ...(code !== null && !spawnError && { exitCode: code }),
        ...(signal !== null && { signal }),
        timedOut,
        isCanceled,
        ...(spawnError && { spawnError }),
      });
    };
    child.on("error", (e) => {
      // Only a failed start ends the run here; a failed kill() leaves it running.
      if (child.pid === undefined) finish(null, null, e);
    });
    child.on("close", (code, signal) => finish(code, signal));
  });
}
