// Differential fuzzing: random models, the generated spec under TLC against the
// reference explorer. `npm run fuzz -- --count N --seed S [--parallel P] [--only K]`
// checks models S .. S+N-1 (or model K alone) and prints the agreement count.

import { parseArgs } from "node:util";
import { locateToolchain } from "../src/tlc/locate.js";
import { runBatch } from "../test/fuzz/batch.js";
import { differential } from "../test/fuzz/differential.js";
import { build, sampleModel } from "../test/fuzz/models.js";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: "string", default: "200" },
      seed: { type: "string", default: "1" },
      parallel: { type: "string", default: "2" },
      only: { type: "string" },
    },
  });
  const toolchain = await locateToolchain();
  if (values.only !== undefined) {
    const seed = Number(values.only);
    const desc = sampleModel(seed, 0);
    console.log(JSON.stringify(desc, null, 1));
    const r = await differential(build(`fuzz_${seed}`, desc), toolchain);
    console.log(r.kind === "disagree" ? `${r.kind}: ${r.why}\n${r.tlc ?? ""}` : JSON.stringify(r));
    return r.kind === "disagree" ? 1 : 0;
  }
  const count = Number(values.count);
  const seed = Number(values.seed);
  const started = Date.now();
  let done = 0;
  const res = await runBatch({
    seed,
    count,
    toolchain,
    parallel: Number(values.parallel),
    onResult: (s, r) => {
      done++;
      if (r.kind === "disagree") console.log(`model ${s}: DISAGREE: ${r.why}`);
      if (done % 100 === 0) console.log(`${done}/${count} models, ${Math.round((Date.now() - started) / 1000)} s`);
    },
  });
  const checked = count - res.skipped;
  console.log(`seed ${seed}, ${count} models: ${res.agreed}/${checked} agree (${res.skipped} skipped), ${res.disagreements.length} disagreements, ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(`merged vs unmerged compared on ${res.mergeCompared} models: ${res.states.merged} vs ${res.states.unmerged} distinct states`);
  console.log(`lock dependencies compared with TLC: ${res.depsCompared} models (${res.depsWithEdges} with edges)`);
  console.log(`with symmetry (threads(n, ...) groups) compared with TLC: ${res.symmetryCompared} models, ${res.symmetricStates} distinct states`);
  console.log(`verdicts: ${Object.entries(res.verdicts).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  for (const d of res.disagreements) console.log(`  model ${d.seed}: ${d.result.kind === "disagree" ? d.result.why : ""} (npm run fuzz -- --only ${d.seed})`);
  return res.disagreements.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 3;
  },
);
