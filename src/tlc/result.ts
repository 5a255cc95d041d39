// Turns one finished TLC process (its output, exit status and trace.json)
// into a TlcRun. Pure: run.ts feeds it a live run, tests feed it recordings.
import type { CdsStatus } from "./cds.js";
import { EC, EXIT } from "./codes.js";
import { type TlcTrace, parseJsonTrace } from "./json-trace.js";
import { type TlcStats, type ToolOutput, parseToolOutput } from "./output.js";

/**
 * How a TLC run ended. A finding (invariant, liveness, deadlock) is a result,
 * not an exception; `output` is always the full -tool output.
 */
export type TlcRun =
  | { outcome: "ok"; stats: TlcStats; output: string }
  /** -simulate ended without a finding: `behaviours` random behaviours, none longer than the asked depth */
  | { outcome: "simulated"; behaviours: number; generated: number; seed?: string; timeMs: number; output: string }
  | { outcome: "invariant"; invariant: string; trace: TlcTrace; stats: TlcStats; output: string }
  /** a PROPERTY failed: temporal (lasso or stuttering trace) or action ([][A]_v, no loop); name may be "" */
  | { outcome: "liveness"; property: string; trace: TlcTrace; stats: TlcStats; output: string }
  /** a reachable state with no successor, while the .cfg checks deadlock */
  | { outcome: "deadlock"; trace: TlcTrace; stats: TlcStats; output: string }
  /** the generated .tla or .cfg was rejected: a faultline bug, so the files are kept in keptDir */
  | { outcome: "parse-error"; message: string; keptDir: string; output: string }
  | { outcome: "timeout"; stats?: Partial<TlcStats>; output: string }
  /** keptDir is set when the generated spec failed to evaluate (also a faultline bug) */
  | { outcome: "failed"; message: string; hint: string; keptDir?: string; output: string };

/** What a finished (or killed) TLC process left behind. */
export interface RawRun {
  /** stdout and stderr, interleaved */
  output: string;
  exitCode?: number;
  /** e.g. "SIGKILL" when the JVM was killed by something other than our timeout */
  signal?: string;
  /**
   * TLC had printed its verdict and its last message, and faultline ended the
   * JVM rather than wait for its exit (run.ts, verdictPrinted): no exit status,
   * but none was coming other than success or a violation's.
   */
  ended?: boolean;
  timedOut: boolean;
  /** set when TLC was stopped because its files on disk passed this many bytes */
  diskLimit?: number;
  /** contents of trace.json, when TLC wrote one */
  traceJson?: string;
  /** the run's working directory (reported, never read here) */
  dir: string;
  /** wall-clock time of the JVM, used when TLC printed no run time */
  wallMs: number;
  /** what the run did about class-data sharing (cds.ts); absent in recordings */
  cds?: CdsStatus;
  /** the run checked the spec's states through faultline's view of its symmetry (canon.ts), not TLC's SYMMETRY */
  canon?: boolean;
  /** the JVM ran faultline.Launch (canon/Launch.java), not tlc2.TLC itself */
  launch?: boolean;
  /** the run was TLC's random simulation (-simulate): no TLC_SUCCESS to expect */
  simulated?: boolean;
}

const BUG_HINT = "this is a faultline bug: please report it with the generated spec";
const OOM = /OutOfMemoryError|Java heap space|GC overhead limit exceeded/;
const EVAL_EXITS = new Set<number>([
  EXIT.VIOLATION_ASSUMPTION,
  EXIT.VIOLATION_ASSERT,
  EXIT.FAILURE_SPEC_EVAL,
  EXIT.FAILURE_SAFETY_EVAL,
  EXIT.FAILURE_LIVENESS_EVAL,
]);

