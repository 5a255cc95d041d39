// `faultline explain`: a generated spec's source map plus a TLC JSON trace ->
// the same finding `check` reports, for reviewers who hold only the spec.

import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { type SourceMap, namesFromSourceMap } from "./gen/index.js";
import { READABLE_SOURCE_MAP_VERSIONS, SOURCE_MAP_VERSION } from "./gen/sourcemap.js";
import { lower } from "./ir/program.js";
import { parseJsonTrace } from "./tlc/json-trace.js";
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
  const map = JSON.parse(await readFile(file, "utf8")) as SourceMap;
  if (!READABLE_SOURCE_MAP_VERSIONS.includes(map.version)) throw new ExplainError(`'${file}' is source map version ${String(map.version)}; this faultline reads version ${SOURCE_MAP_VERSION}`);
  return map;
}

export function explainTrace(map: SourceMap, traceJson: string): Finding {
  const trace = parseJsonTrace(traceJson);
  const program = lower(map.model);
  const names = namesFromSourceMap(map);
  const last = trace.states[trace.states.length - 1];
  if (!last) throw new ExplainError("the trace has no states");
  const violated = violatedCheck(map.model, program, names, decodeState(names, last));
  return translate({ model: map.model, program, names, trace, ...(violated ? { violated } : {}) });
}
