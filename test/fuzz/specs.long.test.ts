// The reference explorer and TLC agree on every model under specs/: verdict and
// finding, trace length, and for `ok` the distinct states, states generated and depth.
import path from "node:path";
import { expect, it } from "vitest";
import { modelFiles } from "../../scripts/specs.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { toolchain } from "../helpers/toolchain.js";
import { type Comparison, differential } from "./differential.js";

const files = await modelFiles();

it(`agrees with TLC on all ${files.length} models under specs/`, async () => {
  const tc = await toolchain();
  const results: [string, Comparison][] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const file = files[i] as string;
      const def = (await import(file)).default as ModelDef;
      results.push([path.relative("specs", path.relative(process.cwd(), file)), await differential(def, tc, 200_000)]);
    }
  };
  await Promise.all([worker(), worker()]);
  const bad = results.filter(([, r]) => r.kind !== "agree").map(([f, r]) => `${f}: ${r.kind === "agree" ? "" : r.why}`);
  expect(bad).toEqual([]);
}, 600_000);