export function interpretRun(raw: RawRun): TlcRun {
  const { output } = raw;
  const out = parseToolOutput(output);
  if (raw.diskLimit !== undefined) {
    const size = raw.diskLimit >= 2 ** 30 ? `${(raw.diskLimit / 2 ** 30).toFixed(1)} GiB` : `${Math.round(raw.diskLimit / 2 ** 20)} MiB`;
    return failed(
      `state space too large: TLC's states on disk passed ${size} and it was stopped before filling the disk`,
      "make the model smaller (fewer threads, smaller loop bounds), or raise FAULTLINE_MAX_DISK_MB on a machine with more free disk",
      output,
    );
  }
  if (raw.timedOut) {
    // The last progress report (TLC prints one when it is stopped); TLC's time is the JVM's.
    return Object.keys(out.stats).length > 0 ? { outcome: "timeout", stats: { timeMs: raw.wallMs, ...out.stats }, output } : { outcome: "timeout", output };
  }
  if (out.parseFailed || raw.exitCode === EXIT.ERROR_SPEC_PARSE || raw.exitCode === EXIT.ERROR_CONFIG_PARSE) {
    return { outcome: "parse-error", message: parseErrorMessage(out), keptDir: raw.dir, output };
  }
  if (out.violation) {
    if (raw.traceJson === undefined) {
      return failed(`tlc reported a ${out.violation.kind} violation but wrote no trace.json`, BUG_HINT, output);
    }
    let trace: TlcTrace;
    try {
      trace = parseJsonTrace(raw.traceJson, out.lasso);
    } catch (err) {
      return failed(`tlc wrote a trace.json faultline cannot read: ${(err as Error).message}`, BUG_HINT, output);
    }
    const stats = fullStats(out, raw.wallMs, trace.states.length);
    const v = out.violation;
    switch (v.kind) {
      case "invariant":
        return { outcome: "invariant", invariant: v.name, trace, stats, output };
      case "property":
        return { outcome: "liveness", property: v.name, trace, stats, output };
      case "deadlock":
        return { outcome: "deadlock", trace, stats, output };
      default:
        return unreachable(v);
    }
  }
  const exitedOk = raw.exitCode === EXIT.SUCCESS || raw.ended === true;
  if (raw.simulated && exitedOk) {
    const simu = out.messages.findLast((m) => m.code === EC.TLC_STATS_SIMU);
    if (simu) {
      const progress = out.messages.findLast((m) => m.code === EC.TLC_PROGRESS_SIMU);
      const seed = /seed (-?\d+)/.exec(simu.body)?.[1];
      return {
        outcome: "simulated",
        behaviours: Number(/Progress\(([\d,]+)\)/.exec(progress?.body ?? "")?.[1]?.replace(/,/g, "") ?? 0),
        generated: Number(/generated: ([\d,]+)/.exec(simu.body)?.[1]?.replace(/,/g, "") ?? 0),
        ...(seed !== undefined && { seed }),
        timeMs: out.stats.timeMs ?? raw.wallMs,
        output,
      };
    }
  }
  if (out.success && exitedOk) {
    return { outcome: "ok", stats: fullStats(out, raw.wallMs, 0), output };
  }
  return explainFailure(raw, out);
}

function explainFailure(raw: RawRun, out: ToolOutput): TlcRun {
  const { output } = raw;
  const why = lastErrors(out);
  const oomCodes: number[] = [EC.SYSTEM_OUT_OF_MEMORY, EC.SYSTEM_OUT_OF_MEMORY_TOO_MANY_INIT, EC.SYSTEM_OUT_OF_MEMORY_LIVENESS];
  if (out.errors.some((m) => oomCodes.includes(m.code) || OOM.test(m.body)) || OOM.test(out.unframed)) {
    return failed(
      "tlc ran out of memory",
      "give the JVM more heap (FAULTLINE_JAVA_OPTS=-Xmx8g, or jvmArgs in the library) or check a smaller model: fewer threads or smaller bounds",
      output,
    );
  }
  if (out.errors.some((m) => m.code === EC.SYSTEM_STACK_OVERFLOW)) {
    return failed("tlc overflowed its stack", "give the JVM a larger stack (FAULTLINE_JAVA_OPTS=-Xss64m, or jvmArgs in the library)", output);
  }
  if (raw.signal !== undefined) {
    return failed(
      `the java process running tlc was killed by ${raw.signal}`,
      "if nothing else killed it, the kernel's out-of-memory killer may have: check a smaller model or give the machine more memory",
      output,
    );
  }
  if ((raw.exitCode !== undefined && EVAL_EXITS.has(raw.exitCode)) || out.errors.length > 0) {
    // TLC could not evaluate the generated spec (a runtime error, a failed
    // Assert/ASSUME): like a parse error this is faultline's fault, so keep it.
    return {
      outcome: "failed",
      message: `tlc could not evaluate the generated spec:\n${why}`,
      hint: `${BUG_HINT} kept in ${raw.dir}`,
      keptDir: raw.dir,
      output,
    };
  }
  const tail = out.unframed.trim().split("\n").slice(-5).join("\n");
  return failed(
    `tlc exited with code ${raw.exitCode ?? "?"} without a verdict${tail ? `:\n${tail}` : ""}`,
    "read the tlc output above; check that TLA2TOOLS_JAR is a tla2tools.jar and that java runs it",
    output,
  );
}

function failed(message: string, hint: string, output: string): TlcRun {
  return { outcome: "failed", message, hint, output };
}

/** SANY's report, then the bodies of any config errors. */
function parseErrorMessage(out: ToolOutput): string {
  const parts = [out.sany, ...out.errors.map((m) => m.body.trim())].filter((s) => s !== "");
  return parts.join("\n\n") || "tlc rejected the spec without saying why";
}

function lastErrors(out: ToolOutput): string {
  return out.errors
    .slice(-3)
    .map((m) => m.body.trim())
    .join("\n");
}

/**
 * Stats for a run that got to a verdict. TLC prints none when an initial
 * state already fails; then the trace's own states are all we know of.
 */
function fullStats(out: ToolOutput, wallMs: number, traceLength: number): TlcStats {
  const s = out.stats;
  return {
    generated: s.generated ?? traceLength,
    distinct: s.distinct ?? traceLength,
    depth: s.depth ?? traceLength,
    timeMs: s.timeMs ?? wallMs,
  };
}

function unreachable(x: never): never {
  throw new Error(`internal: unexpected ${JSON.stringify(x)}`);
}
