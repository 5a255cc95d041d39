// `faultline explain`: a generated spec's source map plus a TLC JSON trace ->
// the same finding `check` reports, for reviewers who hold only the spec.

import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { type SourceMap, namesFromSourceMap } from "./gen/index.js";
import { READABLE_SOURCE_MAP_VERSIONS, SOURCE_MAP_VERSION } from "./gen/sourcemap.js";
import { lower } from "./ir/program.js";
import { encodedProgram } from "./ir/encode.js";
import { type TlcTrace, parseJsonTrace } from "./tlc/json-trace.js";
import { violatedCheck } from "./trace/detect.js";
import { decodeState } from "./trace/state.js";
import { type Finding, translate } from "./trace/translate.js";

export class ExplainError extends Error {}

/** Reads `<module>.map.json` from a spec directory (or the map file itself). */
export async function readSourceMap(specPath: string): Promise<SourceMap> {
  let file = specPath;
  if (!specPath.endsWith(".json")) {
    const maps = (await readdir(specPath).catch(() => [])).filter((f) => f.endsWith(".map.json"));
    if (maps.length !== 1) {
      throw new ExplainError(maps.length === 0 ? `no <module>.map.json in '${specPath}'; generate the spec with faultline gen` : `several source maps in '${specPath}' (${maps.join(", ")}); name one`);
    }
    file = path.join(specPath, maps[0] as string);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ExplainError(`cannot read the source map '${file}': ${(err as Error).message}`);
  }
  let map: SourceMap;
  try {
    map = JSON.parse(text) as SourceMap;
  } catch (err) {
    throw new ExplainError(`the source map '${file}' is not valid JSON (${(err as Error).message}); generate it again with faultline gen`);
  }
  if (typeof map !== "object" || map === null || !("version" in map)) throw new ExplainError(`'${file}' is not a faultline source map; generate it again with faultline gen`);
  if (!READABLE_SOURCE_MAP_VERSIONS.includes(map.version)) throw new ExplainError(`'${file}' is source map version ${String(map.version)}; this faultline reads version ${SOURCE_MAP_VERSION}`);
  const shaped = typeof map.module === "string" && typeof map.model === "object" && map.model !== null && typeof map.names === "object" && map.names !== null;
  if (!shaped || !["threads", "locks", "vars", "enumValues", "actions", "checks"].every((k) => typeof (map.names as Record<string, unknown>)[k] === "object")) {
    throw new ExplainError(`the source map '${file}' is damaged (missing module, model or names); generate it again with faultline gen`);
  }
  return map;
}

/**
 * The trace as TLC's JSON dump, checked to be one of this spec: its actions
 * name the spec's module and actions, its states hold the spec's variables.
 * `traceName` names the file in errors.
 */
function readTrace(map: SourceMap, traceJson: string, traceName: string): TlcTrace {
  let raw: unknown;
  try {
    raw = JSON.parse(traceJson);
  } catch (err) {
    throw new ExplainError(`'${traceName}' is not a TLC JSON trace (${(err as Error).message})`);
  }
  const cx = (raw as { counterexample?: { state?: unknown; action?: unknown } } | null)?.counterexample;
  const stateOk = (x: unknown) => Array.isArray(x) && typeof x[0] === "number" && typeof x[1] === "object" && x[1] !== null && !Array.isArray(x[1]);
  if (typeof cx !== "object" || cx === null || !Array.isArray(cx.state) || !cx.state.every(stateOk) || (cx.action !== undefined && !Array.isArray(cx.action))) {
    throw new ExplainError(`'${traceName}' is not a TLC JSON trace: expected {"counterexample": {"state": [...], "action": [...]}} as TLC's -dumpTrace json writes it`);
  }
  const steps = (cx.action ?? []) as unknown[];
  if (!steps.every((a) => Array.isArray(a) && a.length === 3 && stateOk(a[0]) && stateOk(a[2]) && typeof a[1] === "object" && a[1] !== null)) {
    throw new ExplainError(`'${traceName}' is not a TLC JSON trace: a step is not [state, action, state]`);
  }
  const spec = `the spec of '${map.model.name}' (module ${map.module})`;
  const modules = new Set(steps.map((a) => ((a as [unknown, { location?: { module?: unknown } }])[1].location?.module)).filter((m): m is string => typeof m === "string"));
  const foreign = [...modules].filter((m) => m !== map.module);
  if (foreign.length > 0) throw new ExplainError(`'${traceName}' is a trace of module ${foreign.join(", ")}, not of ${spec}`);
  const unknown = [...new Set(steps.map((a) => (a as [unknown, { name?: unknown }])[1].name))].filter((n) => typeof n === "string" && !(n in map.names.actions));
  if (unknown.length > 0) throw new ExplainError(`'${traceName}' has steps ${unknown.slice(0, 3).join(", ")} that ${spec} does not have: it is a trace of another spec`);
  const trace = parseJsonTrace(traceJson);
  const wanted = ["pc", ...Object.values(map.names.vars)];
  for (const [i, st] of trace.states.entries()) {
    const missing = wanted.filter((v) => !(v in st));
    if (missing.length > 0) throw new ExplainError(`state ${i + 1} of '${traceName}' has no ${missing.slice(0, 3).join(", ")}: it is not a trace of ${spec}`);
  }
  return trace;
}

export function explainTrace(map: SourceMap, traceJson: string, traceName = "the trace"): Finding {
  const trace = readTrace(map, traceJson, traceName);
  const program = encodedProgram(map.model, lower(map.model));
  const names = namesFromSourceMap(map);
  const last = trace.states[trace.states.length - 1];
  if (!last) throw new ExplainError("the trace has no states");
  const violated = violatedCheck(map.model, program, names, decodeState(names, last));
  return translate({ model: map.model, program, names, trace, ...(violated ? { violated } : {}) });
}
