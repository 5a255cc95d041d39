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
