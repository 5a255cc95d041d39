// Environment and TLC failures, through the CLI as a user meets them: each one
// exits 3, says what happened and what to do, leaves no java process behind and
// no temporary files. (Ctrl-C, --timeout and concurrent checks: interrupt.test.ts;
// java missing and the jar missing: cli.test.ts; a full disk: test/tlc/disk.test.ts.)
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, javaUnder, leftovers } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-fail-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** `faultline check <args>` with `dir` as its TMPDIR and no class-data sharing archive. */
function start(args: string[], dir: string, env: Record<string, string> = {}) {
  return faultline(["check", ...args], { TMPDIR: dir, FAULTLINE_NO_CDS: "1", ...env });
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

async function settled(dir: string): Promise<void> {
  expect(await javaUnder(dir)).toEqual([]);
  expect(await leftovers(dir)).toEqual([]);
}

describe("environment and TLC failures", () => {
  it("java older than 11: names the version and what to install", async () => {
    const dir = await mkdtemp(path.join(tmp, "java8-"));
    const java = await script(dir, "fake-java", `echo 'openjdk version "1.8.0_402"' >&2\necho 'OpenJDK Runtime Environment (build 1.8.0_402-b06)' >&2`);
    const r = await start(["specs/seed000/as-reported.ts"], dir, { JAVA: java });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/java 8 \(JAVA=.*fake-java\) is too old: TLC needs Java 11 or newer/);
    expect(r.stdout).toMatch(/hint: install Java 11 or newer/);
    await settled(dir);
  });

  it("a TLA2TOOLS_JAR that is not a jar: says so and how to get the real one", async () => {
    const dir = await mkdtemp(path.join(tmp, "notjar-"));
    const jar = path.join(dir, "fake-tla2tools.jar");
    await writeFile(jar, "<html>404 Not Found</html>\n");
    const r = await start(["specs/seed000/as-reported.ts"], dir, { TLA2TOOLS_JAR: jar });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(`error: TLA2TOOLS_JAR ${jar} is not a jar (no zip header)`);
    expect(r.stdout).toMatch(/hint: point TLA2TOOLS_JAR at a tla2tools\.jar, or unset it to use the cached release/);
    await settled(dir);
  });

  it("TLC out of memory: says so and how to give it more heap", async () => {
    const dir = await mkdtemp(path.join(tmp, "oom-"));
    // A 2 MiB heap, through the user's own JVM options: exhausted at once. (With 8 MiB
    // the JVM first thrashes its collector for 10 s to minutes, depending on load.)
    const r = await start(["specs/seed000/as-reported.ts"], dir, { FAULTLINE_JAVA_OPTS: "-Xmx2m" });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/error: tlc ran out of memory/);
    expect(r.stdout).toMatch(/hint: give the JVM more heap \(FAULTLINE_JAVA_OPTS=-Xmx8g, or jvmArgs in the library\)/);
    await settled(dir);
  });

  it("TLC killed from outside: says by which signal and what may have done it", async () => {
    const dir = await mkdtemp(path.join(tmp, "killed-"));
    const child = start(["test/fixtures/loading/big.ts"], dir);
    let pids: number[] = [];
    for (let i = 0; i < 200 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pids = await javaUnder(dir);
    }
    expect(pids).not.toEqual([]);
    for (const pid of pids) process.kill(pid, "SIGKILL");
    const r = await child;
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/error: the java process running tlc was killed by SIGKILL/);
    expect(r.stdout).toMatch(/hint: if nothing else killed it, the kernel's out-of-memory killer may have/);
    await settled(dir);
  });
});
