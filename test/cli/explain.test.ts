// `faultline explain`: the committed spec, a bare TLC run on it, and its source
// map give the same report as `faultline check` on the model.
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { explainTrace, readSourceMap } from "../../src/explain.js";
import { faultline, root } from "../helpers/cli.js";
import { toolchain } from "../helpers/toolchain.js";

const tc = await toolchain();
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Runs plain TLC on a committed spec, as a reviewer would, and returns its trace.json. */
async function bareTlc(dir: string, module: string): Promise<string> {
  const tmp = await mkdtemp(path.join(tmpdir(), "faultline-explain-"));
  dirs.push(tmp);
  for (const ext of ["tla", "cfg"]) await copyFile(path.join(dir, `${module}.${ext}`), path.join(tmp, `${module}.${ext}`));
  await execa(tc.java, ["-cp", tc.jar, "tlc2.TLC", "-workers", "1", "-dumpTrace", "json", "trace.json", `${module}.tla`], { cwd: tmp, reject: false });
  return path.join(tmp, "trace.json");
}

describe("explain", () => {
  it("gives the same finding as check for the seed000 deadlock", async () => {
    const dir = path.join(root, "specs/seed000");
    const trace = await bareTlc(dir, "seed000_as_reported");
    const map = await readSourceMap(path.join(dir, "seed000_as_reported.map.json"));
    const explained = explainTrace(map, await readFile(trace, "utf8"));
    const def = (await import(path.join(dir, "as-reported.ts"))).default as ModelDef;
    const checked = await check(def, { toolchain: tc });
    expect(explained).toEqual(checked.finding);

    const cli = await faultline(["explain", map === undefined ? "" : path.join(dir, "seed000_as_reported.map.json"), trace]);
    // explain has the trace only: no dependency table or why-checks to compare.
    const viaCheck = await faultline(["check", "--no-deps", "--no-why", "specs/seed000/as-reported.ts"]);
    expect(cli.exitCode).toBe(1);
    // Everything after the header line (which carries TLC's statistics) is the same.
    expect(cli.stdout.split("\n").slice(1)).toEqual(viaCheck.stdout.split("\n").slice(1));
  });

  it("reads back a spec that encodes write-only rwsems as mutexes (dax_e), as check does", async () => {
    const dir = path.join(root, "specs/reference/seed002_dax");
    const module = "reference_dax_e_lock_inversion";
    const tla = await readFile(path.join(dir, `${module}.tla`), "utf8");
    expect(tla).toMatch(/^Mutexes == \{"app_mmap_lock", "i_mmap_rwsem", "i_data_sem"\}$/m);
    const map = await readSourceMap(path.join(dir, `${module}.map.json`));
    const explained = explainTrace(map, await readFile(await bareTlc(dir, module), "utf8"));
    const def = (await import(path.join(dir, "dax_e_lock_inversion.ts"))).default as ModelDef;
    const checked = await check(def, { toolchain: tc });
    expect(checked.verdict).toBe("deadlock");
    expect(explained).toEqual(checked.finding);
    // The report speaks of the rwsems as the model wrote them.
    expect(explained.steps.map((s) => s.operation)).toEqual(["down_write(&i_mmap_rwsem)", "down_write(&i_data_sem)"]);
    expect(explained.waits?.map((w) => w.mode)).toEqual(["write", "write"]);
  });

  it("says what is wrong with a directory holding several specs", async () => {
    await expect(readSourceMap(path.join(root, "specs/seed000"))).rejects.toThrow(/several source maps in/);
  });
});
