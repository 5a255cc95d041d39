// Child processes for TLC and `java -version`, run with execa: interleaved output,
// timeout, cancel, SIGTERM then SIGKILL, no orphan JVM when node exits. execa is
// imported on first use, from the one-file bundle the build makes of it
// (scripts/bundle-execa.mjs: ~30 ms to load instead of ~100 ms for its ~100
// modules), or, run from src/, from the package itself.

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
  /** stdout and stderr as they arrive (the result still has all of it) */
  readonly onOutput?: (chunk: string) => void;
}

export interface Spawned {
  /** stdout and stderr interleaved as they arrived, without the final newline */
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

type Execa = typeof import("execa");
let execaModule: Promise<Execa> | undefined;

async function importExeca(): Promise<Execa> {
  try {
    return (await import(new URL("../vendor/execa.js", import.meta.url).href)) as Execa;
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ERR_MODULE_NOT_FOUND") throw err;
    return import("execa");
  }
}

export async function runProcess(command: string, args: readonly string[], opts: SpawnOptions = {}): Promise<Spawned> {
  execaModule ??= importExeca();
  const { execa } = await execaModule;
  const sub = execa(command, args, {
    ...(opts.cwd !== undefined && { cwd: opts.cwd }),
    ...(opts.env !== undefined && { env: opts.env }),
    extendEnv: opts.extendEnv ?? true,
    all: true,
    reject: false,
    stdin: "ignore",
    cleanup: true,
    forceKillAfterDelay: opts.killAfterMs ?? 3_000,
    ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs }),
    ...(opts.signal !== undefined && { cancelSignal: opts.signal }),
  });
  const onOutput = opts.onOutput;
  if (onOutput) sub.all?.on("data", (chunk: Buffer | string) => onOutput(String(chunk)));
  const res = await sub;
  const notStarted = res.failed && res.exitCode === undefined && res.signal === undefined && !res.timedOut && !res.isCanceled;
  return {
    all: String(res.all ?? ""),
    stdout: String(res.stdout ?? ""),
    stderr: String(res.stderr ?? ""),
    ...(res.exitCode !== undefined && !notStarted && { exitCode: res.exitCode }),
    ...(res.signal !== undefined && { signal: res.signal }),
    timedOut: res.timedOut,
    isCanceled: res.isCanceled,
    ...(notStarted && { spawnError: new Error(res.shortMessage) }),
  };
}
