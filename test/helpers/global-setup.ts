// vitest globalSetup (vitest.config.ts), once per run before any test file starts:
//
// - The class-data sharing archive the checks map (the one `npm ci`'s postinstall
//   makes when faultline is built). Without it the first check of each test
//   worker pays for listing and dumping TLC's classes, and two workers starting
//   at once both do. Best effort, as in faultline itself: no archive (an old java,
//   a read-only cache) just means slower JVM starts. test/tlc/cds.test.ts tests
//   making archives, each in a cache dir of its own.
//
// - The `faultline` command the CLI tests run (helpers/cli.ts): src/ compiled file
//   by file with esbuild, as tsx compiles it, but once, instead of in every one of
//   the hundred-odd `faultline` processes the tests start (tsx's loader costs about
//   0.5 s of CPU a process). The same code: a module for each source file, no
//   bundling, no type check; beside it links to what faultline finds relative to
//   itself (templates/, package.json, src/tlc/pinned.json, node_modules, dist/).
import { mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";
import { ensureCdsArchive } from "../../src/tlc/run.js";
import { toolchain } from "./toolchain.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** the compiled src/cli/main.ts (main.js) for the CLI tests */
    faultlineMain: string;
  }
}

const root = path.resolve(import.meta.dirname, "../..");

async function compileCli(): Promise<{ main: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "faultline-test-cli-"));
  const src = path.join(root, "src");
  const entries = (await readdir(src, { recursive: true })).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")).map((f) => path.join(src, f));
  try {
    // lib/ stands where src/ (and dist/) stand, one level below the package root.
    await build({ entryPoints: entries, outdir: path.join(dir, "lib"), outbase: src, format: "esm", platform: "node", target: "node20", sourcemap: "inline", logLevel: "silent" });
    for (const name of ["templates", "package.json", "node_modules", "src", "dist"]) await symlink(path.join(root, name), path.join(dir, name));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { main: path.join(dir, "lib", "cli", "main.js"), dir };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Source esbuild cannot compile: the CLI tests run it with tsx, and fail there, by test.
  const cli = await compileCli().catch((err: unknown) => {
    console.warn(`global-setup: src/ did not compile, the CLI tests run it with tsx: ${String(err)}`);
    return undefined;
  });
  if (cli) project.provide("faultlineMain", cli.main);
  let tc;
  try {
    tc = await toolchain();
  } catch {
    tc = undefined; // no TLC: the tests that need it fail and say why
  }
  if (tc) await ensureCdsArchive(tc).catch(() => undefined);
  return async () => {
    if (cli) await rm(cli.dir, { recursive: true, force: true });
  };
}
