// Finds the two things a TLC run needs: a java of version 11 or newer and the
// tla2tools.jar. Every failure is a ToolError that says what is wrong and what
// to do; an explicit setting (JAVA, JAVA_HOME, TLA2TOOLS_JAR) that points
// nowhere is an error, never a silent fall back to something else.
import { open, readFile, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { mkdirs, writeAside } from "../files.js";
import { PINNED } from "./pinned.js";
import { runProcess } from "./spawn.js";

export interface Toolchain {
  /** path (or bare command name resolved on PATH) of the java executable */
  java: string;
  /** major version, e.g. 17 */
  javaVersion: number;
  /** `java -version` as printed: tells builds apart (class-data sharing archives are per build) */
  javaBuild?: string;
  /** absolute path of tla2tools.jar */
  jar: string;
}

/** A missing or broken tool: `message` says what is wrong, `hint` what to do. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

type Env = Record<string, string | undefined>;

/** Oldest java TLC 1.8 runs on. */
const MIN_JAVA = 11;

const JAVA_HINT = "install Java 11 or newer (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME";
const FETCH_HINT =
  "set TLA2TOOLS_JAR=/path/to/tla2tools.jar, or run `npm run install-tlc` on a machine with internet access to fetch the pinned release";

export async function locateToolchain(env: Env = process.env): Promise<Toolchain> {
  const jar = await locateJar(env);
  const { java, javaVersion, javaBuild } = await locateJava(env);
  return { java, javaVersion, javaBuild, jar };
}

/**
 * Where install-tlc.mjs caches the jar: FAULTLINE_CACHE_DIR, else
 * $XDG_CACHE_HOME/faultline, else ~/.cache/faultline (same rule in the script).
 */
export function cacheDir(env: Env = process.env): string {
  if (env["FAULTLINE_CACHE_DIR"]) return env["FAULTLINE_CACHE_DIR"];
  const base = env["XDG_CACHE_HOME"] || join(env["HOME"] || homedir(), ".cache");
  return join(base, PINNED.cacheDirName);
}

export async function locateJar(env: Env = process.env): Promise<string> {
  const given = env["TLA2TOOLS_JAR"];
  if (given) {
    // TLC runs in its own temp dir, so a relative path must be made absolute here.
    const explicit = resolve(given);
    await checkJar(explicit, "TLA2TOOLS_JAR", "point TLA2TOOLS_JAR at a tla2tools.jar, or unset it to use the cached release");
    return explicit;
  }
  const cached = join(cacheDir(env), PINNED.jarFile);
  if (!(await isFile(cached))) {
    throw new ToolError(`TLC not found: TLA2TOOLS_JAR is not set and ${cached} does not exist`, FETCH_HINT);
  }
  await checkJar(cached, "cached", `delete ${cached}, then ${FETCH_HINT}`);
  return cached;
}

async function checkJar(path: string, what: string, hint: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) throw new ToolError(`${what} ${path} is a directory, not a jar`, hint);
  if (!st?.isFile()) throw new ToolError(`${what} ${path} does not exist`, hint);
  // java's class path is split at ':' (';' on Windows): such a jar path cannot be given to it.
  if (path.includes(delimiter)) throw new ToolError(`${what} ${path} has a '${delimiter}' in its path, which java's class path cannot hold`, `move or link the jar to a path without '${delimiter}'`);
  // A jar is a zip: it starts with the local file header magic "PK".
  if ((await firstBytes(path, 2)) !== "PK") throw new ToolError(`${what} ${path} is not a jar (no zip header)`, hint);
}

/** The first n bytes of a file, as latin1 (a magic number). */
async function firstBytes(path: string, n: number): Promise<string> {
  const head = Buffer.alloc(n);
  const file = await open(path, "r");
  try {
    await file.read(head, 0, n, 0);
  } finally {
    await file.close();
  }
  return head.toString("latin1");
}

/** A regular file at `path` (links followed)? */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** JAVA, else $JAVA_HOME/bin/java, else `java` on PATH; then checks its version. */
export async function locateJava(env: Env = process.env): Promise<{ java: string; javaVersion: number; javaBuild: string }> {
  let java = "java";
  let origin = "on PATH";
  if (env["JAVA"]) {
    java = env["JAVA"];
    origin = `(JAVA=${java})`;
  } else if (env["JAVA_HOME"]) {
    java = join(env["JAVA_HOME"], "bin", "java");
    origin = `(JAVA_HOME=${env["JAVA_HOME"]})`;
  }
  const key = await javaKey(java, env);
  let text = key ? await rememberedVersion(key, env) : undefined;
  if (text === undefined) {
    // extendEnv: false so that a caller's env (tests: a PATH without java) is
    // exactly what the lookup sees.
    const res = await runProcess(java, ["-version"], { env, extendEnv: false, timeoutMs: 30_000 });
    if (res.spawnError) {
      const message = origin === "on PATH" ? "java not found on PATH" : `java not found: ${java} ${origin} cannot be run`;
      throw new ToolError(message, JAVA_HINT);
    }
    // `java -version` prints to stderr; some wrappers print to stdout.
    text = `${res.stderr}\n${res.stdout}`;
    if (key && parseJavaVersion(text) !== undefined) await rememberVersion(key, text, env);
  }
  const javaVersion = parseJavaVersion(text);
  if (javaVersion === undefined) {
    throw new ToolError(`cannot tell the version of ${java} ${origin}: \`java -version\` printed ${JSON.stringify(text.trim().slice(0, 200))}`, JAVA_HINT);
  }
  if (javaVersion < MIN_JAVA) {
    throw new ToolError(`java ${javaVersion} ${origin} is too old: TLC needs Java ${MIN_JAVA} or newer`, JAVA_HINT);
  }
  return { java, javaVersion, javaBuild: text.trim() };
}

