// Generated specs under specs/: current (golden), deterministic, and accepted by SANY.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { modelFiles } from "../../scripts/specs.js";
import { compile, sourceMapText } from "../../src/check.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { SANY_ERROR, sanyAll } from "../helpers/sany.js";

const files = await modelFiles();

/** Every committed spec parsed by one SANY run (one JVM start, not one per spec). */
let parsed: ReturnType<typeof sanyAll> | undefined;
const parseAll = () => {
  parsed ??= (async () => {
    const specs = [];
    for (const file of files) {
      const c = compile(((await import(file)).default as ModelDef), path.basename(file));
      if (!c.ok) throw new Error(`${file}: model is invalid`);
      specs.push({ module: c.spec.module, tla: await readFile(path.join(path.dirname(file), `${c.spec.module}.tla`), "utf8") });
    }
    return sanyAll(specs);
  })();
  return parsed;
};

describe.each(files.map((f) => [path.relative("specs", path.relative(process.cwd(), f)), f]))("%s", (_name, file) => {
  it("generates the committed spec, byte for byte, every time", async () => {
    const def = (await import(file)).default as ModelDef;
    const a = compile(def, path.basename(file));
    const b = compile(def, path.basename(file));
    if (!a.ok || !b.ok) throw new Error("model is invalid");
    expect(a.spec.tla).toBe(b.spec.tla);
    const dir = path.dirname(file);
    await expect(a.spec.tla).toMatchFileSnapshot(path.join(dir, `${a.spec.module}.tla`));
    await expect(a.spec.cfg).toMatchFileSnapshot(path.join(dir, `${a.spec.module}.cfg`));
    await expect(sourceMapText(a.spec.sourceMap)).toMatchFileSnapshot(path.join(dir, `${a.spec.module}.map.json`));
  });

  it("parses with SANY", async () => {
    const def = (await import(file)).default as ModelDef;
    const c = compile(def, path.basename(file));
    if (!c.ok) throw new Error("model is invalid");
    const r = (await parseAll()).get(c.spec.module);
    expect(r?.output).toContain(`Semantic processing of module ${c.spec.module}`);
    expect(r?.output).not.toMatch(SANY_ERROR);
    expect(r?.ok).toBe(true);
  });
});
