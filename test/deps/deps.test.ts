// The reviewer's toolkit on real models, checked end to end with TLC: the lock
// dependency table (seed001's nestings #1-#4 and the one the mail missed),
// lockdep's potential cycles (seed003 with and without its mmap() thread) and
// the evidence printed under an `ok`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { resultJson } from "../../src/cli/json.js";
import { formatResult, makeStyle } from "../../src/cli/print.js";
import { lockEndText } from "../../src/deps/index.js";
import { model } from "../../src/index.js";
import { reportHtml } from "../../src/report/html.js";
import proposal from "../../specs/seed001/tglx-bd-sem.js";
import samePprocess from "../../specs/seed003/same-process.js";
import { mmapThread, pagemapRead } from "../../specs/seed003/_pagemap.js";
import { toolchain } from "../helpers/toolchain.js";

const plain = makeStyle(false);
const edgesOf = (r: Awaited<ReturnType<typeof check>>) => (r.insight?.deps.edges ?? []).map((e) => `${lockEndText(e.from)} -> ${lockEndText(e.to)}`);

describe("lock dependency table", () => {
  it("seed001's proposal shows the mail's nestings #1-#4 and the fault's mmap_lock (read) -> mmap_lock (read) in mpx_pre_unmap", async () => {
    const r = await check(proposal, { toolchain: toolchain() });
    expect(r.verdict).toBe("deadlock");
    expect(r.insight?.deps.complete).toBe(true);
    expect(edgesOf(r)).toEqual([
      "&app->mmap_lock (read) -> &app->mmap_lock (read)",
      "&app->bd_sem (read) -> &app->mmap_lock (read)", // #1
      "&app->bd_sem (read) -> &app->mmap_lock (write)", // #2
      "&app->bd_sem (write) -> &app->mmap_lock (read)", // #3
      "&app->bd_sem (write) -> &app->mmap_lock (write)", // #4
    ]);
    const rr = r.insight?.deps.edges[0];
    expect(rr?.sites.map((s) => [s.thread, s.fault?.calls, s.fault?.region])).toEqual([["munmap", ["mpx_pre_unmap", "invalidate_bd_entry"], "bounds_dir"]]);
    const text = formatResult(r, "tglx-bd-sem.ts", plain);
    expect(text).toContain("&app->mmap_lock (read) -> &app->mmap_lock (read)  munmap: _mpx.ts:40 -> _mpx.ts:32 via page fault on bounds_dir in mpx_pre_unmap > invalidate_bd_entry");
    expect(text).toContain("#1 &app->mmap_lock (read) -> &app->mmap_lock (read): realised: the deadlock above");
    // The JSON carries the table and validates against the schema; the HTML shows it.
    const schema = JSON.parse(await readFile(path.resolve("schema/result.schema.json"), "utf8"));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const json = resultJson("tglx-bd-sem.ts", r);
    expect(validate({ schema: "faultline.result/1", results: [json] }), JSON.stringify(validate.errors)).toBe(true);
    expect(json.dependencies?.edges[0]?.sites[0]?.fault).toMatchObject({ region: "bounds_dir", calls: ["mpx_pre_unmap", "invalidate_bd_entry"], handler: null });
    expect(json.potentialCycles).toMatchObject([{ text: "&app->mmap_lock (read) -> &app->mmap_lock (read)", realised: true, shownByTrace: true }]);
    const html = reportHtml(r, "tglx-bd-sem.ts", []);
    expect(html).toContain('<table id="deps">');
    expect(html).toContain("&amp;app-&gt;bd_sem (write)");
  });

  it("an acquire merging absorbs still makes an edge (a mutex no state shows held, inside a fault procedure)", async () => {
    const def = model("absorbed", (m) => {
      const app = m.process("app");
      const inner = m.mutex("inner");
      const fault = m.proc("fill", (p) => {
        p.lock(inner);
        p.unlock(inner);
      });
      const file = app.region("file", { fault });
      app.thread("reader", (t) => t.load(file));
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict).toBe("ok");
    expect(edgesOf(r)).toEqual(["&app->mmap_lock (read) -> &inner"]);
    expect(r.insight?.deps.edges[0]?.sites[0]?.fault).toMatchObject({ region: "file", handler: "fill" });
  });

  it("a loop's iterations are sites of their own but each line is printed once (text and HTML)", async () => {
    const def = model("loop nests", (m) => {
      const app = m.process("app");
      const a = m.mutex("a");
      const b = m.mutex("b");
      app.thread("T", (t) =>
        t.repeat(3, (x) => {
          x.lock(a);
          x.lock(b);
          x.unlock(b);
          x.unlock(a);
        }),
      );
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict, JSON.stringify(r.error)).toBe("ok");
    expect(r.insight?.deps.edges[0]?.sites.length).toBe(3);
    const text = formatResult(r, "loop.ts", plain);
    expect(text.split("\n").filter((l) => l.includes("T: deps.test.ts")).length, text).toBe(1);
    expect(text).toMatch(/&a -> &b {2}T: deps\.test\.ts:\d+ -> deps\.test\.ts:\d+$/m);
    expect(reportHtml(r, "loop.ts", []).match(/<td>T<\/td>/g)?.length).toBe(1);
  });
});

describe("threads(n, ...) twins: the table explored up to symmetry", () => {
  // Three identical ioctls (one of them takes S inside M only when a flag is set
  // by someone else), two readers that fault and wait for a flag: every twin shows
  // what one of them shows, and only some states show each.
  const twins = model("twins", (m) => {
    const app = m.process("app");
    const M = m.mutex("M");
    const S = m.rwsem("S");
    const go = m.bool("go", false);
    const readpage = m.proc("readpage", (p) => {
      p.lock(M);
      p.unlock(M);
    });
    const file = app.region("file", { fault: readpage });
    app.threads(3, "ioctl", (t) => {
      t.lock(M);
      t.if(go, (b) => {
        b.downRead(S);
        b.upRead(S);
      });
      t.unlock(M);
    });
    app.threads(2, "reader", (t) => {
      t.set(go, true);
      t.load(file);
      t.await(go);
    });
  });

  it("gives every twin what one shows: the same table, cycles and evidence as over every state, from fewer states", async () => {
    const { compile } = await import("../../src/check.js");
    const { analyse, insightOf } = await import("../../src/deps/index.js");
    const { observe } = await import("../../src/deps/observe.js");
    const { symmetry } = await import("../../src/ir/symmetry.js");
    const c = compile(twins, { merge: false, symmetry: false });
    if (!c.ok) throw new Error("invalid");
    expect(symmetry(twins.ir, c.program).groups.map((g) => g.threads.length)).toEqual([3, 2]);
    const sym = analyse(twins.ir, c.program);
    const all = insightOf(twins.ir, c.program, observe(twins.ir, c.program, { symmetry: false }));
    expect(sym.deps.upToSymmetry).toBe(true);
    expect(all.deps.upToSymmetry).toBe(false);
    expect(sym.deps.complete && all.deps.complete).toBe(true);
    expect(sym.deps.states).toBeLessThan(all.deps.states / 2);
    const strip = (i: typeof sym) => ({ edges: i.deps.edges, cycles: i.cycles, evidence: i.evidence });
    expect(strip(sym)).toEqual(strip(all));
    // Every twin has its sites, not only the ones the search kept.
    const sites = sym.deps.edges.flatMap((e) => e.sites.map((x) => `${lockEndText(e.from)} -> ${lockEndText(e.to)} ${x.thread}`));
    for (const t of ["ioctl1", "ioctl2", "ioctl3"]) expect(sites).toContain(`&M -> &S (read) ${t}`);
    for (const t of ["reader1", "reader2"]) expect(sites).toContain(`&app->mmap_lock (read) -> &M ${t}`);
    const { scopeText } = await import("../../src/deps/table.js");
    expect(scopeText(sym.deps)).toBe(`all ${sym.deps.states} reachable states up to symmetry, one step per operation`);
  });

  it("family 2 at K3 F3 W2 L1 is explored whole (it gave up after 300,000 states without symmetry)", async () => {
    const { family2 } = await import("../../bench/family2.js");
    const { compile } = await import("../../src/check.js");
    const { analyse } = await import("../../src/deps/index.js");
    const def = family2({ k: 3, f: 3, w: 2, l: 1 }, true);
    const c = compile(def, { merge: false, symmetry: false });
    if (!c.ok) throw new Error("invalid");
    const i = analyse(def.ir, c.program);
    expect(i.deps.complete).toBe(true);
    expect(i.deps.upToSymmetry).toBe(true);
    expect(i.deps.edges.map((e) => `${lockEndText(e.from)} -> ${lockEndText(e.to)} ${[...new Set(e.sites.map((x) => x.thread))].join(" ")}`)).toEqual([
      "&app->mmap_lock (read) -> &M reader1 reader2 reader3",
      "&app->mmap_lock (read) -> &S (read) reader1 reader2 reader3",
      "&M -> &S (read) ioctl1 ioctl2 ioctl3 reader1 reader2 reader3",
    ]);
    expect(i.cycles).toEqual([]);
    // Explored with merged steps (one step per operation is over 100,000 states):
    // S is taken and given back inside one step there, so no acquire sees it
    // taken, but a writer holds it between two operations. Nothing is claimed.
    expect(i.deps.merged).toBe(true);
    expect(i.evidence.complete).toBe(true);
    expect(i.evidence.items.filter((x) => x.kind === "never-contended" || x.kind === "never-blocked")).toEqual([]);
  });
});

describe("potential cycles, lockdep's view", () => {
  it("seed003 without its mmap() thread: potential, not realised, and a thread calling mmap() would realise it", async () => {
    const def = model("pagemap without mmap", (m) => {
      const app = m.process("app");
      const buf = app.region("app.buf");
      app.thread("pagemap_read", pagemapRead(app, app, buf));
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict).toBe("ok");
    expect(r.insight?.cycles.map((c) => [c.text, c.realised])).toEqual([["&app->mmap_lock (read) -> &app->mmap_lock (read)", false]]);
    expect(r.insight?.cycles[0]?.needs).toEqual(["no thread queues a writer on &app->mmap_lock: a thread calling mmap() (or munmap(), mprotect(): down_write) would"]);
    const text = formatResult(r, "x.ts", plain);
    expect(text).toContain("#1 &app->mmap_lock (read) -> &app->mmap_lock (read): not realised by this model's threads");
    expect(text).toContain("would need: no thread queues a writer on &app->mmap_lock: a thread calling mmap()");
  });

  it("seed003 with its mmap() thread: realised, with the trace", async () => {
    const r = await check(samePprocess, { toolchain: toolchain() });
    expect(r.verdict).toBe("deadlock");
    expect(r.insight?.cycles.map((c) => [c.text, c.realised])).toEqual([["&app->mmap_lock (read) -> &app->mmap_lock (read)", true]]);
    expect(r.insight?.shown).toEqual([true]);
    expect(r.finding?.steps.length).toBeGreaterThan(0);
    // Same model with the thread built here, to be sure the two tests differ by it alone.
    const def = model("pagemap with mmap", (m) => {
      const app = m.process("app");
      const buf = app.region("app.buf");
      app.thread("pagemap_read", pagemapRead(app, app, buf));
      mmapThread(app, "mmap");
    });
    const r2 = await check(def, { toolchain: toolchain() });
    expect(r2.insight?.cycles.map((c) => c.realised)).toEqual([true]);
  });

  it("an ABBA taken by one thread only is potential and needs a second thread", async () => {
    const def = model("one thread both orders", (m) => {
      const app = m.process("app");
      const a = m.mutex("a");
      const b = m.mutex("b");
      app.thread("T", (t) => {
        t.lock(a);
        t.lock(b);
        t.unlock(b);
        t.unlock(a);
        t.lock(b);
        t.lock(a);
        t.unlock(a);
        t.unlock(b);
      });
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict).toBe("ok");
    expect(r.insight?.cycles.map((c) => [c.text, c.realised])).toEqual([["&a -> &b, &b -> &a", false]]);
    expect(r.insight?.cycles[0]?.needs.join("\n")).toContain("taken only by T: a second thread running the same code would");
  });
});

describe("evidence for ok", () => {
  it("an ok model whose interesting step is unreachable warns about it", async () => {
    const def = model("vacuous", (m) => {
      const app = m.process("app");
      const l = m.mutex("l");
      const never = m.bool("never", false);
      app.thread("T1", (t) => {
        t.lock(l);
        t.if(never, (b) => b.downWrite(app.mmapLock));
        t.unlock(l);
      });
      app.thread("T2", (t) => {
        t.await(never.eq(false));
        t.lock(l);
        t.unlock(l);
      });
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict).toBe("ok");
    const text = formatResult(r, "vacuous.ts", plain);
    expect(text).toMatch(/warning: never reached: down_write\(&app->mmap_lock\) at deps\.test\.ts:\d+ \(T1\)/);
    expect(text).toMatch(/warning: never waited: wait_event\(.*\) found its condition true every time at deps\.test\.ts:\d+ \(T2\)/);
    expect(r.insight?.evidence.items.map((i) => i.kind)).toEqual(["unreached", "never-blocked"]);
  });

  it("an access never reached is one warning, not one per operation of its fault path", async () => {
    const def = model("no fault", (m) => {
      const app = m.process("app");
      const go = m.bool("go", false);
      const buf = app.region("buf");
      app.thread("T1", (t) => t.if(go, (b) => b.load(buf)));
    });
    const r = await check(def, { toolchain: toolchain() });
    expect(r.verdict).toBe("ok");
    expect(r.insight?.evidence.items.map((i) => i.text)).toEqual([expect.stringMatching(/^never reached: load\(buf\) at/)]);
  });
});
