import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Model files import "faultline"; in this repo that is the source itself.
    alias: { faultline: path.resolve(import.meta.dirname, "src/index.ts") },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
