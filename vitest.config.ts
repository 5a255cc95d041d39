import { availableParallelism } from "node:os";
import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * The long batches: `npm run test:long` (vitest.long.config.ts), which .ci/run
 * runs after `npm test`. `npm test` keeps every behaviour covered in less time.
 */
export const LONG = [
  // 200 random models, TLC against the reference explorer (npm test keeps a smaller batch).
  "test/fuzz/differential.long.test.ts",
  // Every model under specs/, TLC against the explorer (npm test checks their verdicts
  // and traces with TLC in test/e2e, and parses every spec with SANY in test/gen).
  "test/fuzz/specs.long.test.ts",
  // Every hostile name in every kind of object, TLC against the explorer.
  "test/fuzz/hostile-names.long.test.ts",
  // A whole state space over distributed TLC (server and two workers) against a local run.
  "test/cli/distributed.long.test.ts",
  // The README's vitest example from an `npm pack` tarball installed into a fresh project.
  "test/packed/vitest-example.long.test.ts",
  // Real signals against real TLC runs (SIGKILL, SIGHUP, SIGQUIT), and progress figures
  // of checks stopped part-way (issue 16).
  "test/reliability/*.long.test.ts",
];

export const shared = {
  resolve: {
    // Model files import "faultline"; in this repo that is the source itself.
    alias: { faultline: path.resolve(import.meta.dirname, "src/index.ts") },
  },
};

export default defineConfig({
  ...shared,
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...LONG],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // vitest's default is one file at a time on 2 cores (CPUs - 1); the tests wait on
    // JVMs and child processes much of the time, so two files at once fill the cores.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
