// Generator: validated IR -> one TLA+ module and its .cfg, rendered from
// templates/*.hbs. Deterministic: the same model gives the same bytes.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { MergePlan } from "../ir/merge.js";
import { type Program, nodeIndex } from "../ir/program.js";
import type { Symmetry } from "../ir/symmetry.js";
import { spellOp } from "../ir/spell.js";
import type { Model } from "../ir/types.js";
import { type SpecNames, type SpecView, buildView } from "./view.js";

import { type SourceMap, toSourceMap } from "./sourcemap.js";

export type { SpecCheck, SpecNames } from "./view.js";
export { mergePlanOf, namesFromSourceMap, type SourceMap } from "./sourcemap.js";

export interface GeneratedSpec {
  readonly module: string;
  /** The `.tla` text. */
  readonly tla: string;
  /** The `.cfg` text. */
  readonly cfg: string;
  readonly names: SpecNames;
  /** `<module>.map.json`: the model and how the spec names it. */
  readonly sourceMap: SourceMap;
}

const templatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../templates");

let compiled: { tla: HandlebarsTemplateDelegate<SpecView>; cfg: HandlebarsTemplateDelegate<SpecView> } | undefined;

function templates(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  // noEscape: Handlebars' HTML escaping would corrupt TLA+ (`<<`, `=>`, `"`).
  const hb = Handlebars.create();
  const options = { noEscape: true, strict: true, knownHelpersOnly: true } as const;
  const read = (name: string) => readFileSync(path.join(templatesDir, name), "utf8");
  for (const partial of ["locks-excl", "locks-rwsem", "findings"]) {
    hb.registerPartial(partial, hb.compile(read(`${partial}.hbs`), options));
  }
  compiled = {
    tla: hb.compile<SpecView>(read("spec.tla.hbs"), options),
    cfg: hb.compile<SpecView>(read("spec.cfg.hbs"), options),
  };
  return compiled;
}

/**
 * Renders the spec for a validated model. `source` names the model file in the
 * header; `plan` says which nodes run inside their predecessor's step (none by default).
 */
export function generate(model: Model, program: Program, source: string, plan: MergePlan, sym: Symmetry): GeneratedSpec {
  const { view, names } = buildView(model, program, source, plan, sym);
  const t = templates();
  const tidy = (s: string) => `${s.replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
  const tps = new Map(program.threads.map((tp) => [tp.thread, tp]));
  const describe = (thread: string, pc: string) => {
    const tp = tps.get(thread);
    const n = tp && nodeIndex(tp).get(pc);
    return { file: n?.loc.file ?? "", line: n?.loc.line ?? 0, op: n ? spellOp(model, n.op) : "" };
  };
  const sourceMap = toSourceMap(model, names, describe);
  return { module: view.module, tla: tidy(t.tla(view)), cfg: tidy(t.cfg(view)), names, sourceMap };
}
