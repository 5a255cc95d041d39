// Loads a user's TypeScript model file and finds the one model it exports. Every
// failure becomes a located diagnostic, never a stack trace.
//
// The file and its relative imports are bundled in-process by esbuild into one
// ES module, which Node imports from a temporary file (Node 20 maps no stack
// frames of data: URL modules), removed at once; bare imports (faultline itself,
// any package the model uses) stay imports, resolved from the model's directory
// as Node would. A source map with absolute sources goes with it and Node's
// source maps are switched on, so stack frames, and with them every location
// the DSL records, name the model's own TypeScript lines. This replaces a loader
// hook on a worker thread (tsx), which cost ~0.25 s of start-up per command.

import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Message, Plugin } from "esbuild";
import { type CompileOptions, type Compiled, compile } from "./check.js";
import { stackFrames } from "./dsl/loc.js";
import { type ModelDef, isModelDef } from "./dsl/model.js";
import { suggestMethod } from "./dsl/suggest.js";
import type { Diagnostic } from "./ir/diagnostics.js";
import type { Loc } from "./ir/types.js";

export type Loaded = { readonly ok: true; readonly def: ModelDef; readonly file: string } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The model file's line named in an error's stack, if any. */
function locIn(err: unknown, file: string): Loc {
  const stack = err instanceof Error ? (err.stack ?? "") : "";
  const base = path.basename(file);
  for (const f of stackFrames(stack)) {
    if (path.resolve(f.file) === path.resolve(file)) return { file: base, line: f.line, column: f.column };
  }
  return { file: base, line: 1, column: 1 };
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split("\n").find((l) => l.trim() !== "") ?? text).trim();
}

/** Where faultline itself is, for models outside any project that installs it (a global install). */
const ownRequire = createRequire(import.meta.url);

/**
 * A bare import resolved from the importing file's directory, as Node would, and
 * kept an import. `faultline` falls back to the running faultline. A package that
 * cannot be found is an error at the import's line.
 */
const bareImports: Plugin = {
  name: "faultline-bare-imports",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path) || args.importer === "") return { path: args.path, external: true };
      const req = createRequire(args.importer);
      const resolved = tryResolve(req, args.path) ?? (/^faultline(\/|$)/.test(args.path) ? tryResolve(ownRequire, args.path) : undefined);
      if (resolved) return { path: pathToFileURL(resolved).href, external: true };
      // An installed ESM-only package (no "require" export) is left for Node to resolve.
      const pkg = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : (args.path.split("/")[0] ?? args.path);
      if (tryResolve(req, `${pkg}/package.json`)) return { path: args.path, external: true };
      return { errors: [{ text: `cannot find package '${pkg}' from ${path.basename(args.importer)}; install it in the model's project (npm install ${pkg})` }] };
    });
  },
};

function tryResolve(req: NodeJS.Require, spec: string): string | undefined {
  try {
    return req.resolve(spec);
  } catch {
    return undefined;
  }
}

const loaders = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx" } as const;

/**
 * Each bundled file keeps its own `import.meta.url` (and `dirname`, `filename`), as
 * if Node had loaded it from where it is: code that finds files next to itself
 * (faultline's own src/tlc/pinned.ts, when a model imports faultline's sources)
 * still finds them.
 */
const ownImportMeta: Plugin = {
  name: "faultline-own-import-meta",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const meta: Record<string, string> = { url: pathToFileURL(args.path).href, dirname: path.dirname(args.path), filename: args.path };
      const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, k: string) => JSON.stringify(meta[k]));
      return { contents, loader: loaders[path.extname(args.path) as keyof typeof loaders] ?? "ts" };
    });
  },
};

type Bundled = { readonly ok: true; readonly code: string } | { readonly ok: false; readonly error: Message };

/** The model file and its relative imports as one ES module, with an inline source map naming the real files. */
async function bundle(abs: string): Promise<Bundled> {
  const { build } = await import("esbuild");
  const dir = path.dirname(abs);
  let out;
  try {
    out = await build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "external",
      outfile: path.join(dir, "faultline-model.mjs"),
      logLevel: "silent",
      plugins: [bareImports, ownImportMeta],
    });
  } catch (err) {
    const error = (err as { errors?: Message[] }).errors?.[0];
    if (error) return { ok: false, error };
    throw err;
  }
  const js = out.outputFiles.find((f) => f.path.endsWith(".mjs"))?.text ?? "";
  const map = JSON.parse(out.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "{}") as { sources?: string[] };
  // Absolute paths, not file URLs: Node and vitest's module runner both resolve them as they are.
  map.sources = (map.sources ?? []).map((s) => path.resolve(dir, s));
  const code = `${js.replace(/\/\/# sourceMappingURL=\S*\s*$/, "")}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
  return { ok: true, code };
}

/** Imports a bundle through a temporary file, removed once Node has read it. */
async function importBundle(code: string): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(path.join(tmpdir(), "faultline-model-"));
  try {
    const file = path.join(dir, "model.mjs");
    await writeFile(file, code);
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function loadModelFile(file: string): Promise<Loaded> {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  const fail = (code: string, message: string, loc: Loc = { file: base, line: 1, column: 1 }): Loaded => ({ ok: false, diagnostics: [{ code, message, loc }] });
  if (!existsSync(abs)) return fail("FL001", `model file '${file}' does not exist`);
  if (!/\.(ts|mts|cts|js|mjs)$/.test(abs)) return fail("FL002", `'${file}' is not a TypeScript model file (expected .ts)`);
  const bundled = await bundle(abs);
  if (!bundled.ok) {
    const { text, location } = bundled.error;
    const loc = location ? { file: path.relative(path.dirname(abs), path.resolve(location.file)).split(path.sep).join("/"), line: location.line, column: location.column + 1 } : undefined;
    const missing = /^Could not resolve|^cannot find package/.test(text);
    return fail(missing ? "FL007" : "FL003", missing ? `cannot import: ${text}` : `cannot parse the model file: ${text}`, loc);
  }
  // Node maps stack frames of modules loaded from now on through their source maps.
  process.setSourceMapsEnabled(true);
  let mod: Record<string, unknown>;
  try {
    mod = await importBundle(bundled.code);
  } catch (err) {
    const hint = err instanceof TypeError ? suggestMethod(firstLine(err)) : undefined;
    return fail("FL004", `the model file threw while building the model: ${firstLine(err)}${hint ? `; ${hint}` : ""}`, locIn(err, abs));
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
