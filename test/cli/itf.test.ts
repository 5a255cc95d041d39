// --itf: the counterexample in the Informal Trace Format round-trips through
// Quint's own ITF reader and writer (an independent implementation of the format).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
// @ts-expect-error: Quint ships no types for this deep import path under NodeNext.
import { ofItf, toItf as quintToItf } from "@informalsystems/quint/dist/src/itf.js";
import { describe, expect, it } from "vitest";
import { faultline } from "../helpers/cli.js";

/** Quint writes integers as {"#bigint": "n"}: compare values, not spellings. */
function normal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normal);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o["#bigint"] === "string") return Number(o["#bigint"]);
    return Object.fromEntries(Object.entries(o).filter(([k]) => k !== "#meta").map(([k, x]) => [k, normal(x)]));
  }
  return v;
}

describe("--itf", () => {
  it("writes the seed000 deadlock trace, which Quint reads and writes back unchanged", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "faultline-itf-"));
    try {
      const file = path.join(dir, "trace.itf.json");
      const r = await faultline(["check", "-q", "--itf", file, "specs/seed000/as-reported.ts"]);
      expect(r.exitCode).toBe(1);
      const ours = JSON.parse(await readFile(file, "utf8"));
      expect(ours.vars).toEqual(["pc", "owner", "rw"]);
      // Merged steps (src/ir/merge.ts): T2 reads, T3 queues, T1 locks and faults in one step.
      expect(ours.states).toHaveLength(4);
      expect(ours.states[1].rw["#map"][0][1].readers).toEqual({ "#map": [["T2_reader", 1]] });
      expect(ours.states[3].rw["#map"][0][1].queue).toEqual([{ "#tup": ["T3_mmap", "write"] }]);

      const exprs = ofItf(ours);
      const back = quintToItf(ours.vars, exprs);
      expect(back.isRight()).toBe(true);
      expect(normal(back.value.states)).toEqual(normal(ours.states));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
