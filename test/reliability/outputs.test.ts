// Issue 16, cases 5, 6 and 14: the files faultline writes on request never
// replace an input of the command, a bad output path is a usage error (exit 2)
// before TLC runs, and an output a run did not write never looks current.
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, javaUnder, root } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-out-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A copy of the seed000 models (the deadlock imports _scenario.ts) in a fresh directory. */
async function seedCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmp, "seed-"));
  for (const f of ["_scenario.ts", "as-reported.ts", "pinned-buffer.ts"]) await copyFile(path.join(root, "specs/seed000", f), path.join(dir, f));
  return dir;
}

describe("outputs never destroy inputs", () => {
  it("case 5: --itf and --report naming the model file, or a file it imports, are refused with exit 2 and the files stay as they were", async () => {
    const dir = await seedCopy();
    const model = path.join(dir, "as-reported.ts");
    const imported = path.join(dir, "_scenario.ts");
    const before = [await readFile(model, "utf8"), await readFile(imported, "utf8")];
    for (const args of [
      ["--itf", model],
      ["--report", model],
      ["--itf", imported],
      ["--report", imported],
    ]) {
      const r = await faultline(["check", ...args, model], { FAULTLINE_NO_CDS: "1" });
      expect(r.exitCode, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/is (the model file|a file the model imports); writing it would destroy it/);
      expect(r.stdout).not.toContain("DEADLOCK"); // refused before TLC ran
    }
    expect([await readFile(model, "utf8"), await readFile(imported, "utf8")]).toEqual(before);
  });

  it("case 6: --report in a missing directory, --itf naming a directory and gen --out naming a file are usage errors (exit 2), no stack", async () => {
    const dir = await mkdtemp(path.join(tmp, "bad-"));
    const model = "specs/seed000/as-reported.ts";
    const missing = await faultline(["check", "--report", path.join(dir, "nope", "r.html"), model]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--report '.*nope\/r\.html': the directory '.*nope' does not exist/);
    const isDir = await faultline(["check", "--itf", dir, model]);
    expect(isDir.exitCode).toBe(2);
    expect(isDir.stderr).toMatch(/--itf '.*' is a directory; name a file to write/);
    const file = path.join(dir, "a-file");
    await writeFile(file, "mine\n");
    const gen = await faultline(["gen", model, "--out", file]);
    expect(gen.exitCode).toBe(2);
    expect(gen.stderr).toMatch(/--out '.*a-file' is a file, not a directory/);
    expect(await readFile(file, "utf8")).toBe("mine\n");
    for (const r of [missing, isDir, gen]) expect(r.stderr).not.toMatch(/internal error|faultline bug|\n\s+at /);
  });

  it("case 14: --itf on a model with no counterexample removes an older ITF there and says so; a file not ours is kept and called not current", async () => {
    const dir = await seedCopy();
    const itf = path.join(dir, "out.itf.json");
    const dl = await faultline(["check", "-q", "--itf", itf, path.join(dir, "as-reported.ts")]);
    expect(dl.exitCode).toBe(1);
    expect(JSON.parse(await readFile(itf, "utf8"))).toHaveProperty("#meta");
    const ok = await faultline(["check", "-q", "--itf", itf, path.join(dir, "pinned-buffer.ts")]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stderr).toContain(`--itf: nothing written to '${itf}': no counterexample (ok); the older '${itf}' was removed`);
    await expect(stat(itf)).rejects.toThrow(/ENOENT/);
    const notes = path.join(dir, "notes.txt");
    await writeFile(notes, "my notes\n");
    const kept = await faultline(["check", "-q", "--itf", notes, path.join(dir, "pinned-buffer.ts")]);
    expect(kept.exitCode).toBe(0);
    expect(kept.stderr).toContain("the file already there is not current");
    expect(await readFile(notes, "utf8")).toBe("my notes\n");
  });

  it("case 6: gen --out into a new nested directory still works, and refuses to overwrite an input", async () => {
    const dir = await mkdtemp(path.join(tmp, "gen-"));
    const out = path.join(dir, "a", "b");
    const r = await faultline(["gen", "specs/seed000/as-reported.ts", "--out", out]);
    expect(r.exitCode).toBe(0);
    expect(await readFile(path.join(out, "seed000_as_reported.tla"), "utf8")).toBe(await readFile(path.join(root, "specs/seed000/seed000_as_reported.tla"), "utf8"));
    // A model that imports the very map file gen would write.
    const src = await mkdtemp(path.join(tmp, "self-"));
    await mkdir(src, { recursive: true });
    await writeFile(path.join(src, "selfmap.map.json"), "{}\n");
    await writeFile(
      path.join(src, "m.ts"),
      `import { model } from "faultline";\nimport data from "./selfmap.map.json";\nvoid data;\nexport default model("selfmap", (m) => { const a = m.mutex("a"); m.process("p").thread("T", (t) => { t.lock(a); t.unlock(a); }); });\n`,
    );
    const self = await faultline(["gen", path.join(src, "m.ts"), "--out", src]);
    expect(self.exitCode).toBe(2);
    expect(self.stderr).toMatch(/selfmap\.map\.json' is a file the model imports; writing it would destroy it/);
    expect(await readFile(path.join(src, "selfmap.map.json"), "utf8")).toBe("{}\n");
  });

  it("case 6: an output that cannot be written after the verdict still prints the verdict, says why, and exits 3", async () => {
    const dir = await seedCopy();
    const runTmp = await mkdtemp(path.join(tmp, "run-"));
    const outDir = path.join(dir, "out");
    await mkdir(outDir);
    const child = faultline(["check", "-q", "--report", path.join(outDir, "r.html"), path.join(dir, "as-reported.ts")], { TMPDIR: runTmp, FAULTLINE_NO_CDS: "1" });
    // The directory goes away while TLC runs, after the path was checked.
    for (let i = 0; i < 300 && (await javaUnder(runTmp)).length === 0; i++) await new Promise((res) => setTimeout(res, 50));
    await rm(outDir, { recursive: true, force: true });
    const r = await child;
    expect(r.stdout).toContain("DEADLOCK");
    expect(r.stderr).toMatch(/--report: could not write: ENOENT/);
    expect(r.stderr).not.toMatch(/faultline bug|\n\s+at /);
    expect(r.exitCode).toBe(3);
  });
});
