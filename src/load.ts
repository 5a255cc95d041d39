// Loads a user's TypeScript model file and finds the one model it exports. Every
// failure becomes a located diagnostic, never a stack trace.
//
// The file and its relative imports are bundled in-process by esbuild into one
// ES module, which Node imports from a temporary file (Node 20 maps no stack
// frames of data: URL modules), removed once loaded; bare imports (faultline
// itself, any package the model uses) stay imports, resolved from the model's
// directory as Node would. A source map with absolute sources goes with it and
// Node's source maps are switched on, so stack frames, and with them every
// location the DSL records, name the model's own TypeScript lines.
//
// The model's code is the user's: it runs on a worker thread (isolate.ts), never
// on the thread that handles signals and output, and only its IR (plain data)
// comes back.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Message, Plugin } from "esbuild";
import type { CompileOptions, Compiled } from "./check.js";
import { stackFrames } from "./dsl/loc.js";
import type { ModelDef } from "./dsl/model.js";
import { suggestMethod } from "./dsl/suggest.js";
import { startModelRunner } from "./isolate.js";
import type { Diagnostic } from "./ir/diagnostics.js";
import type { Loc } from "./ir/types.js";

export type Loaded =
  /** `inputs`: the model file and every file it imports (absolute), which no output may overwrite */
  | { readonly ok: true; readonly def: ModelDef; readonly file: string; readonly inputs: readonly string[] }
  /** `environment`: the machine, not the model, failed (a missing TMPDIR): exit 3, no diagnostics */
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly environment?: { readonly message: string; readonly hint: string } };

/**
 * The first line of the model file, or of a file it imports, that a stack names
 * (relative to the model's directory); else the model file's first line.
 */
function locIn(stack: string, file: string, inputs: readonly string[]): Loc {
  const dir = path.dirname(file);
  const ours = new Set(inputs.map((f) => path.resolve(f)));
  ours.add(path.resolve(file));
  for (const f of stackFrames(stack)) {
    if (ours.has(path.resolve(f.file))) return { file: path.relative(dir, f.file).split(path.sep).join("/"), line: f.line, column: f.column };
  }
  return { file: path.basename(file), line: 1, column: 1 };
}

function firstLine(text: string): string {
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
      if (resolved && args.path === "faultline") faultlineEntries.add(pathToFileURL(resolved).href);
      if (resolved) return { path: pathToFileURL(resolved).href, external: true };
      // An installed ESM-only package (no "require" export) is left for Node to resolve.
      const pkg = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : (args.path.split("/")[0] ?? args.path);
      if (tryResolve(req, `${pkg}/package.json`)) return { path: args.path, external: true };
      return { errors: [{ text: `cannot find package '${pkg}' from ${path.basename(args.importer)}; install it in the model's project (npm install ${pkg})` }] };
    });
  },
};

/** The URLs "faultline" resolved to in the bundles made so far. */
const faultlineEntries = new Set<string>();

/** What src/model-entry.ts exports: the DSL a model file uses. */
const DSL_NAMES = new Set(["model", "isModelDef", "and", "or", "not", "implies", "eq", "ne", "lt", "le", "gt", "ge", "plus", "minus", "FAULT_FLAG_WRITE", "FAULT_FLAG_ALLOW_RETRY", "FAULT_FLAG_TRIED"]);

/**
 * Points the bundle's imports of faultline's index at model-entry.js, beside it,
 * when every one of them is `import { <DSL names> } from ...`: the worker then
 * loads the DSL alone. Any other use (check, compile, `import *`) keeps the index.
 */
