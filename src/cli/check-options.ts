// `faultline check` options beyond the plain check: --simulate (TLC's random
// simulation), --distributed (TLC's server, workers elsewhere), and the live
// progress line on a terminal. main.ts adds them and passes what they ask for to check().

import { type Command, InvalidArgumentError } from "commander";
import type { CheckOptions } from "../check.js";
import { DEFAULT_PORT } from "../tlc/distributed.js";
import { progressLine, progressWanted } from "./progress.js";

export interface ExtraFlags {
  simulate?: boolean;
  depth?: number;
  traces?: number;
  seed?: string;
  distributed?: boolean;
  port?: number;
  host?: string;
  workerWait?: number;
  json?: boolean;
  quiet?: boolean;
}

function whole(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function seed(v: string): string {
  if (!/^-?\d{1,19}$/.test(v) || BigInt(v) > 2n ** 63n - 1n || BigInt(v) < -(2n ** 63n)) throw new InvalidArgumentError("expected a whole number (a Java long)");
  return v;
}

function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of seconds");
  return n;
}

export function addCheckOptions(cmd: Command): Command {
  return cmd
    .option("--simulate", "TLC's random simulation instead of the whole state space: for models too large to exhaust (no finding proves nothing)")
    .option("--depth <n>", "with --simulate: the longest behaviour, in states (default 100)", whole(1))
    .option("--traces <n>", "with --simulate: how many behaviours (default 10000)", whole(1))
    .option("--seed <s>", "with --simulate: TLC's random seed, to get the same behaviours again", seed)
    .option("--distributed", "run TLC's distributed server: workers on other machines (`faultline worker <host>:<port>`) do the checking")
    .option("--port <p>", `with --distributed: the server's RMI port (default ${DEFAULT_PORT})`, whole(1, 65535))
    .option("--host <name>", "with --distributed: the name or address workers reach this machine by (default: the JVM's guess)")
    .option("--worker-wait <seconds>", "with --distributed: give up when no worker has registered after this long (default 300)", positiveSeconds);
}

/** A usage problem with the extra flags, or undefined. */
export function extraUsageError(flags: ExtraFlags, files: readonly string[]): string | undefined {
  if (!flags.simulate && (flags.depth !== undefined || flags.traces !== undefined || flags.seed !== undefined)) return "error: --depth, --traces and --seed go with --simulate";
  if (flags.simulate && flags.distributed) return "error: --simulate and --distributed do not go together (TLC's distributed mode does not simulate)";
  if (!flags.distributed && (flags.port !== undefined || flags.host !== undefined || flags.workerWait !== undefined)) return "error: --port, --host and --worker-wait go with --distributed";
  if (flags.distributed && files.length > 1) return "error: --distributed takes one model (its workers serve one server)";
  return undefined;
}

export interface Extras {
  readonly options: Partial<Pick<CheckOptions, "simulate" | "distributed" | "onOutput" | "progressSeconds">>;
  /** call before printing the model's report */
  done(): void;
}

/** What check() gets for one model; `live` says whether a progress line may show (one model at a time). */
export function checkExtras(flags: ExtraFlags, model: string, live: boolean): Extras {
  const line = live && progressWanted(process.stderr, flags) ? progressLine(model) : undefined;
  const options: Extras["options"] = {
    ...(flags.simulate && { simulate: { depth: flags.depth ?? 100, traces: flags.traces ?? 10_000, ...(flags.seed !== undefined && { seed: flags.seed }) } }),
    ...(flags.distributed && {
      distributed: {
        port: flags.port ?? DEFAULT_PORT,
        ...(flags.host !== undefined && { host: flags.host }),
        ...(flags.workerWait !== undefined && { workerWaitMs: flags.workerWait * 1000 }),
        onReady: (port: number) => {
          line?.clear();
          process.stderr.write(`${model}: TLC server ready on port ${port}; start workers with: faultline worker <this-host>:${port}\n`);
        },
      },
    }),
    ...(line?.checkOptions ?? {}),
  };
  return { options, done: () => line?.clear() };
}
