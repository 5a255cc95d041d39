// The `-tool` message codes faultline reads, named as in upstream
// tlatools/org.lamport.tlatools/src/tlc2/output/EC.java (codes) and MP.java
// (severities). Each was checked against the output of the pinned jar.

/** EC.java message codes. */
export const EC = {
  /** "Java heap space" and other uncaught exceptions */
  GENERAL: 1000,
  SYSTEM_OUT_OF_MEMORY: 1001,
  SYSTEM_OUT_OF_MEMORY_TOO_MANY_INIT: 1002,
  SYSTEM_OUT_OF_MEMORY_LIVENESS: 1003,
  SYSTEM_STACK_OVERFLOW: 1005,
  /** "The error occurred when TLC was evaluating the nested expressions ..." */
  TLC_NESTED_EXPRESSION: 2103,
  /** "Invariant X is violated by the initial state:" */
  TLC_INVARIANT_VIOLATED_INITIAL: 2107,
  TLC_PROPERTY_VIOLATED_INITIAL: 2108,
  /** "Invariant X is violated." */
  TLC_INVARIANT_VIOLATED_BEHAVIOR: 2110,
  /** "Action property X is violated." (a [][A]_v PROPERTY) */
  TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR: 2112,
  /** "Deadlock reached." */
  TLC_DEADLOCK_REACHED: 2114,
  /** "Temporal property X was violated." */
  TLC_TEMPORAL_PROPERTY_VIOLATED: 2116,
  /** "The behavior up to this point is:" (header of a safety trace) */
  TLC_BEHAVIOR_UP_TO_THIS_POINT: 2121,
  /** "N: Back to state: <Action ...>": last state of a lasso loops to state N (1-based) */
  TLC_BACK_TO_STATE: 2122,
  /** Assert(FALSE, msg) */
  TLC_VALUE_ASSERT_FAILED: 2132,
  TLC_STARTING: 2185,
  /** "Running Random Simulation with seed S with N worker..." (-simulate) */
  TLC_MODE_SIMU: 2188,
  /** "Finished in Nms at (...)": in -tool mode always milliseconds */
  TLC_FINISHED: 2186,
  /** "Finished computing initial states: N distinct state(s) generated ..." */
  TLC_INIT_GENERATED1: 2190,
  /** "Finished computing initial states: G states generated, with D of them distinct at ..." */
  TLC_INIT_GENERATED2: 2191,
  /** "Model checking completed. No error has been found." */
  TLC_SUCCESS: 2193,
  /** "The depth of the complete state graph search is N." */
  TLC_SEARCH_DEPTH: 2194,
  /** "G states generated, D distinct states found, Q states left on queue." */
  TLC_STATS: 2199,
  /** "Progress(depth) at ...: G states generated (...), D distinct states found (...), Q states left on queue." */
  TLC_PROGRESS_STATS: 2200,
  /** "Progress(N) at ...: G states generated, -1 distinct states found, -1 states left on queue.": N behaviours so far (-simulate) */
  TLC_PROGRESS_SIMU: 2209,
  /** "The number of states generated: G\nSimulation using seed S and aril A" (-simulate, at the end) */
  TLC_STATS_SIMU: 2210,
  /** one state of a trace: "N: <Action line ...>" then the variables */
  TLC_STATE_PRINT2: 2217,
  /** "N: Stuttering": a liveness trace that ends by stuttering forever */
  TLC_STATE_PRINT3: 2218,
  /** SANY's own (unframed) output is printed between these two */
  TLC_SANY_END: 2219,
  TLC_SANY_START: 2220,
  /** "The following behavior constitutes a counter-example:" (liveness) */
  TLC_COUNTER_EXAMPLE: 2264,
  TLC_PARSING_FAILED2: 2171,
  /** distributed TLC (tlc2.tool.distributed.TLCServer): "TLC server at <host> is ready" */
  TLC_DISTRIBUTED_SERVER_RUNNING: 7000,
  /** "Registration for worker at rmi://... completed" */
  TLC_DISTRIBUTED_WORKER_REGISTERED: 7001,
  TLC_DISTRIBUTED_WORKER_DEREGISTERED: 7002,
  TLC_DISTRIBUTED_WORKER_LOST: 7006,
  /** "Parsing or semantic analysis failed." (empty body after semantic errors) */
  TLC_PARSING_FAILED: 3002,
} as const;

/**
 * Errors in the .cfg file or in how it names the spec's operators: 2222-2245
 * and 2280-2281 (TLC_CONFIG_*, TLC_CANT_HANDLE_*, TLC_NO_MODULES) and
 * 5001-5006 (CFG_*). EC.ExitStatus maps the TLC_CONFIG ones to exit 151.
 */
export function isConfigError(code: number): boolean {
  return (code >= 2222 && code <= 2245) || code === 2280 || code === 2281 || (code >= 5001 && code <= 5006);
}

/** MP.java severities: the number after the colon in `STARTMSG code:severity`. */
export const SEVERITY = { NONE: 0, ERROR: 1, TLCBUG: 2, WARNING: 3, STATE: 4 } as const;

/** EC.ExitStatus: TLC's process exit codes. */
export const EXIT = {
  SUCCESS: 0,
  VIOLATION_ASSUMPTION: 10,
  VIOLATION_DEADLOCK: 11,
  VIOLATION_SAFETY: 12,
  VIOLATION_LIVENESS: 13,
  VIOLATION_ASSERT: 14,
  FAILURE_SPEC_EVAL: 75,
  FAILURE_SAFETY_EVAL: 76,
  FAILURE_LIVENESS_EVAL: 77,
  ERROR_SPEC_PARSE: 150,
  ERROR_CONFIG_PARSE: 151,
  ERROR_STATESPACE_TOO_LARGE: 152,
  ERROR_SYSTEM: 153,
  ERROR: 255,
} as const;
