// Runs the differential check on models `seed + 0 .. seed + count - 1`, a few TLC
// runs at a time (each TLC run is one JVM: its start-up dominates small models).

import type { Toolchain } from "../../src/tlc/locate.js";
import { type Comparison, differential } from "./differential.js";
import { type ModelDesc, build, sampleModel } from "./models.js";

export interface BatchResult {
  readonly agreed: number;
  /** Agreed models whose unmerged exploration was small enough to compare with the merged one. */
  readonly mergeCompared: number;
  /** Distinct states over those models, merged (TLC) and unmerged (explorer). */
  readonly states: { readonly merged: number; readonly unmerged: number };
  readonly skipped: number;
  /** Agreed models whose lock dependency table was compared with TLC's, and how many had edges. */
  readonly depsCompared: number;
  readonly depsWithEdges: number;
  /** Agreed models also checked under TLC's symmetry (threads(n, ...) groups), and their symmetric distinct states. */
  readonly symmetryCompared: number;
  readonly symmetricStates: number;
  readonly disagreements: readonly { readonly seed: number; readonly desc: ModelDesc; readonly result: Comparison }[];
  /** Agreed models per verdict. */
  readonly verdicts: Readonly<Record<string, number>>;
}

export interface BatchOptions {
  readonly seed: number;
  readonly count: number;
  readonly toolchain: Toolchain;
  /** TLC runs at once (default 2). */
  readonly parallel?: number;
  readonly onResult?: (seed: number, result: Comparison) => void;
}

export async function runBatch(opts: BatchOptions): Promise<BatchResult> {
  let agreed = 0;
  let mergeCompared = 0;
  const states = { merged: 0, unmerged: 0 };
  let skipped = 0;
  let depsCompared = 0;
  let depsWithEdges = 0;
  let symmetryCompared = 0;
  let symmetricStates = 0;
  const verdicts: Record<string, number> = {};
  const disagreements: { seed: number; desc: ModelDesc; result: Comparison }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < opts.count; i = next++) {
      const seed = opts.seed + i;
      const desc = sampleModel(opts.seed, i);
      const result = await differential(build(`fuzz_${seed}`, desc), opts.toolchain);
      if (result.kind === "agree") {
        agreed++;
        if (result.unmerged !== undefined) {
          mergeCompared++;
          states.merged += result.distinct;
          states.unmerged += result.unmerged;
        }
        verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
        if (result.depEdges !== undefined) {
          depsCompared++;
          if (result.depEdges > 0) depsWithEdges++;
        }
        if (result.symmetric !== undefined) {
          symmetryCompared++;
          symmetricStates += result.symmetric;
        }
      } else if (result.kind === "skipped") skipped++;
      else disagreements.push({ seed, desc, result });
      opts.onResult?.(seed, result);
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 2 }, worker));
  disagreements.sort((a, b) => a.seed - b.seed);
  return { agreed, mergeCompared, states, skipped, depsCompared, depsWithEdges, symmetryCompared, symmetricStates, disagreements, verdicts };
}
