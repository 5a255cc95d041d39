// locateToolchain with explicit environments. The java checks use small shell
// scripts that print what a given JDK prints; a real java is used when present.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PINNED } from "../../src/tlc/pinned.js";
import { ToolError, cacheDir, javaKey, locateJar, locateJava, locateToolchain, parseJavaVersion } from "../../src/tlc/locate.js";

let dir: string;
let fakeJar: string;
let notJar: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "faultline-locate-"));
  fakeJar = join(dir, "tla2tools.jar");
  await writeFile(fakeJar, Buffer.from("PK\u0003\u0004rest-of-zip"));
  notJar = join(dir, "index.html");
  await writeFile(notJar, "<html>not found</html>");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A `java` that prints `versionLine` like `java -version` does, on stderr. */
async function fakeJava(name: string, versionLine: string): Promise<string> {
  const bin = join(dir, name);
  await writeFile(bin, `#!/bin/sh\necho '${versionLine}' >&2\n`);
  await chmod(bin, 0o755);
  return bin;
}

async function rejection(p: Promise<unknown>): Promise<ToolError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

describe("parseJavaVersion", () => {
  it.each([
    ['java version "1.8.0_392"', 8],
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['openjdk version "22-ea" 2024-03-19', 22],
    ['Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "11.0.2" 2019-01-15', 11],
    ["no version here", undefined],
  ])("%s => %s", (given, want) => {
    expect(parseJavaVersion(given)).toBe(want);
  });
});

describe("locateJar", () => {
  it("uses TLA2TOOLS_JAR when it is a jar", async () => {
    expect(await locateJar({ TLA2TOOLS_JAR: fakeJar })).toBe(fakeJar);
  });

  it("makes a relative TLA2TOOLS_JAR absolute (TLC runs in its own directory)", async () => {
    const rel = relative(process.cwd(), fakeJar);
    expect(await locateJar({ TLA2TOOLS_JAR: rel })).toBe(fakeJar);
  });

  it("rejects a TLA2TOOLS_JAR that does not exist, without falling back to the cache", async () => {
    const cache = join(dir, "cache");
    const err = await rejection(locateJar({ TLA2TOOLS_JAR: join(dir, "missing.jar"), FAULTLINE_CACHE_DIR: cache }));
    expect(err.message).toBe(`TLA2TOOLS_JAR ${join(dir, "missing.jar")} does not exist`);
    expect(err.hint).toContain("TLA2TOOLS_JAR");
  });

  it("rejects a TLA2TOOLS_JAR that is not a zip", async () => {
    const err = await rejection(locateJar({ TLA2TOOLS_JAR: notJar }));
    expect(err.message).toBe(`TLA2TOOLS_JAR ${notJar} is not a jar (no zip header)`);
  });

  it("says where it looked when nothing is set and the cache is empty", async () => {
    const cache = join(dir, "empty-cache");
    const err = await rejection(locateJar({ FAULTLINE_CACHE_DIR: cache }));
    expect(err.message).toBe(`TLC not found: TLA2TOOLS_JAR is not set and ${join(cache, PINNED.jarFile)} does not exist`);
    expect(err.hint).toMatch(/set TLA2TOOLS_JAR=.*install-tlc/);
  });

  it("finds the pinned jar in the cache", async () => {
    const cache = join(dir, "full-cache");
    await rm(cache, { recursive: true, force: true });
    await mkdir(cache, { recursive: true });
    await writeFile(join(cache, PINNED.jarFile), "PK\u0003\u0004");
    expect(await locateJar({ FAULTLINE_CACHE_DIR: cache })).toBe(join(cache, PINNED.jarFile));
  });
});

