// The README's vitest example, as a user gets it: faultline built and packed
// (`npm pack`), installed with vitest into a fresh project outside this
// repository, the example type-checked (the matchers' types come from the
// package) and run there against real TLC. Slow (an install): `npm run test:long`.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, expect, it } from "vitest";
import { root } from "../helpers/cli.js";
import { toolchain } from "../helpers/toolchain.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-packed-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** The code block between the README's vitest-example markers. */
async function readmeExample(): Promise<string> {
  const readme = await readFile(path.join(root, "README.md"), "utf8");
  const block = /<!-- vitest-example -->\s*```ts\n([\s\S]*?)```\s*<!-- \/vitest-example -->/.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no vitest-example block");
  return block;
}

it("the README's vitest example passes from a packed tarball in a fresh project, and its types check", async () => {
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  // Build into a staging copy of the package (the repository's own dist is left alone).
  const stage = path.join(tmp, "stage");
  await mkdir(path.join(stage, "scripts"), { recursive: true });
  await mkdir(path.join(stage, "src/tlc"), { recursive: true });
  for (const f of ["package.json", "README.md", "templates", "scripts/install-tlc.mjs", "src/tlc/pinned.json"]) await cp(path.join(root, f), path.join(stage, f), { recursive: true });
  await execa(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json"), "--outDir", path.join(stage, "dist")]);
  const packed = await execa("npm", ["pack", "--silent", "--pack-destination", tmp], { cwd: stage });
  const tarball = path.join(tmp, packed.stdout.trim().split("\n").at(-1) as string);

  const project = path.join(tmp, "project");
  await mkdir(project);
  await writeFile(path.join(project, "package.json"), `${JSON.stringify({ name: "uses-faultline", private: true, type: "module" }, null, 2)}\n`);
  const vitestVersion = JSON.parse(await readFile(path.join(root, "node_modules/vitest/package.json"), "utf8")).version as string;
  const env = { TLA2TOOLS_JAR: (await toolchain()).jar, FAULTLINE_CACHE_DIR: path.join(tmp, "cache"), FAULTLINE_NO_CDS: "1", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
  const install = await execa("npm", ["install", "--prefer-offline", "--no-save", tarball, `vitest@${vitestVersion}`], { cwd: project, env, reject: false, all: true });
  expect(install.exitCode, install.all).toBe(0);
  expect(await readdir(path.join(project, "node_modules/faultline/dist"))).toContain("vitest.d.ts");

  await writeFile(path.join(project, "locks.test.ts"), await readmeExample());
  // A misspelt kind is a type error: the matchers are typed through the package.
  await writeFile(
    path.join(project, "typo.ts"),
    'import { model } from "faultline";\nimport "faultline/vitest";\nimport { expect } from "vitest";\nconst m = model("m", (b) => { b.process("p").thread("T", () => undefined); });\n// @ts-expect-error "dedlock" is not a finding kind\nawait expect(m).toFind("dedlock");\n',
  );
  await writeFile(
    path.join(project, "tsconfig.json"),
    `${JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ["*.ts"] }, null, 2)}\n`,
  );
  const types = await execa(process.execPath, [tsc, "-p", project], { cwd: project, reject: false, all: true });
  expect(types.all).toBe("");
  expect(types.exitCode).toBe(0);

  const run = await execa("npx", ["vitest", "run", "--reporter=verbose"], { cwd: project, env: { ...env, NO_COLOR: "1" }, reject: false, all: true });
  expect(run.all).toMatch(/✓ .*finds the ABBA deadlock/);
  expect(run.all).toMatch(/✓ .*taking the locks in one order is deadlock-free, with no other finding/);
  expect(run.all).toMatch(/Tests\s+2 passed/);
  expect(run.exitCode).toBe(0);
}, 600_000);
