// Files faultline makes for itself: temporary directories that say who owns
// them (so a later run can remove what a killed run left, and never one still
// in use), directories made one level at a time, and outputs written aside and
// renamed into place.

import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";

/** Inside each of our temporary directories: "<pid> <start time> <host>". */
export const OWNER_FILE = ".faultline-owner";
/** Our temporary directories are named `faultline-*` (a TLC run) and `faultline-model-*` (a model being loaded). */
const OURS = /^faultline-/;

/** The start time of a process in clock ticks since boot (/proc/<pid>/stat field 22); undefined off Linux. */
function startTime(pid: number | "self"): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (the command) is in parentheses and may hold spaces: count from the last ")".
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

let ownerLine: string | undefined;
function owner(): string {
  ownerLine ??= `${process.pid} ${startTime("self") ?? "-"} ${hostname()}\n`;
  return ownerLine;
}

/** Whether the process an owner file names is still running (the same process, not a later one with its pid). */
function ownerAlive(line: string): boolean {
  const [pidText, start, host] = line.trim().split(" ");
  const pid = Number(pidText);
  // Another machine sharing this directory, or a file we cannot read: assume in use.
  if (!Number.isInteger(pid) || pid <= 0 || host !== hostname()) return true;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
  const now = startTime(pid);
  return start === "-" || now === undefined || now === start;
}

const swept = new Map<string, Promise<void>>();

/**
 * Removes the temporary directories under `root` that a faultline process
 * left when it was killed (SIGKILL, the OOM killer): only ours (named
 * faultline-*, with an owner file) whose owner is no longer running. Once per
 * root per process; best effort.
 */
export function sweepStale(root: string): Promise<void> {
  let p = swept.get(root);
  if (!p) {
    p = (async () => {
      const names = await readdir(root).catch(() => [] as string[]);
      for (const name of names.filter((n) => OURS.test(n))) {
        const dir = path.join(root, name);
        const line = await readFile(path.join(dir, OWNER_FILE), "utf8").catch(() => undefined);
        if (line !== undefined && !ownerAlive(line)) await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      }
    })();
    swept.set(root, p);
  }
  return p;
}

/** A fresh `<root>/<prefix>XXXXXX` with our owner file in it; first removes what killed runs left under `root`. */
export async function makeTempDir(root: string, prefix: string): Promise<string> {
  await sweepStale(root);
  const dir = await mkdtemp(path.join(root, prefix));
  try {
    await writeFile(path.join(dir, OWNER_FILE), owner());
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir spins forever on
 * some paths (under /proc), where this fails with the error of the first level
 * that cannot be made.
 */
export async function mkdirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    try {
      if (!(await stat(at)).isDirectory()) throw Object.assign(new Error(`not a directory: ${at}`), { code: "ENOTDIR" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    missing.push(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    await mkdir(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  }
}

/** Writes `file` through a temporary file beside it and a rename: a reader never sees half of it. */
export async function writeAside(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
