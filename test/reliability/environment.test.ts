// Issue 16, cases 3, 9, 10, 11 and 16: the environment's faults end with a
// message and their exit code, never a hang, a stack or a wrong diagnosis.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, leftovers, mainArgs, root } from "../helpers/cli.js";
import { toolchain } from "../helpers/toolchain.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-env-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const jar = (await toolchain()).jar;

describe("the environment", () => {
  it("case 3: FAULTLINE_CACHE_DIR under /proc does not hang: the check runs without a class-data sharing archive", async () => {
    const started = Date.now();
    const child = faultline(["check", "-q", "specs/seed000/pinned-buffer.ts"], { FAULTLINE_CACHE_DIR: "/proc/faultline-test/cache", FAULTLINE_NO_CDS: "" });
    // Before the fix this hung forever, deaf to SIGTERM: never let it outlive the test.
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const r = await child;
    clearTimeout(guard);
    expect(r.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("case 10: a missing or unusable TMPDIR is the environment (exit 3, says what to set), not a model that threw", async () => {
    const file = path.join(tmp, "a-file");
    await writeFile(file, "");
    for (const dir of [path.join(tmp, "no-such-dir"), path.join(file, "tmp"), "/proc/faultline-test"]) {
      // The built command: tsx, which the source runs with, itself needs a TMPDIR (and creates a missing one).
      const r = await execa(process.execPath, [path.join(root, "dist/cli/main.js"), "check", "specs/seed000/pinned-buffer.ts"], {
        cwd: root,
        reject: false,
        env: { TLA2TOOLS_JAR: jar, NO_COLOR: "1", TMPDIR: dir, FAULTLINE_NO_CDS: "1" },
      });
      expect(r.exitCode, dir).toBe(3);
      expect(r.stdout).toMatch(/error: cannot load 'specs\/seed000\/pinned-buffer\.ts': cannot write a temporary file in /);
      expect(r.stdout).toContain("hint: set TMPDIR to an existing directory you can write to");
      expect(r.stdout).not.toContain("FL004");
    }
  });

  it("case 11: --timeout above 2^31-1 ms is no timer at all: the check runs to its verdict, no TimeoutOverflowWarning", async () => {
    const r = await faultline(["check", "-q", "--timeout", "99999999", "specs/seed000/as-reported.ts"], { FAULTLINE_NO_CDS: "1" });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("DEADLOCK");
    expect(r.stderr).not.toContain("TimeoutOverflowWarning");
  });

  it("case 9: output piped into `head -1` ends quietly: no EPIPE stack", async () => {
    const cmd = `${[process.execPath, ...mainArgs].map((a) => `"${a}"`).join(" ")} check --jobs 1 specs/seed000/as-reported.ts specs/seed000/pinned-buffer.ts specs/seed000/as-reported.ts | head -1; echo "status \${PIPESTATUS[0]}" >&2`;
    const r = await execa("bash", ["-c", cmd], { cwd: root, reject: false, env: { TLA2TOOLS_JAR: jar, NO_COLOR: "1", FAULTLINE_NO_CDS: "1" } });
    expect(r.stdout).toMatch(/^seed000 as reported \(specs\/seed000\/as-reported\.ts\): DEADLOCK/);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at |faultline bug/);
    // Not every model was reported: never a pass (0), and not a crash (1): 3.
    expect(r.stderr).toMatch(/status 3\b/);
  });

  it("case 16: TLA2TOOLS_JAR naming a directory says so", async () => {
    const r = await faultline(["check", "specs/seed000/pinned-buffer.ts"], { TLA2TOOLS_JAR: tmp });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(`error: TLA2TOOLS_JAR ${tmp} is a directory, not a jar`);
  });

  it("case 16: --version prints faultline's version", async () => {
    const r = await faultline(["--version"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^faultline \d+\.\d+\.\d+/);
  });

  it("case 16: a ':' in the cache path does not retire the class-data sharing archive: the second run maps it", async () => {
    const cache = path.join(tmp, "cache:1");
    await mkdir(cache);
    const env = { FAULTLINE_CACHE_DIR: cache, FAULTLINE_NO_CDS: "" };
    for (let i = 0; i < 2; i++) expect((await faultline(["check", "-q", "specs/seed000/pinned-buffer.ts"], env)).exitCode).toBe(0);
    const files = await readdir(path.join(cache, "cds"));
    expect(files.filter((f) => f.endsWith(".off"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".jsa"))).toHaveLength(1);
  });

  it("case 16: a ':' in the jar's path is named as the problem", async () => {
    const dir = path.join(tmp, "jar:dir");
    await mkdir(dir);
    const fake = path.join(dir, "tla2tools.jar");
    await writeFile(fake, "PK\u0003\u0004");
    const r = await faultline(["check", "specs/seed000/pinned-buffer.ts"], { TLA2TOOLS_JAR: fake });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain("has a ':' in its path, which java's class path cannot hold");
    expect(await leftovers(dir)).toEqual(["tla2tools.jar"]);
  });
});
