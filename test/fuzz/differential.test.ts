// A smaller fixed-seed differential batch for `npm test`: random models (test/fuzz/models.ts)
// from a seed range the long batch (differential.long.test.ts, 200 models from seed 1)
// does not use, each spec checked by TLC and compared with the reference explorer,
// merged exploration compared with unmerged.
import { expect, it } from "vitest";
import { toolchain } from "../helpers/toolchain.js";
import { runBatch } from "./batch.js";

const SEED = 5001;
const COUNT = 12;

it(`TLC and the explorer agree on ${COUNT} random models (seed ${SEED}), merged and unmerged alike`, async () => {
  const res = await runBatch({ seed: SEED, count: COUNT, toolchain: await toolchain(), parallel: 2 });
  const bad = res.disagreements.map((d) => `model ${d.seed}: ${d.result.kind === "disagree" ? d.result.why : ""} (npm run fuzz -- --only ${d.seed})`);
  expect(bad).toEqual([]);
  expect(res.skipped).toBeLessThan(COUNT / 4);
  expect(res.mergeCompared).toBeGreaterThan(COUNT * 0.7);
  // Findings and clean runs alike (seed 5001: ok, deadlock, invariant, assertion, bad-unlock).
  expect(res.verdicts["ok"] ?? 0).toBeGreaterThan(0);
  expect(Object.keys(res.verdicts).filter((v) => v !== "ok").length).toBeGreaterThan(2);
}, 600_000);
