// The files a command writes on request (--itf, --report, gen --out): checked
// before anything runs, so that no output ever replaces the model or a file it
// imports, and written aside then renamed, so that none is ever half a file.
// An output a run could not make is removed when it is an older one of ours,
// so that it never looks current.

import { readFile, rm, stat } from "node:fs/promises";
import path from "node:path";

export type OutputKind = "itf" | "report";

/** Why `file` cannot be an output of this command, or undefined when it can. `models`: the model files; `inputs`: every file they import. */
export async function outputProblem(flag: string, file: string, models: readonly string[], inputs: readonly string[] = []): Promise<string | undefined> {
  const abs = path.resolve(file);
  const st = await stat(abs).catch(() => undefined);
  if (st?.isDirectory()) return `${flag} '${file}' is a directory; name a file to write`;
  const dir = path.dirname(abs);
  const parent = await stat(dir).catch(() => undefined);
  if (!parent) return `${flag} '${file}': the directory '${path.dirname(file)}' does not exist; create it first`;
  if (!parent.isDirectory()) return `${flag} '${file}': '${path.dirname(file)}' is not a directory`;
  const isModel = new Set(models.map((m) => path.resolve(m)));
  for (const input of new Set([...isModel, ...inputs.map((i) => path.resolve(i))])) {
    const same = input === abs || (st !== undefined && (await stat(input).then((i) => i.dev === st.dev && i.ino === st.ino, () => false)));
    if (same) return `${flag} '${file}' is ${isModel.has(input) ? "the model file" : "a file the model imports"}; writing it would destroy it: name another file`;
  }
  return undefined;
}

/** `gen --out <dir>`: a directory, or a path where one can be made. */
export async function outDirProblem(dir: string): Promise<string | undefined> {
  const st = await stat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) return `--out '${dir}' is a file, not a directory; name a directory to write the spec into`;
  return undefined;
}

/** Whether an existing file is one faultline wrote as this kind of output. */
async function looksOurs(kind: OutputKind, file: string): Promise<boolean> {
  const head = await readFile(file, "utf8").then((t) => t.slice(0, 4096), () => "");
  return kind === "itf" ? /^\s*\{\s*"#meta"\s*:/.test(head) : head.startsWith("<!doctype html>") && head.includes("<title>faultline: ");
}

/**
 * Nothing was written to `file` this run: an older output of ours there is
 * removed (it would look current). Returns the line that tells the user.
 */
export async function noOutput(kind: OutputKind, flag: string, file: string, why: string): Promise<string> {
  const exists = await stat(file).then((s) => s.isFile(), () => false);
  if (!exists) return `${flag}: nothing written to '${file}': ${why}`;
  if (await looksOurs(kind, file)) {
    await rm(file, { force: true });
    return `${flag}: nothing written to '${file}': ${why}; the older '${file}' was removed`;
  }
  return `${flag}: nothing written to '${file}': ${why}; the file already there is not current`;
}
