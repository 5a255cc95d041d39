// Issue 16, case 13 and the explain part of 12: `faultline explain` checks that
// the trace belongs to the spec (its module, actions and variables) before it
// says anything, and names the file that is broken; a JSON of the wrong shape is
// a usage error (exit 2), never a confident finding or a faultline bug.
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, root } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-explain-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const spec = path.join(root, "specs/seed000");
const map = path.join(spec, "seed000_as_reported.map.json");

async function explain(mapPath: string, trace: string) {
  const r = await faultline(["explain", mapPath, trace]);
  expect(r.stderr).not.toMatch(/faultline bug|internal error|\n\s+at /);
  return r;
}

describe("explain refuses what is not a trace of the spec", () => {
  it("case 13: a trace of another module is named as such (exit 2), not turned into a finding", async () => {
    const r = await explain(map, path.join(root, "test/fixtures/tlc/invariant/trace.json"));
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/trace\.json' is a trace of module BrokenMutex, not of the spec of 'seed000 as reported' \(module seed000_as_reported\)/);
  });

  it("case 13: a trace whose states lack the spec's variables (no steps to name a module) is refused", async () => {
    const r = await explain(map, path.join(root, "test/fixtures/tlc/invariant-initial/trace.json"));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/state 1 of '.*trace\.json' has no pc.*: it is not a trace of the spec of 'seed000 as reported'/);
  });

  it("case 13: a corrupt source map is blamed on the map file, not on the trace", async () => {
    const dir = await mkdtemp(path.join(tmp, "corrupt-"));
    const broken = path.join(dir, "seed000_as_reported.map.json");
    await writeFile(broken, '{"version": 2, "module": "seed000_as_re');
    const r = await explain(broken, path.join(root, "test/fixtures/tlc/invariant/trace.json"));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/the source map '.*corrupt-.*seed000_as_reported\.map\.json' is not valid JSON/);
    const shape = path.join(dir, "shape.map.json");
    await writeFile(shape, '{"version": 2}');
    const s = await explain(shape, path.join(root, "test/fixtures/tlc/invariant/trace.json"));
    expect(s.exitCode).toBe(2);
    expect(s.stderr).toMatch(/the source map '.*shape\.map\.json' is damaged/);
  });

  it("case 12: a trace JSON of the wrong shape ({}, [], null, a state that is not an object) is exit 2 naming the trace", async () => {
    const dir = await mkdtemp(path.join(tmp, "shape-"));
    await copyFile(map, path.join(dir, "seed000_as_reported.map.json"));
    for (const [name, text] of [
      ["empty-object.json", "{}"],
      ["array.json", "[]"],
      ["null.json", "null"],
      ["bad-state.json", '{"counterexample": {"state": [[1, 5]], "action": []}}'],
      ["bad-step.json", '{"counterexample": {"state": [], "action": [7]}}'],
    ] as const) {
      const trace = path.join(dir, name);
      await writeFile(trace, text);
      const r = await explain(dir, trace);
      expect(r.exitCode, name).toBe(2);
      expect(r.stderr).toContain(`'${trace}' is not a TLC JSON trace`);
    }
  });
});
