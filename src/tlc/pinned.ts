// The TLC release faultline is pinned to. The values live in pinned.json so
// that scripts/install-tlc.mjs (plain JS, run as postinstall before any build)
// reads the very same ones: that file is the single source of truth.
import { readFileSync } from "node:fs";

export interface Pinned {
  /** tlaplus release tag without the "v"; upstream's v1.8.0 is a rolling pre-release */
  readonly version: string;
  /** release asset URL (GitHub redirects it to a CDN) */
  readonly url: string;
  /** file name of the jar inside the cache directory */
  readonly jarFile: string;
  /** sub-directory of $XDG_CACHE_HOME (or ~/.cache) */
  readonly cacheDirName: string;
}

// Run from src/ (vitest, tsx) the JSON sits next to this file; tsc does not
// copy it into dist/, so compiled code reads it from src/ of the checkout.
const candidates = [new URL("./pinned.json", import.meta.url), new URL("../../src/tlc/pinned.json", import.meta.url)];

function load(): Pinned {
  for (const url of candidates) {
    try {
      return JSON.parse(readFileSync(url, "utf8")) as Pinned;
    } catch {
      // try the next location
    }
  }
  throw new Error(`internal: src/tlc/pinned.json not found next to ${import.meta.url}`);
}

export const PINNED: Pinned = Object.freeze(load());
