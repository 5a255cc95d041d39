// `faultline diff`: the MPX proposal against its fix (seed001, step 1 moved before
// down_read(mmap_sem)) loses the fault's nested mmap_lock read and the deadlock.
import { describe, expect, it } from "vitest";
import { faultline } from "../helpers/cli.js";

const before = "specs/seed001/tglx-bd-sem.ts";
const after = "specs/seed001/tglx-bd-sem-invalidate-first.ts";

describe("faultline diff", () => {
  it("Markdown: the lost mmap_lock (read) -> mmap_lock (read) edge, the lost deadlock and its potential cycle", async () => {
    const r = await faultline(["diff", before, after]);
    expect(r.exitCode).toBe(0); // the fix is ok
    expect(r.stdout).toContain("| verdict | **deadlock** | **ok** |");
    expect(r.stdout).toContain("**Findings lost**\n\n- deadlock: mmap, munmap wait for each other\n");
    expect(r.stdout).toContain("**Lock dependencies lost**\n\n- `&app->mmap_lock (read) -> &app->mmap_lock (read)`: munmap: _mpx.ts:40 -> _mpx.ts:32 via page fault on bounds_dir in mpx_pre_unmap > invalidate_bd_entry");
    expect(r.stdout).toContain("**Potential deadlocks (lockdep's rules) lost**\n\n- `&app->mmap_lock (read) -> &app->mmap_lock (read)` (realised: a reachable deadlock)");
    expect(r.stdout).not.toContain("gained");
  });

  it("JSON, and the other way round: the edge and the deadlock are gained, exit 1", async () => {
    const r = await faultline(["diff", after, before, "--json"]);
    expect(r.exitCode).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.schema).toBe("faultline.diff/1");
    expect([d.before.verdict, d.after.verdict]).toEqual(["ok", "deadlock"]);
    expect(d.findings).toEqual({ gained: ["deadlock: mmap, munmap wait for each other"], lost: [] });
    expect(d.edges.gained.map((e: { edge: string }) => e.edge)).toEqual(["&app->mmap_lock (read) -> &app->mmap_lock (read)"]);
    expect(d.edges.lost).toEqual([]);
    expect(d.cycles.gained).toEqual([{ text: "&app->mmap_lock (read) -> &app->mmap_lock (read)", realised: true }]);
  });

  it("an invalid model is exit 2, naming it", async () => {
    const r = await faultline(["diff", before, "test/fixtures/invalid/does-not-exist.ts"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("does-not-exist.ts");
  });
});
