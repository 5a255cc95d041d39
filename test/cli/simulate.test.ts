// check --simulate: TLC's random simulation through the CLI. A finding is the same
// readable report; no finding says how much was sampled and never "ok".
import { describe, expect, it } from "vitest";
import { faultline } from "../helpers/cli.js";

describe("check --simulate", () => {
  it("finds the seed000 deadlock in random behaviours, with the same report", async () => {
    const r = await faultline(["check", "--simulate", "--depth", "20", "--traces", "500", "--seed", "7", "specs/seed000/as-reported.ts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^seed000 as reported \(specs\/seed000\/as-reported\.ts\): DEADLOCK \(random simulation: found in \d+ behaviours? of depth up to 20, seed 7, total/);
    expect(r.stdout).toContain("trace (a random behaviour, not necessarily the shortest):");
    expect(r.stdout).toContain("cycle: T2 reader -> T1 ioctl -> T3 mmap -> T2 reader");
    expect(r.stdout).toContain("*** DEADLOCK ***");
  });

  it("no finding: 'no finding in N behaviours of depth D', never ok, exit 0; JSON carries it", async () => {
    const r = await faultline(["check", "--simulate", "--depth", "15", "--traces", "300", "--seed", "11", "specs/seed000/copy-outside-lock.ts"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/: no finding in 300 behaviours of depth up to 15, seed 11 \(random simulation, not the whole state space; \d+ states generated/);
    expect(r.stdout).not.toMatch(/\bok\b/);
    const j = await faultline(["check", "--json", "--simulate", "--depth", "15", "--traces", "300", "--seed", "11", "specs/seed000/copy-outside-lock.ts"]);
    expect(j.exitCode).toBe(0);
    const res = JSON.parse(j.stdout).results[0];
    expect(res).toMatchObject({ verdict: "no-finding", stats: null, simulation: { behaviours: 300, depth: 15, seed: "11" } });
  });

  it("--depth, --traces and --seed without --simulate, or a bad number, are usage errors (exit 2)", async () => {
    const a = await faultline(["check", "--depth", "5", "specs/seed000/as-reported.ts"]);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain("--depth, --traces and --seed go with --simulate");
    const b = await faultline(["check", "--simulate", "--traces", "0", "specs/seed000/as-reported.ts"]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/--traces.*expected a whole number from 1/);
  });
});
