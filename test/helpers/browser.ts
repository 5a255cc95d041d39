// Debian's chromium for the HTML report's browser tests. Where it is missing the
// tests say how to install it and are skipped, except where FAULTLINE_REQUIRE_CHROMIUM=1
// (.ci/run): there a browser test that cannot run fails.
import { accessSync, constants } from "node:fs";
import type { TestContext } from "vitest";

/** CHROMIUM overrides; otherwise the first chromium on PATH. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env["CHROMIUM"] ? [env["CHROMIUM"]] : (env["PATH"] ?? "").split(":").filter(Boolean).map((d) => `${d}/chromium`);
  return candidates.find((f) => {
    try {
      accessSync(f, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const INSTALL_HINT = "chromium not found: install it (apt-get install chromium) or set CHROMIUM=/path/to/chromium to run the browser tests";

/** The chromium to launch; without one, skips the test (saying how to get it) or, where required, fails it. */
export function chromiumOrSkip(ctx: TestContext): string {
  const found = chromiumPath();
  if (found) return found;
  if (process.env["FAULTLINE_REQUIRE_CHROMIUM"] === "1") throw new Error(`FAULTLINE_REQUIRE_CHROMIUM=1 but ${INSTALL_HINT}`);
  process.stderr.write(`\n${INSTALL_HINT}\n`);
  ctx.skip(INSTALL_HINT);
}
