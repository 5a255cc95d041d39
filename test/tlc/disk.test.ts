// A state space too large for the machine is stopped before it fills the disk.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { family } from "../../bench/family.js";
import { compile } from "../../src/check.js";
import { runTlc } from "../../src/tlc/run.js";
import { toolchain } from "../helpers/toolchain.js";

const tmpRoot = await mkdtemp(path.join(tmpdir(), "faultline-disk-"));
afterAll(() => rm(tmpRoot, { recursive: true, force: true }));

describe("disk limit", () => {
  // How soon TLC's states pass the limit depends on how fast it runs: seconds on an
  // idle machine, minutes on one busy with other work, hence the long timeout.
  it("stops TLC when its states pass the limit, says so, and removes its files", { timeout: 600_000 }, async () => {
    // Unmerged (one TLA+ step per operation): a state space that passes 1 MiB in seconds
    // (TLC's queue on disk; the spec and TLC's other files are about 100 KB).
    const c = compile(family({ k: 2, f: 2, w: 2, l: 2 }, true), { merge: false });
    if (!c.ok) throw new Error("invalid");
    const run = await runTlc({ spec: c.spec.tla, cfg: c.spec.cfg, module: c.spec.module, toolchain: await toolchain(), maxDiskBytes: 2 ** 20, tmpRoot });
    expect(run.outcome).toBe("failed");
    if (run.outcome !== "failed") return;
    expect(run.message).toMatch(/^state space too large: TLC's states on disk passed 1 MiB and it was stopped before filling the disk$/);
    expect(run.hint).toMatch(/FAULTLINE_MAX_DISK_MB/);
    expect(await readdir(tmpRoot)).toEqual([]);
  });
});
