// Re-records the TLC fixtures from the real jar. Off by default: run with
//   FAULTLINE_RECORD_TLC=1 TLA2TOOLS_JAR=... npx vitest run test/tlc/record.test.ts
// then `npx vitest run test/tlc -u` to refresh the parser goldens.
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { locateToolchain } from "../../src/tlc/locate.js";
import { execTlc } from "../../src/tlc/run.js";
import { FIXTURES, type FixtureCase, loadCases } from "./fixtures.js";

const record = process.env["FAULTLINE_RECORD_TLC"] === "1";

describe.skipIf(!record)("record TLC fixtures (set FAULTLINE_RECORD_TLC=1 to run)", () => {
  it.each(loadCases().map((c) => [c.dir, c] as const))("%s", { timeout: 60_000 }, async (_, c: FixtureCase) => {
    const toolchain = await locateToolchain();
    const at = join(FIXTURES, c.dir);
    const raw = await execTlc({
      spec: readFileSync(join(at, `${c.module}.tla`), "utf8"),
      cfg: readFileSync(join(at, `${c.module}.cfg`), "utf8"),
      module: c.module,
      toolchain,
      ...(c.timeoutMs !== undefined && { timeoutMs: c.timeoutMs }),
      ...(c.jvmArgs !== undefined && { jvmArgs: c.jvmArgs }),
    });
    // The temp dir's name changes every run: keep recordings portable.
    await writeFile(join(at, "output.txt"), raw.output.replaceAll(raw.dir, "$DIR"));
    await rm(join(at, "trace.json"), { force: true });
    if (raw.traceJson !== undefined) await writeFile(join(at, "trace.json"), raw.traceJson);
    const { exitCode, signal, ended, timedOut, wallMs } = raw;
    await writeFile(join(at, "run.json"), `${JSON.stringify({ exitCode, signal, ended, timedOut, wallMs }, null, 2)}\n`);
    await rm(raw.dir, { recursive: true, force: true });
    expect(raw.output).toContain("@!@!@STARTMSG");
  });
});
