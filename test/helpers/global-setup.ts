// vitest globalSetup (vitest.config.ts): once per `npm test`, before any test
// file starts, make the class-data sharing archive the checks map (the one
// `npm ci`'s postinstall makes when faultline is built). Without it the first
// check of each test worker pays for listing and dumping TLC's classes, and two
// workers starting at once both do. Best effort, as in faultline itself: no
// archive (an old java, a read-only cache) just means slower JVM starts.
// test/tlc/cds.test.ts tests making archives, each in a cache dir of its own.
import { ensureCdsArchive } from "../../src/tlc/run.js";
import { toolchain } from "./toolchain.js";

export default async function setup(): Promise<void> {
  let tc;
  try {
    tc = await toolchain();
  } catch {
    return; // no TLC: the tests that need it fail and say why
  }
  await ensureCdsArchive(tc).catch(() => undefined);
}
