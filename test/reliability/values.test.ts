// Issue 16, case 12: values TLC cannot hold (integers beyond its 32-bit range,
// NaN, infinities) and nesting deeper than the checker's passes take are FL
// errors at the model line, never "faultline bug: TLC could not parse".
import { describe, expect, it } from "vitest";
import { compile } from "../../src/check.js";
import { type Cond, eq, model, not, plus } from "../../src/index.js";
import { faultline } from "../helpers/cli.js";

function codes(def: ReturnType<typeof model>) {
  const c = compile(def);
  return c.ok ? [] : c.diagnostics.map((d) => `${d.code} ${d.loc.line}`);
}

describe("values TLC cannot hold", () => {
  it("an int range beyond 2^31-1, NaN and Infinity are FL223 at their lines", () => {
    const line = (d: number) => new Error().stack?.split("\n")[2]?.match(/:(\d+):\d+\)?$/)?.[1] ?? String(d);
    let rangeLine = "";
    let nanLine = "";
    let infLine = "";
    let sumLine = "";
    const def = model("values", (m) => {
      rangeLine = line(0); const big = m.int("big", { min: 0, max: 2 ** 40 }, 0);
      const v = m.int("v", { min: 0, max: 3 }, 0);
      void big;
      m.process("app").thread("T1", (t) => {
        nanLine = line(0); t.await(eq(v, Number.NaN));
        infLine = line(0); t.await(eq(v, Number.POSITIVE_INFINITY));
        sumLine = line(0); t.await(eq(plus(v, 2 ** 33), 1));
      });
    });
    const got = codes(def);
    expect(got).toEqual(expect.arrayContaining([`FL223 ${rangeLine}`, `FL223 ${nanLine}`, `FL223 ${infLine}`, `FL223 ${sumLine}`]));
    const c = compile(def);
    expect(c.ok ? "" : c.diagnostics.map((d) => d.message).join("\n")).toMatch(/'big' has a range TLC cannot hold \(0\.\.1099511627776 \(2\^40\)\)/);
  });

  it("the largest and smallest ints TLC holds are fine", () => {
    const def = model("edges", (m) => {
      const v = m.int("v", { min: -(2 ** 31 - 1), max: 2 ** 31 - 1 }, 0);
      m.process("app").thread("T1", (t) => t.await(eq(v, 2 ** 31 - 1)));
    });
    expect(codes(def)).toEqual([]);
  });

  it("nesting deeper than 1000 is FL321 at the statement, through the library too (no stack overflow)", () => {
    const def = model("deep", (m) => {
      const b = m.bool("b", false);
      let c: Cond = b;
      for (let i = 0; i < 20_000; i++) c = not(c);
      m.process("app").thread("T1", (t) => t.await(c));
    });
    expect(codes(def)).toEqual([expect.stringMatching(/^FL321 \d+$/)]);
  });

  it("through the CLI: exit 2 with the model line, never a faultline bug", async () => {
    const big = await faultline(["check", "test/fixtures/hostile/huge-int.ts"]);
    expect(big.exitCode).toBe(2);
    expect(big.stdout).toMatch(/huge-int\.ts:5: error FL223: 'v' has a range TLC cannot hold/);
    const nan = await faultline(["check", "test/fixtures/hostile/nan.ts"]);
    expect(nan.exitCode).toBe(2);
    expect(nan.stdout).toMatch(/nan\.ts:7: error FL223: NaN is not a number TLC can hold/);
    expect(`${big.stdout}${nan.stdout}`).not.toContain("faultline bug");
  });
});
