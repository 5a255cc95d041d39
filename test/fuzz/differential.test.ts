// The fixed-seed differential batch: 200 random models (test/fuzz/models.ts), each
// spec parsed and checked by TLC and compared with the reference explorer. A longer
// run: `npm run fuzz -- --count N --seed S`.
import { expect, it } from "vitest";
import { toolchain } from "../helpers/toolchain.js";
import { runBatch } from "./batch.js";

const SEED = 1;
const COUNT = 200;

it(`TLC and the explorer agree on ${COUNT} random models (seed ${SEED})`, async () => {
  const res = await runBatch({ seed: SEED, count: COUNT, toolchain: await toolchain(), parallel: 2 });
  const bad = res.disagreements.map((d) => `model ${d.seed}: ${d.result.kind === "disagree" ? d.result.why : ""} (npm run fuzz -- --only ${d.seed})`);
  expect(bad).toEqual([]);
  // The batch must exercise every verdict, and mostly not be skipped.
  expect(res.skipped).toBeLessThan(COUNT / 20);
  for (const v of ["ok", "deadlock", "lock-leak", "bad-unlock", "sleep-in-atomic", "invariant", "assertion"]) expect(res.verdicts[v] ?? 0).toBeGreaterThan(0);
}, 900_000);