// ---- `java -version`, remembered ------------------------------------------------
// `java -version` starts a JVM: 0.1 CPU-seconds, a tenth of a small check's own
// work, for an answer that changes only when the JDK does. What it printed is kept
// in the cache directory under the executable's identity: the real file (links
// followed), its size, times and inode, the JDK's runtime image beside it
// (lib/modules, rewritten by every update of the JDK) and the JVM option
// variables it reads at start. Only a real executable (ELF) is remembered: a
// wrapper script (jenv, asdf, sdkman shims) may pick another JDK each run.

/** The remembered answers: at most this many executables. */
const REMEMBERED = 16;
const versionsFile = (env: Env): string => join(cacheDir(env), "java-versions.json");

/** The identity of the java executable `java` (a path, or a name looked up on PATH), or undefined where it must be run. */
export async function javaKey(java: string, env: Env): Promise<string | undefined> {
  try {
    const real = await realJava(java, env);
    if (!real) return undefined;
    const bin = await stat(real);
    // A regular file only: opening a FIFO to read its first bytes would wait for a writer.
    if (!bin.isFile()) return undefined;
    if ((await firstBytes(real, 4)) !== "\x7fELF") return undefined;
    const image = await stat(join(dirname(real), "..", "lib", "modules")).catch(() => undefined);
    const ident = (s: typeof bin | undefined) => (s ? [s.dev, s.ino, s.size, s.mtimeMs, s.ctimeMs] : null);
    const opts = ["JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"].map((v) => env[v] ?? null);
    return JSON.stringify([real, ident(bin), ident(image), opts]);
  } catch {
    return undefined;
  }
}

/** The file `java` runs (a path, or a name looked up on PATH as a shell would), links followed; undefined when PATH cannot say. */
export async function realJava(java: string, env: Env = process.env): Promise<string | undefined> {
  const found = java.includes("/") ? resolve(java) : await onPath(java, env["PATH"] ?? "");
  return found ? realpath(found) : undefined;
}

/**
 * The first executable file `name` in the directories of PATH, as a shell would
 * find it; undefined when a directory before it is relative (or empty: the
 * current one), where what runs depends on where the check runs.
 */
async function onPath(name: string, path: string): Promise<string | undefined> {
  for (const d of path.split(delimiter)) {
    if (!d || !isAbsolute(d)) return undefined;
    const candidate = join(d, name);
    const st = await stat(candidate).catch(() => undefined);
    if (st?.isFile() && (st.mode & 0o111) !== 0) return candidate;
  }
  return undefined;
}

type Remembered = { readonly key: string; readonly text: string }[];

async function remembered(env: Env): Promise<Remembered> {
  try {
    const data = JSON.parse(await readFile(versionsFile(env), "utf8")) as unknown;
    return Array.isArray(data) ? data.filter((e): e is Remembered[number] => typeof e?.key === "string" && typeof e?.text === "string") : [];
  } catch {
    return [];
  }
}

async function rememberedVersion(key: string, env: Env): Promise<string | undefined> {
  return (await remembered(env)).find((e) => e.key === key)?.text;
}

/** Best effort: a cache that cannot be written only costs the next check a JVM start. */
async function rememberVersion(key: string, text: string, env: Env): Promise<void> {
  try {
    const kept = [{ key, text }, ...(await remembered(env)).filter((e) => e.key !== key)].slice(0, REMEMBERED);
    const file = versionsFile(env);
    // mkdirs, not a recursive mkdir, which spins forever under /proc; written
    // aside and renamed: a check reading it meanwhile sees the old or the new.
    await mkdirs(dirname(file));
    await writeAside(file, JSON.stringify(kept));
  } catch {
    // ignored: see above
  }
}

/**
 * Major version from `java -version` output: `"1.8.0_392"` => 8 (the pre-9
 * scheme), `"17.0.15"` => 17, `"21"` => 21, `"22-ea"` => 22.
 */
export function parseJavaVersion(text: string): number | undefined {
  const quoted = /version "([^"]+)"/.exec(text)?.[1];
  if (quoted === undefined) return undefined;
  const parts = /^(\d+)(?:\.(\d+))?/.exec(quoted);
  if (!parts?.[1]) return undefined;
  const first = Number(parts[1]);
  return first === 1 && parts[2] !== undefined ? Number(parts[2]) : first;
}

/**
 * What a file made from `jar` keeps beside it (a class-data sharing archive, the
 * compiled classes of canon.ts): the jar, its size and time, so that files of a
 * jar gone or changed since can be removed.
 */
export async function jarNote(jar: string): Promise<string> {
  const st = await stat(jar);
  return `${JSON.stringify({ jar, size: st.size, mtimeMs: st.mtimeMs })}\n`;
}

/**
 * Does the note at `path` (jarNote) still describe its jar? False when it is
 * missing or unreadable, or the jar is gone or changed since.
 */
export async function jarNoteHolds(path: string): Promise<boolean> {
  try {
    const note = await readFile(path, "utf8");
    return (await jarNote((JSON.parse(note) as { jar: string }).jar)) === note;
  } catch {
    return false;
  }
}
