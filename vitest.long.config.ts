// `npm run test:long`: the long batches listed in vitest.config.ts (LONG).
import { defineConfig } from "vitest/config";
import { LONG, shared } from "./vitest.config.js";

export default defineConfig({
  ...shared,
  test: {
    include: LONG,
    testTimeout: 2_400_000,
    hookTimeout: 120_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
