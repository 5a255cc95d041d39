// The fixed-seed differential batch (npm run test:long): 200 random models (test/fuzz/models.ts), each
// spec parsed and checked by TLC and compared with the reference explorer, and
// merged exploration compared with unmerged (the same verdict), and the lock
// dependency table compared with TLC's (test/fuzz/deps.ts). A longer
// run: `npm run fuzz -- --count N --seed S`.
import { expect, it } from "vitest";
import { toolchain } from "../helpers/toolchain.js";
import { runBatch } from "./batch.js";

const SEED = 1;
const COUNT = 200;

it(`TLC and the explorer agree on ${COUNT} random models (seed ${SEED}), merged and unmerged alike`, async () => {
  const res = await runBatch({ seed: SEED, count: COUNT, toolchain: await toolchain(), parallel: 2 });
  const bad = res.disagreements.map((d) => `model ${d.seed}: ${d.result.kind === "disagree" ? d.result.why : ""} (npm run fuzz -- --only ${d.seed})`);
  expect(bad).toEqual([]);
  // The batch must exercise every verdict, and mostly not be skipped.
  expect(res.skipped).toBeLessThan(COUNT / 20);
  // Merged vs unmerged verdicts were compared on nearly every model, and merging shrinks the state spaces.
  expect(res.mergeCompared).toBeGreaterThan(COUNT * 0.9);
  expect(res.states.merged).toBeLessThan(res.states.unmerged);
  for (const v of ["ok", "deadlock", "lock-leak", "bad-unlock", "sleep-in-atomic", "invariant", "assertion", "lock-order"]) expect(res.verdicts[v] ?? 0).toBeGreaterThan(0);
  // The lock dependency table agreed with TLC's on nearly every model, many of them with edges.
  expect(res.depsCompared).toBeGreaterThan(COUNT * 0.9);
  expect(res.depsWithEdges).toBeGreaterThan(COUNT / 10);
}, 2_400_000); // ~9 min on a 2-core machine under other load; room for a slower one (test:long only)
