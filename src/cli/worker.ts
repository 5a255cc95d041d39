// `faultline worker <host>:<port>`: one TLC worker (tlc2.tool.distributed.TLCWorker)
// for a `faultline check --distributed` server, with this machine's java and jar
// (the same jar as the server's). It ends when the server's check ends.

import { type Command, InvalidArgumentError } from "commander";
import { BROKEN_JAR_HINT, DEFAULT_PORT, brokenDistributed, rmiProps, workerBrokenJar } from "../tlc/distributed.js";
import { ToolError, locateToolchain } from "../tlc/locate.js";
import { runProcess } from "../tlc/spawn.js";

const EXIT = { ok: 0, invalid: 2, error: 3 } as const;

/** "host:port", "host" (the default port) or "[v6]:port". */
export function parseServer(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+))(?::(\d{1,5}))?$/.exec(s);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] !== undefined ? Number(m[3]) : DEFAULT_PORT;
  if (host === undefined || port < 1 || port > 65535) return undefined;
  return { host, port };
}

export async function workerCommand(server: string, opts: { threads?: number; host?: string }): Promise<number> {
  const where = parseServer(server);
  if (!where) {
    process.stderr.write(`faultline worker: '${server}' is not <host>:<port>\n`);
    return EXIT.invalid;
  }
  let tc: Awaited<ReturnType<typeof locateToolchain>>;
  try {
    tc = await locateToolchain();
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    process.stderr.write(`faultline worker: error: ${err.message}\n  hint: ${err.hint}\n`);
    return EXIT.error;
  }
  const broken = await brokenDistributed(tc.jar);
  if (broken) {
    process.stderr.write(`faultline worker: error: ${broken}\n  hint: ${BROKEN_JAR_HINT}\n`);
    return EXIT.error;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error("interrupted"));
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let brokenSeen = false;
  let tail = "";
  try {
    process.stderr.write(`faultline worker: connecting to the TLC server at ${where.host}:${where.port}\n`);
    const res = await runProcess(
      tc.java,
      [
        ...rmiProps(where.port, opts.host),
        ...(opts.threads !== undefined ? [`-Dtlc2.tool.distributed.TLCWorker.threadCount=${opts.threads}`] : []),
        "-XX:+UseParallelGC",
        "-cp",
        tc.jar,
        "tlc2.tool.distributed.TLCWorker",
        where.host,
      ],
      {
        signal: stop.signal,
        onOutput: (chunk) => {
          tail = (tail + chunk).slice(-4000);
          // A jar whose distributed mode is broken fails at once and for good: say so and stop.
          if (!brokenSeen && workerBrokenJar(tail)) {
            brokenSeen = true;
            stop.abort(new Error("broken jar"));
          }
          for (const line of chunk.split("\n")) {
            if (/ready at|work completed|unreachable|not ready yet|Error|Exception/.test(line) && !/UnicastRef port/.test(line)) process.stderr.write(`  ${line.trim()}\n`);
          }
        },
      },
    );
    if (brokenSeen) {
      process.stderr.write(
        `faultline worker: error: this tla2tools.jar cannot run distributed TLC: the worker failed with java.io.NotSerializableException: tlc2.tool.fp.MultiFPSet (an upstream regression since TLC commit 6fde5a9ea)\n  hint: ${BROKEN_JAR_HINT}\n`,
      );
      return EXIT.error;
    }
    if (res.isCanceled) {
      process.stderr.write("faultline worker: interrupted; the worker was stopped\n");
      return EXIT.error;
    }
    if (res.exitCode === 0) {
      process.stderr.write("faultline worker: the server's check is done\n");
      return EXIT.ok;
    }
    process.stderr.write(`faultline worker: error: the TLC worker exited with ${res.signal ?? `code ${res.exitCode ?? "?"}`}\n${res.all.trim().split("\n").slice(-5).map((l) => `  ${l}`).join("\n")}\n`);
    return EXIT.error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

export function addWorkerCommand(program: Command, done: (code: number) => void): void {
  program
    .command("worker")
    .description("run a TLC worker for a `faultline check --distributed` server (same tla2tools.jar)")
    .argument("<server>", "the server as <host>:<port>")
    .option("--threads <n>", "worker threads (default: the number of CPUs)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
      return n;
    })
    .option("--host <name>", "the name or address the server reaches this machine by (default: the JVM's guess)")
    .action(async (server: string, opts: { threads?: number; host?: string }) => {
      done(await workerCommand(server, opts));
    });
}
