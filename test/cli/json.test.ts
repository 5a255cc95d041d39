// `faultline check --json`: the documented, versioned result, validated against
// schema/result.schema.json.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { faultline, root } from "../helpers/cli.js";

const schema = JSON.parse(await readFile(path.join(root, "schema/result.schema.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

async function json(args: string[]) {
  const r = await faultline(["check", "--json", ...args]);
  return { exitCode: r.exitCode, report: JSON.parse(r.stdout) };
}

describe("--json", () => {
  it("validates against the schema for a finding, an ok model and an invalid one", async () => {
    const { exitCode, report } = await json([
      "specs/seed000/as-reported.ts",
      "specs/seed000/pinned-buffer.ts",
      "test/fixtures/invalid/recursion.ts",
    ]);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(exitCode).toBe(2);
    expect(report.schema).toBe("faultline.result/1");
    const [deadlock, ok, invalid] = report.results;
    expect(deadlock.verdict).toBe("deadlock");
    expect(deadlock.cycle).toEqual(["T2 reader", "T1 ioctl", "T3 mmap", "T2 reader"]);
    expect(deadlock.waits[1]).toEqual({
      thread: "T1 ioctl",
      lock: "&app->mmap_lock",
      lockName: "app.mmap_lock",
      mode: "read",
      file: "as-reported.ts",
      line: 14,
      via: "",
      reasons: ["queued behind writer T3 mmap"],
      text: "T1 ioctl waits for &app->mmap_lock (read) in a page fault at as-reported.ts:14: queued behind writer T3 mmap",
    });
    expect(deadlock.lockdep.header).toBe("WARNING: possible circular locking dependency detected");
    expect(ok).toMatchObject({ verdict: "ok", stats: { distinct: 4 } });
    expect(invalid.diagnostics).toEqual([
      { code: "FL240", message: "recursive call graph: 'ping' -> 'pong' -> 'ping'; procedures (and fault paths) may not call themselves", file: "recursion.ts", line: 6 },
    ]);
  });

  it("the schema rejects what it should (so the test above can fail)", () => {
    expect(validate({ schema: "faultline.result/1", results: [{ file: "x" }] })).toBe(false);
    expect(validate({ schema: "faultline.result/2", results: [] })).toBe(false);
  });
});
