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

/**
 * TLC's JVM in the tests: C1 only (-XX:TieredStopAtLevel=1), faultline's own
 * default for a one-worker check (src/tlc/run.ts jitArgs), here for every run:
 * the tests' runs with several workers, a simulation or a distributed server are
 * over in seconds too. Set through FAULTLINE_JAVA_OPTS, so the CLI's child
 * processes get it too; a FAULTLINE_JAVA_OPTS of the caller's own wins.
 */
export const testEnv = {
  FAULTLINE_JAVA_OPTS: process.env["FAULTLINE_JAVA_OPTS"] ?? "-XX:TieredStopAtLevel=1",
};

export default defineConfig({
  ...shared,
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...LONG],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: testEnv,
    // Once before the files start: the class-data sharing archive, and the CLI the
    // tests run, compiled (test/helpers/global-setup.ts).
    globalSetup: ["test/helpers/global-setup.ts"],
    // vitest's default is one file at a time on 2 cores (CPUs - 1). Each file runs one
    // JVM or child process at a time and waits for it, with gaps (starting node,
    // loading and exploring models, timers, a worker waiting for its server), so one
    // file more than the cores keeps them busy: 3 files at once on 2 cores.
    maxWorkers: availableParallelism() + 1,
  },
});
