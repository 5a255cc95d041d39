// The class-data sharing archive on real TLC: made once, then reused; a broken
// or foreign archive falls back to a plain run with the right verdict; never
// two writers at once in one process. Each test has its own cache dir; the tests
// that start from an archive get a copy of one made once for the file (`made`),
// the tests about making one make their own.
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archivePath, cdsEnabled } from "../../src/tlc/cds.js";
import { ensureCdsArchive } from "../../src/tlc/run.js";
import type { Toolchain } from "../../src/tlc/locate.js";
import { type RunOptions, runTlc } from "../../src/tlc/run.js";
import { toolchain } from "../helpers/toolchain.js";
import { FIXTURES } from "./fixtures.js";

const tc = await toolchain();
let root: string;
/** An archive for `tc`, made by a TLC run in a cache dir of its own, and its jar note. */
let made: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "faultline-cds-test-"));
  const archive = await ensureCdsArchive(tc, { cacheDir: await mkdtemp(join(root, "cache-")), enabled: true });
  if (!archive) throw new Error("no archive made");
  made = archive;
});
afterAll(() => rm(root, { recursive: true, force: true }));

const fresh = () => mkdtemp(join(root, "cache-"));
function mutex(cache: string, more: Partial<RunOptions> = {}): RunOptions {
  return {
    spec: readFileSync(join(FIXTURES, "invariant", "BrokenMutex.tla"), "utf8"),
    cfg: readFileSync(join(FIXTURES, "invariant", "BrokenMutex.cfg"), "utf8"),
    module: "BrokenMutex",
    toolchain: tc,
    tmpRoot: root,
    cds: { enabled: true, cacheDir: cache },
    ...more,
  };
}
const magic = async (file: string) => (await readFile(file)).readUInt32LE(0).toString(16);
/** `made` and its jar note at `archive`, as a run of `tc` would have left them. */
async function plantMade(archive: string): Promise<void> {
  await mkdir(join(archive, ".."), { recursive: true });
  await copyFile(made, archive);
  await copyFile(`${made}.jar.json`, `${archive}.jar.json`);
}

