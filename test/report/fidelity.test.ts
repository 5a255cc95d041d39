// Issue 17: reports that say exactly what happened. Each model runs through real
// TLC, and the test reads what a user reads: the text report, the --json result
// (validated against its schema) and the --report HTML page.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { type CheckResult, check } from "../../src/check.js";
import { resultJson } from "../../src/cli/json.js";
import { formatResult, makeStyle } from "../../src/cli/print.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { reportHtml } from "../../src/report/html.js";
import { toolchain } from "../helpers/toolchain.js";

const root = path.resolve(import.meta.dirname, "../..");
const schema = JSON.parse(await readFile(path.join(root, "schema/result.schema.json"), "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: false }).compile({ ...schema, $id: undefined });

interface Rendered {
  readonly r: CheckResult;
  readonly text: string;
  readonly full: string;
  readonly json: ReturnType<typeof resultJson>;
  readonly html: string;
}

async function render(def: ModelDef): Promise<Rendered> {
  const r = await check(def, { toolchain: await toolchain() });
  const json = resultJson("model.ts", r);
  expect(validate({ schema: "faultline.result/1", results: [json] }), JSON.stringify(validate.errors)).toBe(true);
  return {
    r,
    text: formatResult(r, "model.ts", makeStyle(false)),
    full: formatResult(r, "model.ts", makeStyle(false), { full: true }),
    json,
    html: reportHtml(r, "model.ts", []),
  };
}

/** The lockdep scenario's rows as `thread: cell`. */
const scenario = (x: Rendered) => (x.json.lockdep?.rows ?? []).map((row) => `${x.json.lockdep?.columns[row.column]}: ${row.text}`);

describe("the lockdep-style scenario", () => {
  it("shows no <page fault> for an access that failed with -EFAULT, and no releases", async () => {
    const x = await render(
      model("efault", (m) => {
        const app = m.process("app");
        const a = m.mutex("a");
        const b = m.mutex("b");
        const buf = app.region("buf");
        app.thread("T1", (t) => {
          t.lock(a);
          t.pagefaultDisable();
          t.copyToUser(buf);
          t.copyToUser(buf, { onFault: (f) => { f.lock(b); f.unlock(b); } });
          t.pagefaultEnable();
          t.unlock(a);
        });
        app.thread("T2", (t) => { t.lock(b); t.unlock(b); t.lock(b); t.lock(a); t.unlock(a); t.unlock(b); });
      }),
    );
    expect(x.r.verdict).toBe("deadlock");
    expect(x.full).toContain("page fault with page faults disabled: -EFAULT");
    const rows = scenario(x);
    expect(rows).not.toContain("T1: <page fault>");
    expect(rows.filter((c) => /unlock|<page fault>/.test(c))).toEqual([]);
    expect(rows.filter((c) => c.startsWith("T1:"))).toEqual(["T1: lock(&a);", "T1: lock(&b);"]);
    const lockdepText = x.text.slice(x.text.indexOf("Possible unsafe locking scenario"));
    const lockdepHtml = x.html.slice(x.html.indexOf('<pre id="lockdep">'), x.html.indexOf("</pre>", x.html.indexOf('<pre id="lockdep">')));
    expect(lockdepText).toContain("lock(&b);");
    expect(lockdepHtml).toContain("lock(&amp;b);");
    expect(lockdepText).not.toMatch(/<page fault>|unlock/);
    expect(lockdepHtml).not.toMatch(/&lt;page fault&gt;|unlock/);
  });
});
