// The real TLC for end-to-end tests: CI sets TLA2TOOLS_JAR (see .ci/run).
import { type Toolchain, locateToolchain } from "../../src/tlc/locate.js";

let cached: Promise<Toolchain> | undefined;

/** Fails loudly (never skips) when TLC cannot be found: these tests must run real TLC. */
export function toolchain(): Promise<Toolchain> {
  cached ??= locateToolchain();
  return cached;
}
