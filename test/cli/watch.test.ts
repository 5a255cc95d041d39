// `faultline watch`: a real model in a temporary directory, changed on disk while
// watched (the model's import, then a syntax error, then a fix): each change is
// checked again with its verdict and report; errors do not stop watching; Ctrl-C
// (a real SIGINT) during a check leaves no JVM and no files.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { faultline, javaUnder, leftovers, root } from "../helpers/cli.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-watch-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const dsl = JSON.stringify(path.join(root, "src/index.ts"));

/** Two threads taking two mutexes, in the order `order` gives for the second thread. */
const locks = (order: "ab" | "ba" | "big") => `export const order = ${JSON.stringify(order)};\n`;
const family = JSON.stringify(path.join(root, "bench/family.ts"));
/** order.ts saying "big": the model becomes test/fixtures/loading/big.ts's, which TLC takes minutes over. */
const MODEL = `import { model } from ${dsl};
import { family } from ${family};
import { order } from "./order.js";
export default order === "big" ? family({ k: 3, f: 3, w: 3, l: 3 }, true) : model("watched", (m) => {
  const a = m.mutex("a");
  const b = m.mutex("b");
  const p = m.process("p");
  p.thread("T1", (t) => { t.lock(a); t.lock(b); t.unlock(b); t.unlock(a); });
  const [x, y] = order === "ab" ? [a, b] : [b, a];
  p.thread("T2", (t) => { t.lock(x); t.lock(y); t.unlock(y); t.unlock(x); });
});
`;

async function until(what: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("faultline watch", () => {
  it("checks again when an imported file changes, reports errors and goes on, and Ctrl-C leaves no JVM", async () => {
    const dir = await mkdtemp(path.join(tmp, "model-"));
    const run = await mkdtemp(path.join(tmp, "run-"));
    const file = path.join(dir, "watched.ts");
    await writeFile(path.join(dir, "order.ts"), locks("ab"));
    await writeFile(file, MODEL);
    const child = faultline(["watch", file], { TMPDIR: run });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const count = (re: RegExp) => (out.match(re) ?? []).length;

    await until(() => /watched \(.*watched\.ts\): ok, no finding/.test(out));
    // The import changes: an ABBA deadlock, with its report.
    await writeFile(path.join(dir, "order.ts"), locks("ba"));
    await until(() => /DEADLOCK/.test(out));
    expect(out).toMatch(/changed: checking .*watched\.ts/);
    expect(out).toContain("cycle: T1 -> T2 -> T1");
    // A broken model is reported, and watching goes on.
    await writeFile(file, `${MODEL}\nexport const = ;\n`);
    await until(() => /invalid model/.test(out));
    expect(out).toMatch(/FL003/);
    await writeFile(file, MODEL);
    await until(() => count(/DEADLOCK/g) === 2);

    // Ctrl-C while TLC runs: the check is stopped, its JVM and files are gone.
    await writeFile(path.join(dir, "order.ts"), locks("big"));
    await until(async () => (await javaUnder(run)).length > 0);
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("stopped watching; every TLC was stopped");
    expect(await javaUnder(run)).toEqual([]);
    expect(await leftovers(run)).toEqual([]);
  });
});
