// Symmetry without trying every permutation (issue 18). TLC's SYMMETRY reduction
// fingerprints each state under every permutation of the symmetry set: 72 for
// groups of 3, 3 and 2 threads, and at family 2's K3 F3 W2 L1 that was most of
// the exploration. faultline's own runs give TLC a VIEW instead, the state up to
// those permutations computed by a small Java class (canon/Canon.java, a TLC
// operator override) from one permutation or a few. The spec stays as
// generated (its SYMMETRY is what a reviewer or a bare TLC run uses); the run
// wraps it:
//
//   ---- MODULE FaultlineRun ----
//   EXTENDS <spec>, FaultlineCanon
//   FaultlineView == CanonView(vars, pc, SymmetryGroups)
//
// with the .cfg's `SYMMETRY Symmetry` line turned into `VIEW FaultlineView`.
// The class is compiled once per (source, jar, java) into faultline's cache
// dir with the javac beside the java that runs TLC, together with
// canon/Launch.java, the main class of every local run (run.ts): it readies
// two JDK subsystems TLC is about to set up while TLC parses the spec. Without
// the classes (a JRE only, FAULTLINE_NO_CANON=1, a cache dir TLC's class path
// cannot name) a run keeps SYMMETRY and tlc2.TLC: the same states, found more
// slowly.
import { createHash } from "node:crypto";
import { readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mkdirs } from "../files.js";
import { type Toolchain, cacheDir, isFile, jarNote, jarNoteHolds, realJava } from "./locate.js";
import { runProcess } from "./spawn.js";

/** The classes' sources, shipped with the package (package.json "files"). */
const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "tlc", "canon");
const SOURCES = ["Canon.java", "Launch.java"].map((f) => join(SOURCE_DIR, f));
/** What javac makes of them, relative to the class dir: all there, or the dir is not used. */
const CLASS_FILES = [join("faultline", "Canon.class"), join("faultline", "Launch.class")];
/** The override TLC loads: -Dtlc2.overrides.TLCOverrides names it. */
const CLASS_NAME = "faultline.Canon";
/** The main class of a local run with the classes: tlc2.TLC.main after readying what it needs (Launch.java). */
export const LAUNCH_CLASS = "faultline.Launch";
/** The module whose operator the class overrides, and the run's root module. */
export const CANON_MODULE = "FaultlineCanon";
export const RUN_MODULE = "FaultlineRun";
/** javac takes a second or two, once; past this it is abandoned (SYMMETRY, no harm). */
const COMPILE_TIMEOUT_MS = 120_000;

/**
 * The TLA+ side. Without the class TLC would evaluate this definition: the state
 * itself, that is no reduction at all (never a wrong one).
 */
const CANON_TLA = `---- MODULE ${CANON_MODULE} ----
\\* CanonView(vs, at, gs): the state vs (the tuple of all variables) up to the
\\* permutations of each group's threads (gs: a tuple of tuples of model values;
\\* at: the threads' pcs). TLC computes it with faultline's Java class
\\* faultline.Canon (src/tlc/canon/Canon.java); this definition, the state
\\* itself, is what TLC would use without it: no reduction, never a wrong one.
CanonView(vs, at, gs) == vs
====
`;

/** What a run writes and passes to TLC to check `module` through the view. */
export interface CanonRun {
  /** the root module TLC checks */
  readonly module: string;
  /** files to write in the run dir: name -> text */
  readonly files: ReadonlyMap<string, string>;
  /** JVM options; the class dir (canonClasses) goes on TLC's class path after the jar */
  readonly jvmArgs: readonly string[];
}

export function canonEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const v = env["FAULTLINE_NO_CANON"];
  return v === undefined || v === "" || v === "0";
}

/**
 * Does this spec and cfg take the view? A generated spec with symmetry groups:
 * its cfg names `SYMMETRY Symmetry` and it defines SymmetryGroups.
 */
export function wantsCanon(spec: string, cfg: string, module: string): boolean {
  return /^SYMMETRY Symmetry$/m.test(cfg) && /^SymmetryGroups == /m.test(spec) && module !== CANON_MODULE && module !== RUN_MODULE;
}

