// `faultline watch <models...>`: checks each model, then again whenever the model
// file or a file it imports (relative imports, as the loader bundles them) changes:
// the verdict and the report each time. Errors (a model that does not load, TLC
// failing) are printed and watching goes on. A change during a check stops that
// check's TLC and starts over; Ctrl-C stops every TLC and exits.

import { type FSWatcher, watch as fsWatch } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { formatDiagnostic } from "../ir/diagnostics.js";
import { loadModelFile } from "../load.js";
import { locateToolchain } from "../tlc/locate.js";
import { colourWanted, formatResult, makeStyle } from "./print.js";

/** The files a model's bundle is made of: the model and its relative imports (not packages). */
export async function modelInputs(file: string): Promise<string[]> {
  const abs = path.resolve(file);
  const { build } = await import("esbuild");
  try {
    const out = await build({ entryPoints: [abs], bundle: true, write: false, metafile: true, platform: "node", format: "esm", packages: "external", logLevel: "silent", absWorkingDir: path.dirname(abs) });
    const inputs = Object.keys(out.metafile.inputs).map((f) => path.resolve(path.dirname(abs), f));
    return [...new Set([abs, ...inputs])];
  } catch {
    return [abs]; // it does not build: the check says why; the file itself is still watched
  }
}

const DEBOUNCE_MS = 200;

interface Watched {
  readonly file: string;
  inputs: string[];
  running?: { controller: AbortController; done: Promise<void> };
  again: boolean;
  timer?: NodeJS.Timeout;
}

export async function watchCommand(files: string[], opts: { full?: boolean; quiet?: boolean }): Promise<number> {
  const st = makeStyle(colourWanted(process.stdout, process.env));
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  const toolchain = locateToolchain();
  toolchain.catch(() => undefined); // each check reports it
  const models: Watched[] = files.map((f) => ({ file: path.resolve(f), inputs: [path.resolve(f)], again: false }));
  const watchers = new Map<string, FSWatcher>();
  let stopping = false;

  const stamp = () => new Date().toTimeString().slice(0, 8);

  const run = async (m: Watched, why: string): Promise<void> => {
    const controller = new AbortController();
    let finish!: () => void;
    m.running = { controller, done: new Promise((r) => (finish = r)) };
    try {
      process.stdout.write(`${st.dim(`[${stamp()}] ${why}: checking ${rel(m.file)}`)}\n`);
      const [loaded, inputs] = await Promise.all([loadModelFile(m.file), modelInputs(m.file)]);
      m.inputs = inputs;
      refreshWatchers();
      if (controller.signal.aborted) return;
      if (!loaded.ok) {
        process.stdout.write(`${st.bold(rel(m.file))}: ${st.red("invalid model")}\n${loaded.diagnostics.map((d) => `  ${formatDiagnostic(d)}\n`).join("")}\n`);
        return;
      }
      const { check } = await import("../check.js");
      const r = await check(loaded.def, { toolchain, signal: controller.signal });
      if (controller.signal.aborted) return;
      process.stdout.write(`${formatResult(r, rel(m.file), st, { quiet: opts.quiet === true, full: opts.full === true })}\n\n`);
    } catch (err) {
      if (!controller.signal.aborted) process.stdout.write(`${rel(m.file)}: ${st.red("error")}: ${err instanceof Error ? err.message : String(err)}\n\n`);
    } finally {
      m.running = undefined;
      finish();
      if (m.again && !stopping) {
        m.again = false;
        void run(m, "changed");
      }
    }
  };

  const changed = (m: Watched) => {
    clearTimeout(m.timer);
    m.timer = setTimeout(() => {
      if (stopping) return;
      if (m.running) {
        // Stop the stale check; the new one starts when its TLC is gone.
        m.again = true;
        m.running.controller.abort(new Error("changed"));
      } else void run(m, "changed");
    }, DEBOUNCE_MS);
  };

  // One watcher per directory (editors replace files by renaming, which a file watcher loses).
  const refreshWatchers = () => {
    const dirs = new Set(models.flatMap((m) => m.inputs.map((f) => path.dirname(f))));
    for (const [dir, w] of watchers) {
      if (!dirs.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir) || stopping) continue;
      try {
        const w = fsWatch(dir, (_event, name) => {
          if (name === null) return;
          const full = path.join(dir, name.toString());
          for (const m of models) if (m.inputs.includes(full)) changed(m);
        });
        w.on("error", () => undefined);
        watchers.set(dir, w);
      } catch {
        // a directory that went away: its files are watched again once it is back and the model rechecked
      }
    }
  };

  refreshWatchers();
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const w of watchers.values()) w.close();
      for (const m of models) {
        clearTimeout(m.timer);
        m.running?.controller.abort(new Error("interrupted"));
      }
      void Promise.all(models.map((m) => m.running?.done)).then(() => resolve());
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  process.stderr.write(`watching ${files.length} model${files.length === 1 ? "" : "s"} and their imports; Ctrl-C to stop\n`);
  for (const m of models) void run(m, "start");
  await stopped;
  process.stderr.write("stopped watching; every TLC was stopped\n");
  return 0;
}

export function addWatchCommand(program: Command, done: (code: number) => void): void {
  program
    .command("watch")
    .description("check models again whenever they or a file they import change (Ctrl-C to stop)")
    .argument("<models...>", "model files (.ts)")
    .option("-q, --quiet", "print only the verdict and summary")
    .option("--full", "show every thread's steps and the whole state after each step")
    .action(async (files: string[], opts: { full?: boolean; quiet?: boolean }) => {
      done(await watchCommand(files, opts));
    });
}
