// Loading model files (src/load.ts): each file keeps its own lines and its own
// import.meta.url through the bundle, and every failure is a located diagnostic.
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ModelDef } from "../../src/dsl/model.js";
import type { Diagnostic } from "../../src/ir/diagnostics.js";
import { loadModelFile } from "../../src/load.js";

const fixtures = path.resolve(import.meta.dirname, "../fixtures/loading");

/** The model a file exports; a failed load fails the test with its diagnostics. */
async function loaded(file: string): Promise<ModelDef> {
  const r = await loadModelFile(file);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.def;
}

/** The diagnostics of a file that must not load. */
async function diagnostics(file: string): Promise<readonly Diagnostic[]> {
  const r = await loadModelFile(file);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.diagnostics;
}

describe("loadModelFile", () => {
  it("records the model's own lines, and a helper's, through the bundle", async () => {
    const def = await loaded(path.resolve(import.meta.dirname, "../../specs/seed000/as-reported.ts"));
    expect(def.ir.loc).toMatchObject({ file: "as-reported.ts", line: 8 });
    const files = new Set(def.ir.threads.map((t) => `${t.loc.file}:${t.loc.line}`));
    expect(files).toEqual(new Set(["as-reported.ts:12", "_scenario.ts:23", "_scenario.ts:27"]));
  });

  it("gives each imported file its own import.meta.url", async () => {
    const def = await loaded(path.join(fixtures, "import-meta.ts"));
    expect(def.ir.threads.map((t) => t.name)).toEqual(["reader next to the helper"]);
  });

  it("names the helper's line when an imported file does not parse", async () => {
    expect(await diagnostics(path.join(fixtures, "broken-import.ts"))).toEqual([
      { code: "FL003", message: expect.stringMatching(/^cannot parse the model file: Expected ";"/), loc: { file: "imports/helper-broken.ts", line: 3, column: 6 } },
    ]);
  });

  it("names the import's line when a package is not installed", async () => {
    expect(await diagnostics(path.join(fixtures, "missing-import.ts"))).toEqual([
      {
        code: "FL007",
        message: "cannot import: cannot find package 'faultline-no-such-package' from missing-import.ts; install it in the model's project (npm install faultline-no-such-package)",
        loc: { file: "missing-import.ts", line: 3, column: 23 },
      },
    ]);
  });

  describe("in a directory whose path has spaces, accents and parentheses", () => {
    let dir = "";
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("still records the model's lines (source-mapped frames name decoded paths)", async () => {
      dir = await mkdtemp(path.join(tmpdir(), "faultline load ü (x) "));
      const seed = path.resolve(import.meta.dirname, "../../specs/seed000");
      for (const f of ["as-reported.ts", "_scenario.ts"]) await copyFile(path.join(seed, f), path.join(dir, f));
      await copyFile(path.join(fixtures, "throws.ts"), path.join(dir, "throws.ts"));
      const def = await loaded(path.join(dir, "as-reported.ts"));
      expect(def.ir.threads.map((t) => `${t.loc.file}:${t.loc.line}`).sort()).toEqual(["_scenario.ts:23", "_scenario.ts:27", "as-reported.ts:12"]);
      expect((await diagnostics(path.join(dir, "throws.ts"))).map((d) => `${d.code} ${d.loc.file}:${d.loc.line}`)).toEqual(["FL004 throws.ts:5"]);
    });
  });

  describe("outside any project", () => {
    let dir = "";
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it("imports the running faultline, as a global install would", async () => {
      dir = await mkdtemp(path.join(tmpdir(), "faultline-load-test-"));
      const file = path.join(dir, "alone.ts");
      await writeFile(file, 'import { model } from "faultline";\n\nexport default model("alone", (m) => {\n  m.process("p").thread("T", () => {});\n});\n');
      const def = await loaded(file);
      expect(def.ir.loc).toEqual({ file: "alone.ts", line: 3, column: expect.any(Number) });
    });
  });
});
