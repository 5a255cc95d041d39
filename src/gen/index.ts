// Generator: validated IR -> one TLA+ module and its .cfg, rendered from
// templates/*.hbs. Deterministic: the same model gives the same bytes.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Handlebars from "handlebars";
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

const require = createRequire(import.meta.url);

/** What scripts/precompile-templates.mjs writes beside the built module: each template's text and compiled form. */
type Precompiled = Record<string, { source: string; spec: TemplateSpecification }>;

function templates(): NonNullable<typeof compiled> {
  if (compiled) return compiled;
  const read = (name: string) => readFileSync(path.join(templatesDir, name), "utf8");
  const names = ["locks-excl", "locks-rwsem", "findings", "spec.tla", "spec.cfg"].map((n) => `${n}.hbs`);
  const sources = new Map(names.map((n) => [n, read(n)]));
  // The build's precompiled templates, while templates/ holds exactly their text:
  // Handlebars' runtime only, no compiler to load, nothing to compile.
  let pre: Precompiled | undefined;
  try {
    pre = require("./templates.precompiled.cjs") as Precompiled;
  } catch {
    pre = undefined;
  }
  let make: (name: string) => HandlebarsTemplateDelegate;
  let hb: typeof Handlebars;
  if (pre && names.every((n) => pre?.[n]?.source === sources.get(n))) {
    const runtime = require("handlebars/runtime") as typeof Handlebars & { default?: typeof Handlebars };
    hb = (runtime.default ?? runtime).create();
    const p = pre;
    make = (name) => hb.template((p[name] as { spec: TemplateSpecification }).spec);
  } else {
    const full = require("handlebars") as typeof Handlebars;
    hb = full.create();
    // noEscape: Handlebars' HTML escaping would corrupt TLA+ (`<<`, `=>`, `"`).
    const options = { noEscape: true, strict: true, knownHelpersOnly: true } as const;
    make = (name) => hb.compile(sources.get(name) as string, options);
  }
  for (const partial of ["locks-excl", "locks-rwsem", "findings"]) hb.registerPartial(partial, make(`${partial}.hbs`));
  compiled = { tla: make("spec.tla.hbs") as HandlebarsTemplateDelegate<SpecView>, cfg: make("spec.cfg.hbs") as HandlebarsTemplateDelegate<SpecView> };
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