/** The wrapper module and cfg for checking `module` (whose cfg is `cfg`) through the view. */
export function canonRun(module: string, cfg: string): CanonRun {
  const tla = `---- MODULE ${RUN_MODULE} ----
\\* faultline's run of ${module}: its states up to the symmetry of its thread groups,
\\* computed by faultline.Canon instead of TLC's SYMMETRY (src/tlc/canon.ts).
EXTENDS ${module}, ${CANON_MODULE}
FaultlineView == CanonView(vars, pc, SymmetryGroups)
====
`;
  const runCfg = cfg.replace(/^SYMMETRY Symmetry$/m, "VIEW FaultlineView");
  return {
    module: RUN_MODULE,
    files: new Map([
      [`${CANON_MODULE}.tla`, CANON_TLA],
      [`${RUN_MODULE}.tla`, tla],
      [`${RUN_MODULE}.cfg`, runCfg],
    ]),
    jvmArgs: [`-Dtlc2.overrides.TLCOverrides=${CLASS_NAME}`],
  };
}

/** Compilations under way in this process, by class dir: parallel checks share one. */
const compiling = new Map<string, Promise<string | undefined>>();
/** The sources' text, read once per process: it keys the class dir of every check. */
let sourceText: Promise<string[]> | undefined;

export interface CanonOptions {
  /** default: canonEnabled(process.env) */
  readonly enabled?: boolean;
  /** default: cacheDir(process.env) */
  readonly cacheDir?: string;
}

/**
 * The directory holding the compiled classes for this toolchain, compiling them
 * on first use; undefined when there are none to be had (then the run keeps
 * SYMMETRY and tlc2.TLC).
 */
export async function canonClasses(tc: Toolchain, opts: CanonOptions = {}): Promise<string | undefined> {
  if (!(opts.enabled ?? canonEnabled())) return undefined;
  try {
    const source = await (sourceText ??= Promise.all(SOURCES.map((f) => readFile(f, "utf8"))));
    const jar = await stat(tc.jar);
    const key = createHash("sha256")
      .update(JSON.stringify([source, tc.jar, jar.size, jar.mtimeMs, tc.java, tc.javaBuild ?? tc.javaVersion]))
      .digest("hex")
      .slice(0, 16);
    const dir = join(opts.cacheDir ?? cacheDir(), "canon", key);
    // TLC's class path is one string split at the path separator.
    if (dir.includes(delimiter) || tc.jar.includes(delimiter)) return undefined;
    if (await allClasses(dir)) return dir;
    if (await isFile(`${dir}.off`)) return undefined;
    const running = compiling.get(dir);
    if (running) return await running;
    const job = compile(tc, dir).finally(() => compiling.delete(dir));
    compiling.set(dir, job);
    return await job;
  } catch {
    return undefined;
  }
}

/** javac beside the java that runs TLC (a JDK's bin), or undefined (a JRE). */
async function javacFor(java: string): Promise<string | undefined> {
  const real = await realJava(java).catch(() => undefined);
  if (!real) return undefined;
  const javac = join(dirname(real), "javac");
  return (await isFile(javac)) ? javac : undefined;
}

async function compile(tc: Toolchain, dir: string): Promise<string | undefined> {
  const javac = await javacFor(tc.java);
  if (!javac) return undefined;
  await mkdirs(dirname(dir));
  const tmp = `${dir}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const res = await runProcess(javac, ["-nowarn", "-Xlint:-options", "--release", "11", "-cp", tc.jar, "-d", join(tmp, "classes"), ...SOURCES], {
      timeoutMs: COMPILE_TIMEOUT_MS,
      watchParent: true,
    });
    if (res.exitCode !== 0 || !(await allClasses(join(tmp, "classes")))) {
      // A javac that cannot build it now will not later: do not pay for it on every run.
      if (!res.timedOut && !res.isCanceled) await writeFile(`${dir}.off`, `javac could not compile faultline's Canon.java and Launch.java; delete this file to try again\n${res.all}`);
      return undefined;
    }
    await writeFile(join(tmp, "classes", JAR_NOTE), await jarNote(tc.jar));
    // Published by a rename: a concurrent check sees the whole dir or none.
    await rename(join(tmp, "classes"), dir).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await allClasses(dir))) throw err;
    });
    await pruneStale(dirname(dir), dir);
    return dir;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** In each class dir: the jar it was compiled against (locate.ts jarNote). */
const JAR_NOTE = "jar.json";

/**
 * Removes the other class dirs of `parent` that no run will use again (a few KB
 * each): compiled against a jar that is gone or changed since, or by a faultline
 * older than the note. Best effort.
 */
async function pruneStale(parent: string, keep: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const dir = join(parent, name);
    if (dir === keep || !/^[0-9a-f]{16}$/.test(name)) continue;
    if (!(await jarNoteHolds(join(dir, JAR_NOTE)))) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function allClasses(dir: string): Promise<boolean> {
  return (await Promise.all(CLASS_FILES.map((f) => isFile(join(dir, f))))).every(Boolean);
}
