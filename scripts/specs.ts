// Keeps the generated specs under specs/ current: `gen` rewrites every
// <module>.tla/.cfg beside its model, `check` fails when any is stale.
// Model files are specs/**/*.ts; files starting with `_` are shared helpers.

import { readFile, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { compile, specFiles } from "../src/check.js";
import { analyse, depTableText } from "../src/deps/index.js";
import { formatDiagnostic } from "../src/ir/diagnostics.js";
import { loadModelFile } from "../src/load.js";

const root = path.resolve(import.meta.dirname, "..", "specs");

export async function modelFiles(dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await modelFiles(p)));
    else if (e.name.endsWith(".ts") && !e.name.startsWith("_")) out.push(p);
  }
  return out.sort();
}

/**
 * Loads the model files a few at a time (each load bundles with esbuild and runs
 * the model in a worker, mostly waiting): the results in the files' order.
 */
async function loadAll(files: readonly string[]): Promise<Awaited<ReturnType<typeof loadModelFile>>[]> {
  const out: Awaited<ReturnType<typeof loadModelFile>>[] = new Array(files.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < files.length; i = next++) out[i] = await loadModelFile(files[i] as string);
  };
  await Promise.all(Array.from({ length: Math.min(files.length, Math.max(2, os.availableParallelism())) }, lane));
  return out;
}

async function main(mode: string): Promise<number> {
  let stale = 0;
  const files = await modelFiles();
  const loads = await loadAll(files);
  for (const [i, file] of files.entries()) {
    const rel = path.relative(process.cwd(), file);
    const loaded = loads[i] as (typeof loads)[number];
    const c = loaded.ok ? compile(loaded.def, { source: path.basename(file) }) : { ok: false as const, diagnostics: loaded.diagnostics };
    if (!c.ok) {
      console.error(`${rel}: invalid model\n${c.diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`);
      return 2;
    }
    // The lock dependency table of every model is part of its golden output.
    const deps = depTableText(loaded.ok ? loaded.def.ir.name : "", analyse(loaded.ok ? loaded.def.ir : (undefined as never), c.program).deps);
    for (const [name, text] of [...specFiles(c.spec), [`${c.spec.module}.deps.txt`, deps] as [string, string]]) {
      const out = path.join(path.dirname(file), name);
      const old = await readFile(out, "utf8").catch(() => undefined);
      if (old === text) continue;
      if (mode === "gen") {
        await writeFile(out, text);
        console.log(`wrote ${path.relative(process.cwd(), out)}`);
      } else {
        console.error(`${path.relative(process.cwd(), out)} is stale: run npm run specs:gen`);
        stale++;
      }
    }
  }
  return stale > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const mode = process.argv[2] ?? "check";
  main(mode).then((code) => {
    process.exitCode = code;
  });
}