describe("cacheDir", () => {
  it.each([
    [{ FAULTLINE_CACHE_DIR: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" }, "/c"],
    [{ XDG_CACHE_HOME: "/x", HOME: "/h" }, "/x/faultline"],
    [{ HOME: "/h" }, "/h/.cache/faultline"],
  ])("%j => %s", (env, want) => {
    expect(cacheDir(env)).toBe(want);
  });
});

describe("locateJava", () => {
  it("reports java missing from PATH", async () => {
    const err = await rejection(locateToolchain({ PATH: join(dir, "no-such-bin"), TLA2TOOLS_JAR: fakeJar }));
    expect(err.message).toBe("java not found on PATH");
    expect(err.hint).toBe("install Java 11 or newer (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME");
  });

  it("reports a JAVA_HOME without bin/java", async () => {
    const err = await rejection(locateJava({ JAVA_HOME: join(dir, "jdk"), PATH: "/usr/bin:/bin" }));
    expect(err.message).toBe(`java not found: ${join(dir, "jdk", "bin", "java")} (JAVA_HOME=${join(dir, "jdk")}) cannot be run`);
  });

  it("rejects java 8", async () => {
    const java = await fakeJava("java8", 'java version "1.8.0_392"');
    const err = await rejection(locateJava({ JAVA: java }));
    expect(err.message).toBe(`java 8 (JAVA=${java}) is too old: TLC needs Java 11 or newer`);
  });

  it("accepts java 17 from JAVA, which wins over JAVA_HOME", async () => {
    const java = await fakeJava("java17", 'openjdk version "17.0.15" 2025-04-15');
    expect(await locateJava({ JAVA: java, JAVA_HOME: "/nowhere" })).toEqual({ java, javaVersion: 17, javaBuild: 'openjdk version "17.0.15" 2025-04-15' });
  });

  it("reports output it cannot read", async () => {
    const java = await fakeJava("javaweird", "hello");
    const err = await rejection(locateJava({ JAVA: java }));
    expect(err.message).toMatch(/^cannot tell the version of/);
  });

  it("never remembers what a script printed (a shim may choose another JDK next time)", async () => {
    const cache = await mkdtemp(join(dir, "cache-"));
    const java = await fakeJava("java17shim", 'openjdk version "17.0.15" 2025-04-15');
    expect(await javaKey(java, {})).toBeUndefined();
    expect((await locateJava({ JAVA: java, FAULTLINE_CACHE_DIR: cache })).javaVersion).toBe(17);
    expect(await readdir(cache)).toEqual([]);
  });

  it("an executable's identity changes with its times, its JDK's runtime image and the JVM option variables", async () => {
    // An ELF header is all javaKey reads; the file is never run.
    const jdk = join(dir, "fakejdk");
    await mkdir(join(jdk, "bin"), { recursive: true });
    await mkdir(join(jdk, "lib"), { recursive: true });
    const bin = join(jdk, "bin", "java");
    await writeFile(bin, Buffer.from("\x7fELF\x02\x01\x01", "latin1"));
    await chmod(bin, 0o755);
    const first = await javaKey(bin, {});
    expect(first).toBeDefined();
    expect(await javaKey("java", { PATH: `${join(dir, "no-such-bin")}:${join(jdk, "bin")}` })).toBe(first);
    // A relative directory first: which java runs depends on the working directory.
    expect(await javaKey("java", { PATH: `bin:${join(jdk, "bin")}` })).toBeUndefined();
    expect(await javaKey(bin, { JAVA_TOOL_OPTIONS: "-Xss8m" })).not.toBe(first);
    await writeFile(join(jdk, "lib", "modules"), "image");
    const withImage = await javaKey(bin, {});
    expect(withImage).not.toBe(first);
    await utimes(bin, new Date(2020, 1, 1), new Date(2020, 1, 1));
    expect(await javaKey(bin, {})).not.toBe(withImage);
  });

  it.skipIf(!process.env["TLA2TOOLS_JAR"])("remembers what a real java printed: the next lookup starts no JVM", async () => {
    const cache = await mkdtemp(join(dir, "cache-"));
    const env = { PATH: process.env["PATH"], FAULTLINE_CACHE_DIR: cache };
    const real = await locateJava(env);
    const file = join(cache, "java-versions.json");
    const kept = JSON.parse(await readFile(file, "utf8")) as { key: string; text: string }[];
    expect(kept.length).toBe(1);
    expect(kept[0]?.text.trim()).toBe(real.javaBuild);
    // What is in the file is what the next lookup answers: it did not run java.
    const marked = kept.map((e) => ({ ...e, text: e.text.replace(/version "[^"]+"/, 'version "42.0.1-remembered"') }));
    await writeFile(file, JSON.stringify(marked));
    expect(await locateJava(env)).toMatchObject({ javaVersion: 42, javaBuild: expect.stringContaining("42.0.1-remembered") });
    // Another JVM option variable is another identity: java runs again, and both are kept.
    const opts = await locateJava({ ...env, JAVA_TOOL_OPTIONS: "-Xss4m" });
    expect(opts.javaVersion).toBe(real.javaVersion);
    expect(opts.javaBuild).toContain("Picked up JAVA_TOOL_OPTIONS: -Xss4m");
    expect((JSON.parse(await readFile(file, "utf8")) as unknown[]).length).toBe(2);
    expect(await readdir(cache)).toEqual(["java-versions.json"]);
  });

  it.skipIf(!process.env["TLA2TOOLS_JAR"])("finds the real toolchain (TLA2TOOLS_JAR set)", async () => {
    const tc = await locateToolchain(process.env);
    expect(tc.javaVersion).toBeGreaterThanOrEqual(11);
    // README: TLA2TOOLS_JAR=../shared/tools/tla2tools.jar, relative to where the command runs.
    expect(tc.jar).toBe(resolve(process.env["TLA2TOOLS_JAR"] as string));
  });
});