function lightImports(code: string): string {
  let out = code;
  for (const url of faultlineEntries) {
    const light = url.replace(/\/index\.(js|ts)$/, "/model-entry.$1");
    if (light === url || !existsSync(fileURLToPath(light))) continue;
    const quoted = JSON.stringify(url);
    const uses = out.split(quoted).length - 1;
    if (uses === 0) continue;
    const named = [...out.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*${quoted.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`, "g"))];
    const names = named.flatMap((m) => (m[1] ?? "").split(",").map((n) => n.trim().split(/\s+as\s+/)[0]?.trim() ?? "").filter((n) => n !== ""));
    if (named.length === uses && names.every((n) => DSL_NAMES.has(n))) out = out.split(quoted).join(JSON.stringify(light));
  }
  return out;
}

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

type Bundled = { readonly ok: true; readonly code: string; readonly inputs: readonly string[] } | { readonly ok: false; readonly error: Message };

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
      metafile: true,
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
  const inputs = Object.keys(out.metafile?.inputs ?? {}).map((f) => path.resolve(f));
  return { ok: true, code: lightImports(code), inputs };
}

export interface LoadOptions {
  /** Stops the model's code at once (Ctrl-C); the result is then an FL009 diagnostic. */
  readonly signal?: AbortSignal;
  /** How long the model's code may run (default: FAULTLINE_LOAD_TIMEOUT seconds, else 30 s). */
  readonly budgetMs?: number;
  /** Where the model's own output goes, line by line (default: stderr, each line labelled with the file). */
  readonly output?: (line: string) => void;
}

export async function loadModelFile(file: string, options: LoadOptions = {}): Promise<Loaded> {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  const fail = (code: string, message: string, loc: Loc = { file: base, line: 1, column: 1 }): Loaded => ({ ok: false, diagnostics: [{ code, message, loc }] });
  if (!existsSync(abs)) return fail("FL001", `model file '${file}' does not exist`);
  if (!/\.(ts|mts|cts|js|mjs)$/.test(abs)) return fail("FL002", `'${file}' is not a TypeScript model file (expected .ts)`);
  // The worker starts while esbuild bundles.
  const runner = startModelRunner();
  let bundled: Bundled;
  try {
    bundled = await bundle(abs);
  } catch (err) {
    runner.cancel();
    throw err;
  }
  if (!bundled.ok) {
    runner.cancel();
    const { text, location } = bundled.error;
    const loc = location ? { file: path.relative(path.dirname(abs), path.resolve(location.file)).split(path.sep).join("/"), line: location.line, column: location.column + 1 } : undefined;
    const missing = /^Could not resolve|^cannot find package/.test(text);
    return fail(missing ? "FL007" : "FL003", missing ? `cannot import: ${text}` : `cannot parse the model file: ${text}`, loc);
  }
  const budgetMs = options.budgetMs ?? loadBudgetMs(process.env);
  const run = await runner.run(bundled.code, {
    budgetMs,
    ...(options.signal && { signal: options.signal }),
    output: options.output ?? ((line) => process.stderr.write(`[${base}] ${line}\n`)),
  });
  const locOf = (stack: string): Loc => locIn(stack, abs, bundled.inputs);
  switch (run.kind) {
    case "environment":
      return { ok: false, diagnostics: [], environment: { message: `cannot load '${file}': ${run.message}`, hint: "set TMPDIR to an existing directory you can write to" } };
    case "threw": {
      // `m.thread is not a function`: say where the method is, or the nearest one.
      const hint = suggestMethod(firstLine(run.message));
      return fail("FL004", `the model file threw while building the model: ${firstLine(run.message)}${hint ? `; ${hint}` : ""}`, locOf(run.stack));
    }
    case "uncaught":
      return fail("FL004", `the model file threw ${run.where}: ${firstLine(run.message)}`, locOf(run.stack));
    case "exit":
      return fail("FL008", `the model file ended the process (${run.how}) while loading; a model must not exit: export the model and let faultline decide`, locOf(run.stack));
    case "budget":
      return fail("FL009", `the model file did not finish loading within ${budgetMs / 1000} s (a loop that never ends?); FAULTLINE_LOAD_TIMEOUT=<seconds> allows more`);
    case "interrupted":
      return fail("FL009", "loading the model file was interrupted");
    case "too-deep":
      return fail("FL321", "the model is nested too deeply to be checked (an expression or statement inside more than 1000 others); build it flatter", run.loc ?? { file: base, line: 1, column: 1 });
    case "loaded":
      break;
    default:
      return unreachable(run);
  }
  const models = run.models;
  if (models.length === 0) {
    return fail("FL005", `'${base}' exports no model; write \`export default model("name", (m) => { ... })\``);
  }
  if (models.length > 1) {
    const names = models.map((m) => `${m.key} ('${m.name}')`).join(", ");
    return fail("FL006", `'${base}' exports ${models.length} models (${names}); export exactly one model per file`);
  }
  const m = models[0] as (typeof models)[number];
  const def: ModelDef = { kind: "faultline-model", ir: m.ir, diagnostics: m.diagnostics };
  return { ok: true, def, file: abs, inputs: bundled.inputs };
}

/** FAULTLINE_LOAD_TIMEOUT (seconds) or 30 s. */
function loadBudgetMs(env: NodeJS.ProcessEnv): number {
  const s = Number(env["FAULTLINE_LOAD_TIMEOUT"]);
  return Number.isFinite(s) && s > 0 ? Math.min(s * 1000, 2 ** 31 - 1) : 30_000;
}

function unreachable(x: never): never {
  throw new Error(`internal: unexpected ${JSON.stringify(x)}`);
}

/** Loads a model file and compiles it, the spec header naming the file: diagnostics from either step. */
export async function compileFile(file: string, options: CompileOptions = {}): Promise<Compiled> {
  const loaded = await loadModelFile(file);
  if (!loaded.ok && loaded.environment) throw new Error(`${loaded.environment.message} (${loaded.environment.hint})`);
  if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics };
  const { compile } = await import("./check.js");
  return compile(loaded.def, { source: path.basename(file), ...options });
}