describe("class-data sharing archive", { timeout: 120_000 }, () => {
  it("is made by one of two parallel runs in one process (the other runs without) and mapped by the next", async () => {
    const cache = await fresh();
    const archive = await archivePath(tc, cache);
    const runs = await Promise.all([runTlc(mutex(cache)), runTlc(mutex(cache))]);
    expect(runs).toMatchObject([
      { outcome: "invariant", invariant: "MutualExclusion" },
      { outcome: "invariant", invariant: "MutualExclusion" },
    ]);
    expect(runs.map((r) => r.cds).sort()).toEqual(["created", "off"]);
    expect(await magic(archive)).toBe("f00baba2");
    const name = archive.split("/").at(-1);
    expect((await readdir(join(cache, "cds"))).sort()).toEqual([name, `${name}.jar.json`]);
    expect(JSON.parse(await readFile(`${archive}.jar.json`, "utf8"))).toMatchObject({ jar: tc.jar });
    const when = (await stat(archive)).mtimeMs;
    const next = await runTlc(mutex(cache));
    expect(next).toMatchObject({ outcome: "invariant", invariant: "MutualExclusion", cds: "used" });
    expect((await stat(archive)).mtimeMs).toBe(when);
  });

  it("a truncated archive falls back, gives the verdict and is not tried again", async () => {
    const cache = await fresh();
    const archive = await archivePath(tc, cache);
    await plantMade(archive);
    await truncate(archive, (await stat(archive)).size / 2);
    const run = await runTlc(mutex(cache));
    expect(run).toMatchObject({ outcome: "invariant", invariant: "MutualExclusion", cds: "fallback" });
    expect(await readdir(join(cache, "cds"))).toEqual([`${archive.split("/").at(-1)}.off`]);
    expect((await runTlc(mutex(cache))).cds).toBe("off");
  });

  it("an archive the JVM refuses (made for another jar) falls back with the verdict", async () => {
    const cache = await fresh();
    const otherJar = join(cache, "other.jar");
    await copyFile(tc.jar, otherJar);
    const other: Toolchain = { ...tc, jar: otherJar };
    // `made` is tc.jar's archive: where other.jar's belongs, the JVM running other.jar refuses it.
    await mkdir(join(cache, "cds"));
    await copyFile(made, await archivePath(other, cache));
    const run = await runTlc(mutex(cache, { toolchain: other }));
    expect(run).toMatchObject({ outcome: "invariant", invariant: "MutualExclusion", cds: "fallback" });
  });

  it("a file that is no archive is replaced by a fresh one", async () => {
    const cache = await fresh();
    const archive = await archivePath(tc, cache);
    await mkdir(join(cache, "cds"));
    await writeFile(archive, "not an archive");
    expect((await runTlc(mutex(cache))).cds).toBe("created");
    expect(await magic(archive)).toBe("f00baba2");
  });

  it("making an archive removes those no run can map: jar gone or changed, or from an older faultline", async () => {
    const cache = await fresh();
    const dir = join(cache, "cds");
    const archive = await archivePath(tc, cache);
    await plantMade(archive);
    const bytes = await readFile(archive);
    const plant = async (name: string, note?: object) => {
      await writeFile(join(dir, name), bytes);
      if (note) await writeFile(join(dir, `${name}.jar.json`), `${JSON.stringify(note)}\n`);
    };
    const kept = join(cache, "kept.jar");
    await copyFile(tc.jar, kept);
    const st = await stat(kept);
    await plant("tla2tools-00000000000000a1.jsa", { jar: join(cache, "gone.jar"), size: 1, mtimeMs: 1 });
    await plant("tla2tools-00000000000000a2.jsa", { jar: kept, size: st.size + 1, mtimeMs: st.mtimeMs });
    await plant("tla2tools-00000000000000a3.jsa");
    await plant("tla2tools-00000000000000a4.jsa", { jar: kept, size: st.size, mtimeMs: st.mtimeMs });
    // A fresh archive for another jar path: made now, and the stale ones go.
    const other: Toolchain = { ...tc, jar: join(cache, "other.jar") };
    await copyFile(tc.jar, other.jar);
    const made = await ensureCdsArchive(other, { cacheDir: cache, enabled: true });
    if (!made) throw new Error("no archive made");
    const left = (await readdir(dir)).filter((f) => f.endsWith(".jsa")).sort();
    expect(left).toEqual([archive, made, join(dir, "tla2tools-00000000000000a4.jsa")].map((f) => f.split("/").at(-1)).sort());
  });

  it("is off when disabled: no archive in the cache", async () => {
    const cache = await fresh();
    const run = await runTlc(mutex(cache, { cds: { enabled: false, cacheDir: cache } }));
    expect(run).toMatchObject({ outcome: "invariant", cds: "off" });
    // faultline's classes (canon.ts) may be there: they are not the archive's.
    expect((await readdir(cache)).filter((f) => f !== "canon")).toEqual([]);
  });

  it("is off for a java before 13", async () => {
    const cache = await fresh();
    expect(await ensureCdsArchive({ ...tc, javaVersion: 11 }, { cacheDir: cache, enabled: true })).toBeUndefined();
    expect(await readdir(cache)).toEqual([]);
  });

  it("FAULTLINE_NO_CDS=1 disables it", () => {
    expect(cdsEnabled({})).toBe(true);
    expect(cdsEnabled({ FAULTLINE_NO_CDS: "1" })).toBe(false);
    expect(cdsEnabled({ FAULTLINE_NO_CDS: "0" })).toBe(true);
  });

  it("leaves nothing of the run behind", async () => {
    expect((await readdir(root)).filter((f) => !f.startsWith("cache-"))).toEqual([]);
  });
});
