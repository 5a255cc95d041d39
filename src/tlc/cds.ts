// Class-data sharing for TLC's JVM (issue 6): the classes a TLC run loads are
// archived once per (jar, java build) in faultline's cache dir and mapped by
// later JVMs, which then start about a third faster. Best effort throughout:
// any trouble with an archive means a run without one, never a failed check.
//
// The archive is a static one: the first run lists the classes it loads
// (-XX:DumpLoadedClassList), then `java -Xshare:dump` archives them (about 1 s,
// once). Not a dynamic one (-XX:ArchiveClassesAtExit): on JDK 17 with this TLC a
// JVM mapping a dynamic archive checked long runs 7-11 times slower (family
// 2,2,2 L2: 70 s instead of 10 s; bench/results.md), while a static archive
// starts as fast and runs at full speed.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { access, copyFile, open, readFile, readdir, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { mkdirs } from "../files.js";
import { type Toolchain, cacheDir, jarNote, jarNoteHolds } from "./locate.js";
import { runProcess } from "./spawn.js";

/** What a run does about CDS; run.ts turns it into JVM options. */
export type CdsPlan =
  /** disabled (FAULTLINE_NO_CDS), unsupported, unwritable cache, or marked unusable */
  | { readonly kind: "off" }
  /** map this archive: -XX:SharedArchiveFile */
  | { readonly kind: "use"; readonly archive: string }
  /** list the classes this run loads, archive them (java -Xshare:dump), then publish the archive at `archive` */
  | { readonly kind: "create"; readonly archive: string; readonly java: string; readonly jar: string };

/** How the run went, for tests and the bench: "fallback" = the archive failed and TLC ran, or was re-run, without it. */
export type CdsStatus = "off" | "used" | "created" | "fallback";

/** Application classes in a static archive work since JDK 10; tested on 17, tried from 13 as before. */
const MIN_JAVA_CDS = 13;
/** Magic of a static archive header (CDS_ARCHIVE_MAGIC in hotspot's cds/filemap.hpp), little-endian. */
const STATIC_MAGIC = 0xf00baba2;
/** The class list and the dump, inside the run's temp dir (we publish a finished archive only). */
const LIST_FILE = "classes.lst";
const DUMP_FILE = "classes.jsa";
/** `java -Xshare:dump` takes about 1 s; past this it is abandoned (no archive, no harm). */
const DUMP_TIMEOUT_MS = 60_000;
/** CDS warnings go here instead of into TLC's output, so a stale archive can be noticed. */
const LOG_FILE = "cds.log";

/** Archives this process is dumping right now: with parallel checks only one JVM pays for it. */
const creating = new Set<string>();

export interface CdsOptions {
  /** default: on unless FAULTLINE_NO_CDS is set to something other than "0" or "" */
  readonly enabled?: boolean;
  /** default: cacheDir(process.env), where the jar is cached */
  readonly cacheDir?: string;
}

export function cdsEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const v = env["FAULTLINE_NO_CDS"];
  return v === undefined || v === "" || v === "0";
}

/**
 * Where the archive for this jar and this java lives. The name hashes the
 * jar's path, size and mtime (the JVM refuses an archive whose jar changed)
 * and the full `java -version` text (and one built by another JVM).
 */
export async function archivePath(tc: Toolchain, dir: string): Promise<string> {
  const jar = await stat(tc.jar);
  const key = createHash("sha256")
    .update(JSON.stringify([tc.jar, jar.size, jar.mtimeMs, tc.java, tc.javaBuild ?? tc.javaVersion]))
    .digest("hex")
    .slice(0, 16);
  return join(dir, "cds", `tla2tools-${key}.jsa`);
}

export async function planCds(tc: Toolchain, opts: CdsOptions = {}): Promise<CdsPlan> {
  if (!(opts.enabled ?? cdsEnabled()) || tc.javaVersion < MIN_JAVA_CDS) return { kind: "off" };
  try {
    const archive = await archivePath(tc, opts.cacheDir ?? cacheDir());
    if (await exists(`${archive}.off`)) return { kind: "off" };
    if (await looksLikeArchive(archive)) return { kind: "use", archive };
    if (creating.has(archive)) return { kind: "off" };
    creating.add(archive); // before the next await: parallel runs in this process must see it
    try {
      // Only dump what can be kept: a read-only cache would pay for a dump on every run.
      await mkdirs(join(archive, ".."));
      await access(join(archive, ".."), constants.W_OK);
    } catch {
      creating.delete(archive);
      return { kind: "off" };
    }
    return { kind: "create", archive, java: tc.java, jar: tc.jar };
  } catch {
    return { kind: "off" };
  }
}

/**
 * The JVM reads -XX:SharedArchiveFile=a:b as a base and a top archive, so an
 * archive whose path holds a ':' (a cache dir like /data/c:1) is mapped through
 * a link of this name in the run's dir; before, such a JVM failed to start and
 * the archive was retired for good.
 */
const ARCHIVE_LINK = "tla2tools.jsa";

/** Before the JVM starts: the link to an archive whose path the JVM cannot take as it is. */
export async function linkArchive(plan: CdsPlan, dir: string): Promise<void> {
  if (plan.kind === "use" && plan.archive.includes(":")) await symlink(plan.archive, join(dir, ARCHIVE_LINK));
}

