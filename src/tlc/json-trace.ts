// Reads the counterexample TLC writes with `-dumpTrace json trace.json` into a
// TlcTrace. The JSON carries states, action names and action parameters;
// only the -tool output tells a lasso from stuttering (see `lasso` below).

/**
 * A value as TLC's JSON dump writes it (checked on the pinned jar):
 * - integers: numbers; booleans: booleans; strings: strings
 * - model values: their name as a string, so `P1` and `"P1"` look the same
 * - tuples and sequences (functions with domain 1..n): arrays; `<<>>` and
 *   every empty function are `[]`
 * - sets: arrays, in TLC's normal order (`{{1}, {2, 3}}` is `[[1],[2,3]]`)
 * - records and functions with string or model-value domains: objects
 * - functions with any other domain: objects keyed by the TLA+ text of the
 *   domain element: `[i \in 0..2 |-> i]` is `{"0":0,"1":1,"2":2}`,
 *   `[t \in {<<1, 2>>} |-> "z"]` is `{"<<1, 2>>":"z"}`
 */
export type TlaValue = string | number | boolean | TlaValue[] | { [key: string]: TlaValue };

/** One state: variable name to value. */
export type TlcState = Record<string, TlaValue>;

export interface TlcTrace {
  /** the spec's VARIABLES in declaration order (state objects have no useful key order) */
  vars: string[];
  states: TlcState[];
  /** name of the action (TLA+ operator) that led to state i; null for the initial state */
  actions: (string | null)[];
  /** that action's bound parameters, e.g. `{ p: "p1" }` for `\E p \in Procs: Step(p)`; null for the initial state */
  params: (Record<string, TlaValue> | null)[];
  /** liveness lasso: index of the state the last state loops back to (the last index itself when it stutters) */
  loopTo?: number;
  /** the action that closes the lasso; null when the behaviour ends by stuttering forever */
  loopAction?: string | null;
  /** that action's parameters; null when stuttering */
  loopParams?: Record<string, TlaValue> | null;
}

type Numbered = [number, TlcState];
type Step = [Numbered, { name?: string; context?: Record<string, TlaValue> }, Numbered];
interface JsonTrace {
  counterexample: { state: Numbered[]; action: Step[] };
  vars?: string[];
}

/**
 * `lasso` comes from the -tool output (TLC_BACK_TO_STATE / TLC_STATE_PRINT3):
 * for a trace that ends stuttering TLC's JSON still closes the loop with an
 * ordinary-looking step from the last state to itself, labelled with some action.
 */
export function parseJsonTrace(json: string, lasso?: { backTo: number } | "stuttering"): TlcTrace {
  const { counterexample: cx, vars } = JSON.parse(json) as JsonTrace;
  const states = cx.state.map(([, s]) => s);
  const actions: (string | null)[] = states.map(() => null);
  const params: (Record<string, TlaValue> | null)[] = states.map(() => null);
  const trace: TlcTrace = { vars: vars ?? Object.keys(states[0] ?? {}), states, actions, params };
  for (const [[from], step, [to]] of cx.action) {
    // States are numbered from 1; a step to the next number is on the path,
    // anything else is the step that closes a lasso.
    if (to === from + 1 && to <= states.length) {
      actions[to - 1] = step.name ?? null;
      params[to - 1] = step.context ?? {};
    } else {
      Object.assign(trace, { loopTo: to - 1, loopAction: step.name ?? null, loopParams: step.context ?? {} });
    }
  }
  if (lasso === "stuttering") {
    Object.assign(trace, { loopTo: states.length - 1, loopAction: null, loopParams: null });
  } else if (lasso && trace.loopTo === undefined) {
    trace.loopTo = lasso.backTo - 1;
  }
  return trace;
}
