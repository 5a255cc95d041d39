// Parses a spec with SANY, TLA+'s own front end, as reviewers' tools would.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { toolchain } from "./toolchain.js";

/** SANY's error banners (tla2sany/drivers/SANY.java): parse, semantic and lexical errors. */
export const SANY_ERROR = /\*\*\* ?(Parse|Semantic|Lexical|Abort)|Fatal errors|Could not parse/;

export async function sany(module: string, tla: string): Promise<{ ok: boolean; output: string }> {
  const tc = await toolchain();
  const dir = await mkdtemp(path.join(tmpdir(), "faultline-sany-"));
  try {
    await writeFile(path.join(dir, `${module}.tla`), tla);
    const r = await execa(tc.java, ["-cp", tc.jar, "tla2sany.SANY", `${module}.tla`], { cwd: dir, reject: false, all: true });
    const output = r.all ?? "";
    const ok = r.exitCode === 0 && !SANY_ERROR.test(output);
    return { ok, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Several modules parsed by one SANY (one JVM start for all): each module's
 * result, from its part of the output (SANY prints its banner once per file).
 */
export async function sanyAll(modules: readonly { module: string; tla: string }[]): Promise<Map<string, { ok: boolean; output: string }>> {
  const tc = await toolchain();
  const dir = await mkdtemp(path.join(tmpdir(), "faultline-sany-"));
  try {
    for (const m of modules) await writeFile(path.join(dir, `${m.module}.tla`), m.tla);
    const r = await execa(tc.java, ["-cp", tc.jar, "tla2sany.SANY", ...modules.map((m) => `${m.module}.tla`)], { cwd: dir, reject: false, all: true });
    const parts = (r.all ?? "").split(/^\*{6} SANY2 Version .*$/m).slice(1);
    if (parts.length !== modules.length) throw new Error(`SANY parsed ${parts.length} of ${modules.length} files (exit ${r.exitCode}):\n${r.all}`);
    return new Map(modules.map((m, i) => {
      const output = parts[i] ?? "";
      return [m.module, { ok: !SANY_ERROR.test(output), output }];
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
