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
  /**
   * The process must not outlive this one, even when this one is killed with
   * SIGKILL (no exit handler runs then): on Linux a watchdog beside it kills it
   * within a second of our death. For long runs (TLC), not for `java -version`.
   */
  readonly watchParent?: boolean;
  /** stdout and stderr as they arrive (the result still has all of it) */
  readonly onOutput?: (chunk: string) => void;
  /**
   * Called with stdout and stderr as they arrive: true ends the process at
   * once (SIGKILL), and the result says `ended`. For a program whose output is
   * complete before it exits and whose exit is slow (TLC's JVM: run.ts).
   */
  readonly endWhen?: (chunk: string) => boolean;
}

/** Longest timer Node keeps (2^31-1 ms, about 24.8 days); longer is no timeout at all. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `sh -c START faultline-watchdog WATCH <command> <args...>`: starts a watchdog
 * in the background, then execs the command, which so keeps the shell's pid: it
 * is our direct child, gets our signals and reports its own exit status. The
 * watchdog (its child, with no stdio of ours, and a command line of its own that
 * names neither java nor the run) checks every second that the command still
 * runs (the watchdog's parent is still it) and that its parent is still us;
 * when we are gone (the command was re-parented) it kills the command. A pid is
 * only ever killed while it is the watchdog's own parent, so never a reused one.
 */
const START = `w=$1; shift
( exec /bin/sh -c "$w" faultline-watchdog "$$" "$PPID" ) </dev/null >/dev/null 2>&1 &
exec "$@"`;
/** $1: the command's pid, $2: ours. */
const WATCH = `while sleep 1; do
  read -r _ _ _ up _ < /proc/self/stat || exit 0
  [ "$up" = "$1" ] || exit 0
  read -r _ _ _ pp _ < /proc/$1/stat || exit 0
  [ "$pp" = "$2" ] || { kill -KILL "$1"; exit 0; }
done`;

const canWatch = process.platform === "linux";

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
  /** endWhen said so and the process was killed then (its exit status is the SIGKILL) */
  readonly ended: boolean;
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
  const watched = opts.watchParent === true && canWatch;
  const [cmd, argv] = watched ? ["/bin/sh", ["-c", START, "faultline-watchdog", WATCH, command, ...args]] : [command, args];
  const sub = execa(cmd, argv, {
    ...(opts.cwd !== undefined && { cwd: opts.cwd }),
    ...(opts.env !== undefined && { env: opts.env }),
    extendEnv: opts.extendEnv ?? true,
    all: true,
    reject: false,
    stdin: "ignore",
    cleanup: true,
    forceKillAfterDelay: opts.killAfterMs ?? 3_000,
    ...(opts.timeoutMs !== undefined && opts.timeoutMs <= MAX_TIMER_MS && { timeout: Math.max(1, Math.round(opts.timeoutMs)) }),
    ...(opts.signal !== undefined && { cancelSignal: opts.signal }),
  });
  const { onOutput, endWhen } = opts;
  let ended = false;
  if (onOutput || endWhen) {
    sub.all?.on("data", (chunk: Buffer | string) => {
      const text = String(chunk);
      onOutput?.(text);
      if (!ended && endWhen?.(text)) ended = sub.kill("SIGKILL");
    });
  }
  const res = await sub;
  // Through the watchdog's shell, a command that cannot be run is its exit 126 or 127.
  const execFailed = watched && (res.exitCode === 126 || res.exitCode === 127) && /^faultline-watchdog: .*(not found|No such file|Permission denied)/m.test(String(res.stderr ?? ""));
  const notStarted = execFailed || (res.failed && res.exitCode === undefined && res.signal === undefined && !res.timedOut && !res.isCanceled);
  return {
    all: String(res.all ?? ""),
    stdout: String(res.stdout ?? ""),
    stderr: String(res.stderr ?? ""),
    ...(res.exitCode !== undefined && !notStarted && { exitCode: res.exitCode }),
    ...(res.signal !== undefined && { signal: res.signal }),
    timedOut: res.timedOut,
    isCanceled: res.isCanceled,
    ended: ended && res.signal === "SIGKILL" && !res.timedOut && !res.isCanceled,
    ...(notStarted && { spawnError: new Error(execFailed ? String(res.stderr).trim() : res.shortMessage) }),
  };
}
