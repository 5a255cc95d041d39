// The source map written beside each generated spec (`<module>.map.json`):
// the model's IR and the tables that name it in the spec (action -> model
// file:line, variable -> model object). With it and a TLC trace, `faultline
// explain` rebuilds the same report as `check` without the model's TypeScript.

import type { MergePlan } from "../ir/merge.js";
import type { Model } from "../ir/types.js";
import type { SpecCheck, SpecNames } from "./view.js";

/** 2: `absorbed` (step merging). Version 1 maps are still read: nothing absorbed. */
export const SOURCE_MAP_VERSION = 2;
export const READABLE_SOURCE_MAP_VERSIONS: readonly number[] = [1, 2];

export interface SourceMap {
  readonly version: number;
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
    /** Thread id -> the pcs merged into the step before them, with the model line of each (absent in version 1). */
    readonly absorbed?: Record<string, readonly { readonly pc: string; readonly file: string; readonly line: number; readonly op: string }[]>;
    /** Thread id -> acquire pc -> the kept pcs its step runs on through when it takes the lock at once (absent: none). */
    readonly through?: Record<string, Record<string, readonly string[]>>;
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
      absorbed: Object.fromEntries([...names.absorbed].map(([t, pcs]) => [t, pcs.map((pc) => ({ pc, ...describe(t, pc) }))])),
      ...(names.through ? { through: Object.fromEntries([...names.through].map(([t, m]) => [t, obj(m)])) } : {}),
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
    absorbed: new Map(Object.entries(map.names.absorbed ?? {}).map(([t, xs]) => [t, xs.map((x) => x.pc)])),
    ...(map.names.through ? { through: new Map(Object.entries(map.names.through).map(([t, o]) => [t, m(o)])) } : {}),
  };
}

/** The merge plan a spec was generated with, from its naming tables. */
export function mergePlanOf(names: SpecNames): MergePlan {
  return {
    absorbed: new Map([...names.absorbed].map(([t, pcs]) => [t, new Set(pcs)])),
    ...(names.through ? { through: new Map([...names.through].map(([t, m]) => [t, new Map([...m].map(([pc, ends]) => [pc, new Set(ends)]))])) } : {}),
  };
}