/**
 * JVM options for the plan. The JVM runs in the run's temp dir, so the files
 * there are named relative to it (a ':' or ',' in TMPDIR would break
 * -Xlog's and -XX's syntax).
 */
export function cdsJvmArgs(plan: CdsPlan): string[] {
  if (plan.kind === "off") return [];
  return [
    plan.kind === "use" ? `-XX:SharedArchiveFile=${plan.archive.includes(":") ? ARCHIVE_LINK : plan.archive}` : `-XX:DumpLoadedClassList=${LIST_FILE}`,
    // Keep CDS messages out of TLC's output (stdout), in a file we can read. A
    // static archive the JVM cannot map is skipped silently but for info-level
    // "UseSharedSpaces: ..." lines (truncated, made for another jar).
    "-Xlog:cds*=off",
    `-Xlog:cds*=warning,cds=info:file=${LOG_FILE}::filecount=0`,
  ];
}

/**
 * After a run that started: publishes a dump, or retires an archive the JVM
 * warned about, so the next run makes a fresh one or runs without.
 */
export async function settleCds(plan: CdsPlan, dir: string, finished: boolean): Promise<CdsStatus> {
  if (plan.kind === "off") return "off";
  try {
    if (plan.kind === "create") {
      if (!finished) return "off";
      const dump = join(dir, DUMP_FILE);
      const res = await runProcess(
        plan.java,
        ["-Xshare:dump", `-XX:SharedClassListFile=${LIST_FILE}`, `-XX:SharedArchiveFile=${DUMP_FILE}`, "-Xlog:cds*=off", "-cp", plan.jar],
        { cwd: dir, timeoutMs: DUMP_TIMEOUT_MS, watchParent: true },
      );
      if (res.exitCode !== 0 || !(await looksLikeArchive(dump))) {
        await markUnusable(plan.archive);
        return "off";
      }
      // Copy next to the target, then rename: atomic, so a concurrent check
      // never maps a half-written archive (which crashes the JVM with SIGBUS).
      const tmp = `${plan.archive}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
      try {
        await copyFile(dump, tmp);
        await rename(tmp, plan.archive);
      } finally {
        await rm(tmp, { force: true });
      }
      await writeFile(`${plan.archive}${JAR_NOTE}`, await jarNote(plan.jar));
      await pruneStale(dirname(plan.archive), plan.archive);
      return "created";
    }
    const log = await readFile(join(dir, LOG_FILE), "utf8").catch(() => "");
    if (/\[(warning|error)\]|UseSharedSpaces: /.test(log)) {
      await markUnusable(plan.archive);
      return "fallback";
    }
    return "used";
  } catch {
    return "off";
  } finally {
    if (plan.kind === "create") creating.delete(plan.archive);
    // A kept run dir (parse error) should hold the spec, not 10 MB of classes.
    await rm(join(dir, DUMP_FILE), { force: true });
    await rm(join(dir, LIST_FILE), { force: true });
    await rm(join(dir, LOG_FILE), { force: true });
    await rm(join(dir, ARCHIVE_LINK), { force: true });
  }
}

/** Next to each archive: which jar it was made from, so that archives of jars gone or changed can go. */
const JAR_NOTE = ".jar.json";

/**
 * Removes the other archives of `cdsDir` that no run can map any more (about 20
 * MB each): made from a jar that is gone or changed since, or of an older
 * faultline (no jar note, or a dynamic archive). Best effort.
 */
async function pruneStale(cdsDir: string, keep: string): Promise<void> {
  const names = await readdir(cdsDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^tla2tools-[0-9a-f]+\.jsa$/.test(n))) {
    const archive = join(cdsDir, name);
    if (archive === keep) continue;
    if (!(await jarNoteHolds(`${archive}${JAR_NOTE}`)) || !(await looksLikeArchive(archive))) {
      await rm(archive, { force: true });
      await rm(`${archive}${JAR_NOTE}`, { force: true });
    }
  }
}

/** The JVM died with the archive (crash, unknown option): never try this archive again. */
export async function abandonCds(plan: CdsPlan): Promise<void> {
  if (plan.kind === "off") return;
  if (plan.kind === "create") creating.delete(plan.archive);
  await markUnusable(plan.archive).catch(() => undefined);
}

async function markUnusable(archive: string): Promise<void> {
  await rm(archive, { force: true });
  await rm(`${archive}${JAR_NOTE}`, { force: true });
  await writeFile(`${archive}.off`, "this JVM could not make or use a class-data sharing archive for TLC; delete this file to try again\n");
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** A static archive's magic; catches a foreign or truncated-to-nothing file before the JVM maps it. */
async function looksLikeArchive(path: string): Promise<boolean> {
  try {
    const f = await open(path, "r");
    try {
      const head = Buffer.alloc(4);
      const { bytesRead } = await f.read(head, 0, 4, 0);
      return bytesRead === 4 && head.readUInt32LE(0) === STATIC_MAGIC;
    } finally {
      await f.close();
    }
  } catch {
    return false;
  }
}

