// The source map written beside each generated spec (`<module>.map.json`):
// the model's IR and the tables that name it in the spec (action -> model
// file:line, variable -> model object). With it and a TLC trace, `faultline
// explain` rebuilds the same report as `check` without the model's TypeScript.

import type { Model } from "../ir/types.js";
import type { SpecCheck, SpecNames } from "./view.js";

export const SOURCE_MAP_VERSION = 1;

export interface SourceMap {
  readonly version: typeof SOURCE_MAP_VERSION;
  readonly module: string;
  /** The model as plain IR (SEMANTICS objects with their model lines). */
  readonly model: Model;
  readonly names: {
    readonly threads: Record<string, string>;
    readonly locks: Record<string, string>;
    readonly vars: Record<string, string>;
    readonly enumValues: Record<string, string>;
    /** Action name -> the thread and pc it runs, with its model line for readers of the JSON. */
    readonly actions: Record<string, { readonly thread: string; readonly pc: string; readonly file: string; readonly line: number; readonly op: string }>;
    readonly checks: Record<string, SpecCheck>;
  };
}

export function toSourceMap(model: Model, names: SpecNames, describe: (thread: string, pc: string) => { file: string; line: number; op: string }): SourceMap {
  const obj = <V>(m: ReadonlyMap<string, V>): Record<string, V> => Object.fromEntries(m);
  const actions: SourceMap["names"]["actions"] = {};
  for (const [name, a] of names.actions) actions[name] = { ...a, ...describe(a.thread, a.pc) };
  return {
    version: SOURCE_MAP_VERSION,
    module: names.module,
    model,
    names: {
      threads: obj(names.threads),
      locks: obj(names.locks),
      vars: obj(names.vars),
      enumValues: obj(names.enumValues),
      actions,
      checks: obj(names.checks),
    },
  };
}

export function namesFromSourceMap(map: SourceMap): SpecNames {
  const m = <V>(o: Record<string, V>) => new Map(Object.entries(o));
  return {
    module: map.module,
    threads: m(map.names.threads),
    locks: m(map.names.locks),
    vars: m(map.names.vars),
    enumValues: m(map.names.enumValues),
    actions: new Map(Object.entries(map.names.actions).map(([k, a]) => [k, { thread: a.thread, pc: a.pc }])),
    checks: m(map.names.checks),
  };
}
