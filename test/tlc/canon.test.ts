// faultline's view of a symmetric spec's states (src/tlc/canon.ts, canon/Canon.java):
// the same states, verdicts and traces as TLC's SYMMETRY, and SYMMETRY whenever
// the class cannot be had; and the main class of a local run (canon/Launch.java),
// with tlc2.TLC whenever it cannot be had.
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { family2 } from "../../bench/family2.js";
import { compile } from "../../src/check.js";
import { mkdirs } from "../../src/files.js";
import { explore } from "../../src/explore/index.js";
import { CANON_MODULE, RUN_MODULE, canonClasses, canonRun, wantsCanon } from "../../src/tlc/canon.js";
import type { Toolchain } from "../../src/tlc/locate.js";
import { runTlc } from "../../src/tlc/run.js";
import { toolchain } from "../helpers/toolchain.js";

let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), "faultline-canon-"));
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

function spec(k: number, f: number, w: number, l: number, fixed: boolean) {
  const def = family2({ k, f, w, l }, fixed);
  const c = compile(def);
  if (!c.ok) throw new Error("invalid");
  return { def, c };
}

describe("the run's view of a symmetric spec", () => {
  it("wraps the spec: a VIEW in place of SYMMETRY, the spec's own text untouched", () => {
    const { c } = spec(2, 2, 1, 1, true);
    expect(c.spec.tla).toContain("SymmetryGroups == <<<<ioctl1, ioctl2>>, <<reader1, reader2>>>>\n");
    expect(wantsCanon(c.spec.tla, c.spec.cfg, c.spec.module)).toBe(true);
    const run = canonRun(c.spec.module, c.spec.cfg);
    expect(run.module).toBe(RUN_MODULE);
    expect(run.files.get(`${RUN_MODULE}.tla`)).toContain(`EXTENDS ${c.spec.module}, ${CANON_MODULE}\nFaultlineView == CanonView(vars, pc, SymmetryGroups)\n`);
    expect(run.files.get(`${RUN_MODULE}.cfg`)).toBe(c.spec.cfg.replace("SYMMETRY Symmetry\n", "VIEW FaultlineView\n"));
    expect(run.files.get(`${CANON_MODULE}.tla`)).toContain("CanonView(vs, at, gs) == vs\n");
    // No groups, no view; nor for a spec whose module would clash with the run's.
    const off = compile(family2({ k: 2, f: 2, w: 1, l: 1 }, true), { symmetry: false });
    if (!off.ok) throw new Error("invalid");
    expect(wantsCanon(off.spec.tla, off.spec.cfg, off.spec.module)).toBe(false);
    expect(wantsCanon(c.spec.tla, c.spec.cfg, RUN_MODULE)).toBe(false);
  });

  it("finds the states, the depth and the verdict TLC's SYMMETRY finds, and the explorer's count", async () => {
    const tc = await toolchain();
    for (const [k, f, w, l] of [
      [3, 3, 2, 1],
      [2, 2, 2, 1],
      [1, 3, 2, 1],
    ] as const) {
      for (const fixed of [true, false]) {
        const { def, c } = spec(k, f, w, l, fixed);
        const opts = { spec: c.spec.tla, cfg: c.spec.cfg, module: c.spec.module, toolchain: tc, cds: { cacheDir: cache } };
        const [view, sym] = await Promise.all([runTlc(opts), runTlc({ ...opts, canon: false })]);
        expect([view.canon, sym.canon]).toEqual([true, false]);
        const ex = explore(def, { symmetry: c.symmetry.groups.map((g) => g.threads) });
        const seen = (r: typeof view) => (r.outcome === "ok" || r.outcome === "invariant" ? [r.outcome, r.stats.distinct, r.stats.generated, r.stats.depth] : [r.outcome]);
        expect(seen(view), `K${k} F${f} W${w} L${l} ${fixed ? "fixed" : "buggy"}`).toEqual(seen(sym));
        expect(view.outcome === "ok" ? view.stats.distinct : undefined).toBe(view.outcome === "ok" ? ex.distinct : undefined);
        if (view.outcome === "invariant" && sym.outcome === "invariant") {
          // A counterexample as short, of the same finding, replayed through the view.
          expect(view.invariant).toBe("NoDeadlock");
          expect(view.trace.states.length).toBe(sym.trace.states.length);
        }
      }
    }
  }, 180_000);

  it("keeps SYMMETRY where there is no javac beside the java (a JRE), or when turned off", async () => {
    const tc = await toolchain();
    // A java that is a script: nothing called javac beside it.
    const bin = join(cache, "jre", "bin");
    await mkdirs(bin);
    await writeFile(join(bin, "java"), `#!/bin/sh\nexec ${JSON.stringify(tc.java)} "$@"\n`);
    await chmod(join(bin, "java"), 0o755);
    const jre: Toolchain = { ...tc, java: join(bin, "java") };
    expect(await canonClasses(jre, { cacheDir: join(cache, "jre-cache") })).toBeUndefined();
    expect(await canonClasses(tc, { cacheDir: cache, enabled: false })).toBeUndefined();
    const { def, c } = spec(2, 2, 2, 1, true);
    const r = await runTlc({ spec: c.spec.tla, cfg: c.spec.cfg, module: c.spec.module, toolchain: jre, cds: { cacheDir: join(cache, "jre-cache") } });
    const ex = explore(def, { symmetry: c.symmetry.groups.map((g) => g.threads) });
    expect([r.outcome, r.canon, r.launch, r.outcome === "ok" && r.stats.distinct]).toEqual(["ok", false, false, ex.distinct]);
    expect(ex.distinct).toBe(954);
    // Nothing compiled, nothing marked off: a JDK installed later is used.
    expect(await readdir(join(cache, "jre-cache"))).not.toContain("canon");
  }, 60_000);

  it("compiles the classes once for checks that start together, and removes the class dirs no run will use", async () => {
    const tc = await toolchain();
    const dir = join(cache, "together");
    // Left by earlier runs: compiled against a jar since gone, by a faultline
    // before the note, and something that is not a class dir at all.
    const gone = join(dir, "canon", "0123456789abcdef");
    await mkdirs(join(gone, "faultline"));
    await writeFile(join(gone, "jar.json"), `${JSON.stringify({ jar: join(dir, "gone.jar"), size: 1, mtimeMs: 1 })}\n`);
    await mkdirs(join(dir, "canon", "fedcba9876543210", "faultline"));
    await mkdirs(join(dir, "canon", "mine"));
    const got = await Promise.all([canonClasses(tc, { cacheDir: dir }), canonClasses(tc, { cacheDir: dir }), canonClasses(tc, { cacheDir: dir })]);
    expect(got[0]).toMatch(/canon\/[0-9a-f]{16}$/);
    expect(new Set(got).size).toBe(1);
    expect((await readdir(join(dir, "canon"))).sort()).toEqual([got[0]?.split("/").pop(), "mine"].sort());
    expect(await readdir(join(got[0] as string, "faultline"))).toEqual(expect.arrayContaining(["Canon.class", "Launch.class"]));
    // Its own note names the jar, so that a later compile can tell it is stale.
    expect(JSON.parse(await readFile(join(got[0] as string, "jar.json"), "utf8"))).toMatchObject({ jar: tc.jar });
  }, 60_000);

  it("runs a check through faultline.Launch, and through tlc2.TLC when that cannot be loaded", async () => {
    const tc = await toolchain();
    const dir = join(cache, "launch");
    // No groups: no view, but the main class all the same.
    const def = family2({ k: 1, f: 2, w: 1, l: 1 }, false);
    const c = compile(def, { symmetry: false });
    if (!c.ok) throw new Error("invalid");
    const ex = explore(def);
    const run = () => runTlc({ spec: c.spec.tla, cfg: c.spec.cfg, module: c.spec.module, toolchain: tc, cds: { cacheDir: dir } });
    const seen = (r: Awaited<ReturnType<typeof run>>) => [r.outcome, r.canon, r.launch, r.outcome === "invariant" ? [r.invariant, r.trace.states.length] : undefined];
    const ok = await run();
    expect(ok.outcome).toBe("invariant");
    const depth = ok.outcome === "invariant" ? ok.trace.states.length : 0;
    expect(seen(ok)).toEqual(["invariant", false, true, ["NoDeadlock", depth]]);
    expect(ex.verdict).toBe("deadlock");
    // A class file that is not one: the JVM cannot load the main class, and
    // the check runs again with TLC's own; the view goes with it.
    const classes = await canonClasses(tc, { cacheDir: dir });
    await writeFile(join(classes as string, "faultline", "Launch.class"), "not a class\n");
    expect(seen(await run())).toEqual(["invariant", false, false, ["NoDeadlock", depth]]);
    const sym = spec(1, 2, 2, 1, true);
    const r = await runTlc({ spec: sym.c.spec.tla, cfg: sym.c.spec.cfg, module: sym.c.spec.module, toolchain: tc, cds: { cacheDir: dir } });
    const exSym = explore(sym.def, { symmetry: sym.c.symmetry.groups.map((g) => g.threads) });
    expect([r.outcome, r.canon, r.launch, r.outcome === "ok" && r.stats.distinct]).toEqual(["ok", false, false, exSym.distinct]);
  }, 60_000);
});
