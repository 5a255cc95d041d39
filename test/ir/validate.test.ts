// Every validation error names its code and the model line: each fixture marks
// the lines that must be reported with `// @error CODE`.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ModelDef } from "../../src/dsl/model.js";
import { validate } from "../../src/ir/validate.js";

const dir = path.resolve(import.meta.dirname, "../fixtures/invalid");

function expected(file: string): string[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: string[] = [];
  lines.forEach((l, i) => {
    for (const m of l.matchAll(/@error (FL\d+)/g)) out.push(`${path.basename(file)}:${i + 1} ${m[1]}`);
  });
  return out.sort();
}

describe("validation errors name the model file and line", () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    it(name, async () => {
      const file = path.join(dir, name);
      const def = (await import(file)).default as ModelDef;
      const v = validate(def.ir, def.diagnostics);
      expect(v.program).toBeUndefined();
      const got = v.diagnostics.map((d) => `${d.loc.file}:${d.loc.line} ${d.code}`).sort();
      expect(got).toEqual(expected(file));
      for (const d of v.diagnostics) {
        expect(d.message).toMatch(/^[a-z'(]/); // lower case, as the house style asks
        expect(d.message).not.toMatch(/undefined|\[object/);
      }
    });
  }
});

describe("messages", () => {
  it("say what is wrong and what to do", async () => {
    const def = (await import(path.join(dir, "../reports/unlock-unreachable.ts"))).default as ModelDef;
    const v = validate(def.ir, def.diagnostics);
    expect(v.program).toBeDefined();
    expect(v.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ["FL301", "warning", "thread 'T1' can never reach this release of 'A_mutex': it follows a return on every path; remove it, or move it before the return"],
    ]);
  });
});
