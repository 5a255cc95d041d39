// Build step (issue 6, start-up): execa and its ~100 small modules bundled into one
// file, dist/vendor/execa.js, which Node loads in ~30 ms instead of ~100 ms. The
// bundle is execa as installed (package-lock), nothing edited; src/tlc/spawn.ts
// imports it when present and the package itself otherwise (vitest, tsx from src/).
import { build } from "esbuild";

await build({
  entryPoints: ["execa"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: "dist/vendor/execa.js",
  // cross-spawn and signal-exit are CommonJS and require Node's own modules.
  banner: { js: 'import { createRequire as __faultlineRequire } from "node:module"; const require = __faultlineRequire(import.meta.url);' },
  legalComments: "inline",
  logLevel: "warning",
});
