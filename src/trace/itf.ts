// The counterexample in the Informal Trace Format (ITF, Apalache ADR-015), so it
// opens in existing TLA+/Quint trace tools. TLC's JSON loses the difference
// between functions, tuples and sequences; the spec's variable shapes restore it.

import type { SpecNames } from "../gen/index.js";
import type { RawState } from "./state.js";
import type { RawTrace } from "./translate.js";

export type ItfValue =
  | boolean
  | string
  | number
  | { readonly "#bigint": string }
  | { readonly "#tup": readonly ItfValue[] }
  | { readonly "#map": readonly (readonly [ItfValue, ItfValue])[] }
  | readonly ItfValue[]
  | { readonly [field: string]: ItfValue };

export interface ItfTrace {
  readonly "#meta": Readonly<Record<string, unknown>>;
  readonly vars: readonly string[];
  readonly states: readonly ({ readonly "#meta": { readonly index: number } } & Readonly<Record<string, ItfValue>>)[];
  readonly loop?: number;
}

const int = (n: number): ItfValue => (Number.isSafeInteger(n) ? n : { "#bigint": String(n) });

function scalar(v: unknown): ItfValue {
  if (typeof v === "number") return int(v);
  if (typeof v === "boolean" || typeof v === "string") return v;
  return String(v);
}

function map(v: unknown, value: (x: unknown) => ItfValue): ItfValue {
  const o = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  return { "#map": Object.keys(o).sort().map((k) => [k, value(o[k])] as const) };
}

/** The spec's own variables: pc and owner are functions, rw a function to records. */
function encode(name: string, v: unknown): ItfValue {
  switch (name) {
    case "pc":
    case "owner":
      return map(v, scalar);
    case "rw":
      return map(v, (r) => {
        const o = (r ?? {}) as Record<string, unknown>;
        const queue = Array.isArray(o["queue"]) ? (o["queue"] as unknown[]) : [];
        return {
          writer: scalar(o["writer"]),
          readers: map(o["readers"], scalar),
          queue: queue.map((e) => ({ "#tup": (Array.isArray(e) ? e : []).map(scalar) })),
        };
      });
    default:
      return scalar(v);
  }
}

/**
 * With `names`, each state also carries `locals`: thread -> local -> value, read off
 * the thread's pc (src/ir/program.ts folds locals into it); only when a thread has locals.
 */
export function toItf(trace: RawTrace, vars: readonly string[], meta: Readonly<Record<string, unknown>>, names?: Pick<SpecNames, "threads" | "locals">): ItfTrace {
  const withLocals = names?.locals !== undefined && names.locals.size > 0;
  const states = trace.states.map((s: RawState, index) => {
    const out: Record<string, ItfValue> = {};
    for (const v of vars) out[v] = encode(v, s[v]);
    if (withLocals) out["locals"] = localsOf(s, names);
    return { "#meta": { index }, ...out };
  });
  return {
    "#meta": { format: "ITF", "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html", ...meta },
    vars: withLocals ? [...vars, "locals"] : vars,
    states,
    ...(trace.loopTo !== undefined ? { loop: trace.loopTo } : {}),
  };
}

function localsOf(s: RawState, names: Pick<SpecNames, "threads" | "locals"> | undefined): ItfValue {
  const pc = (typeof s["pc"] === "object" && s["pc"] !== null ? s["pc"] : {}) as Record<string, unknown>;
  const rows: (readonly [ItfValue, ItfValue])[] = [];
  for (const [thread, byPc] of names?.locals ?? []) {
    const t = (names?.threads.get(thread) ?? thread).replace(/^"|"$/g, "");
    const vals = byPc.get(String(pc[t])) ?? {};
    rows.push([t, { "#map": Object.keys(vals).sort().map((k) => [k, scalar(vals[k])] as const) }]);
  }
  return { "#map": rows };
}
