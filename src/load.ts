// Loads a user's TypeScript model file (through tsx) and finds the one model it
// exports. Every failure becomes a located diagnostic, never a stack trace.

import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { type CompileOptions, type Compiled, compile } from "./check.js";
import { type ModelDef, isModelDef } from "./dsl/model.js";
import type { Diagnostic } from "./ir/diagnostics.js";
import type { Loc } from "./ir/types.js";

export type Loaded = { readonly ok: true; readonly def: ModelDef; readonly file: string } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The model file's line named in an error's stack, if any. */
function locIn(err: unknown, file: string): Loc {
  const stack = err instanceof Error ? (err.stack ?? "") : "";
  const base = path.basename(file);
  for (const line of stack.split("\n")) {
    const m = /((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m?.[1]) continue;
    const f = m[1].startsWith("file://") ? new URL(m[1]).pathname : m[1];
    if (path.resolve(f) === path.resolve(file)) return { file: base, line: Number(m[2]), column: Number(m[3]) };
  }
  // esbuild syntax errors: "<file>:<line>:<col>: ERROR: ..."
  const text = err instanceof Error ? err.message : String(err);
  const m = new RegExp(`${escape(base)}:(\\d+):(\\d+)`).exec(text);
  if (m) return { file: base, line: Number(m[1]), column: Number(m[2]) };
  return { file: base, line: 1, column: 1 };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split("\n").find((l) => l.trim() !== "") ?? text).replace(/^Transform failed with \d+ errors?:\s*/, "").trim();
}

export async function loadModelFile(file: string): Promise<Loaded> {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  const fail = (code: string, message: string, loc: Loc = { file: base, line: 1, column: 1 }): Loaded => ({ ok: false, diagnostics: [{ code, message, loc }] });
  if (!existsSync(abs)) return fail("FL001", `model file '${file}' does not exist`);
  if (!/\.(ts|mts|cts|js|mjs)$/.test(abs)) return fail("FL002", `'${file}' is not a TypeScript model file (expected .ts)`);
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as Record<string, unknown>;
  } catch (err) {
    const syntax = err instanceof Error && /Transform failed|Expected|Unexpected|SyntaxError/.test(`${err.name} ${err.message}`);
    return fail(
      syntax ? "FL003" : "FL004",
      syntax ? `cannot parse the model file: ${firstLine(err)}` : `the model file threw while building the model: ${firstLine(err)}`,
      locIn(err, abs),
    );
  }
  const found = Object.entries(mod).filter(([k, v]) => isModelDef(v) && k !== "module.exports");
  // `export default` also shows up as `default` on a CommonJS-style namespace: count each model once.
  const unique = [...new Map(found.map(([k, v]) => [v, k])).entries()];
  if (unique.length === 0) {
    return fail("FL005", `'${base}' exports no model; write \`export default model("name", (m) => { ... })\``);
  }
  if (unique.length > 1) {
    const names = unique.map(([v, k]) => `${k} ('${(v as ModelDef).ir.name}')`).join(", ");
    return fail("FL006", `'${base}' exports ${unique.length} models (${names}); export exactly one model per file`);
  }
  const def = unique[0]?.[0] as ModelDef;
  return { ok: true, def, file: abs };
}

/** Loads a model file and compiles it, the spec header naming the file: diagnostics from either step. */
export async function compileFile(file: string, options: CompileOptions = {}): Promise<Compiled> {
  const loaded = await loadModelFile(file);
  return loaded.ok ? compile(loaded.def, { source: path.basename(file), ...options }) : { ok: false, diagnostics: loaded.diagnostics };
}
