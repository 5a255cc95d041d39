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
import { and, implies, not } from "../../src/dsl/expr.js";
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

describe("one spelling per lock", () => {
  it("spells a per-process lock &app->mmap_lock in the waits, the trace, the state, the lockdep block, JSON and HTML", async () => {
    const x = await render(
      model("two spellings", (m) => {
        const app = m.process("app");
        const inode = m.process("inode");
        const iMutex = inode.mutex("i_mutex");
        app.thread("fault", (t) => { t.downRead(app.mmapLock); t.lock(iMutex); t.unlock(iMutex); t.upRead(app.mmapLock); });
        app.thread("write", (t) => { t.lock(iMutex); t.downWrite(app.mmapLock); t.upWrite(app.mmapLock); t.unlock(iMutex); });
      }),
    );
    expect(x.r.verdict).toBe("deadlock");
    for (const out of [x.text, x.full, JSON.stringify(x.json.steps), JSON.stringify(x.json.details), JSON.stringify(x.json.lockdep)]) {
      expect(out).not.toMatch(/app\.mmap_lock|inode\.i_mutex/);
    }
    expect(x.text).toMatch(/fault waits for &inode->i_mutex at fidelity\.test\.ts:\d+: held by write/);
    expect(x.text).toMatch(/write waits for &app->mmap_lock \(write\) at fidelity\.test\.ts:\d+: held for read by fault/);
    expect(x.full).toContain("| &app->mmap_lock: read-held by fault");
    expect(x.full).toContain("| &inode->i_mutex: held by write");
    const wait = x.json.waits.find((w) => w.thread === "write");
    expect(wait).toMatchObject({ lock: "&app->mmap_lock", lockName: "app.mmap_lock", mode: "write" });
    expect(x.html).toContain("waits for &amp;app-&gt;mmap_lock (write)");
    expect(x.html).not.toMatch(/app\.mmap_lock|inode\.i_mutex/);
  });

  it("spells it so in a lock-leak's explanation and in held() of an invariant", async () => {
    const x = await render(
      model("leak spelling", (m) => {
        const app = m.process("app");
        app.thread("T", (t) => { t.downRead(app.mmapLock); });
      }),
    );
    expect(x.r.verdict).toBe("lock-leak");
    expect(x.json.summary).toMatch(/^T finished holding &app->mmap_lock \(read\), taken in step 1 at fidelity\.test\.ts:\d+$/);
    expect(x.html).toContain("T finished holding &amp;app-&gt;mmap_lock (read)");
    const inv = await render(
      model("held spelling", (m) => {
        const app = m.process("app");
        const T = app.thread("T", (t) => { t.downWrite(app.mmapLock); t.upWrite(app.mmapLock); });
        m.invariant("never write-held", not(m.held(app.mmapLock, T, "write")));
      }),
    );
    expect(inv.r.verdict).toBe("invariant");
    expect(inv.text).toContain("&app->mmap_lock");
    expect(inv.text).not.toContain("app.mmap_lock");
  });
});

describe("regions of the same name in two processes", () => {
  it("are named by their process wherever the name alone is ambiguous", async () => {
    const x = await render(
      model("two pagemap buffers", (m) => {
        const P = m.process("P");
        const Q = m.process("Q");
        const outP = P.region("pagemap_out_buf");
        const outQ = Q.region("pagemap_out_buf");
        const only = P.region("only_in_P");
        const pDone = m.bool("p_done", false);
        const qDone = m.bool("q_done", false);
        P.thread("P read", (t) => { t.putUser(outP); t.load(only); t.set(pDone, true); });
        Q.thread("Q read", (t) => { t.putUser(outQ); t.set(qDone, true); });
        P.thread("check", (t) => { t.await(pDone); t.await(qDone); t.assert(false, "both ran"); });
      }),
    );
    expect(x.r.verdict).toBe("assertion");
    const ops = x.json.steps.map((s) => s.operation);
    expect(ops).toContain("put_user(P:pagemap_out_buf)");
    expect(ops).toContain("put_user(Q:pagemap_out_buf)");
    expect(ops).toContain("load(only_in_P)");
    expect(ops).not.toContain("put_user(pagemap_out_buf)");
    expect(x.text).toContain("put_user(P:pagemap_out_buf)");
    expect(x.text).toContain("put_user(Q:pagemap_out_buf)");
    expect(x.html).toContain("put_user(Q:pagemap_out_buf)");
  });
});

describe("conditions and names printed back", () => {
  it("explains a violated implies(), a negated eq(false) and the held()/at() parts of a condition", async () => {
    const x = await render(
      model("implies", (m) => {
        const app = m.process("app");
        const l = m.mutex("l");
        const freed = m.bool("tables_freed", false);
        const U = app.thread("U munmap", (t) => { t.label("inside"); t.lock(l); t.unlock(l); });
        m.invariant("tables freed once munmap is done", implies(m.done(U), freed));
        m.invariant("inside means holding", implies(m.at(U, "inside"), not(m.held(l, U))));
      }),
    );
    expect(x.r.verdict).toBe("invariant");
    expect(x.json.details).toEqual(["done(U munmap) is true but tables_freed is false", "with done(U munmap) = true, tables_freed = false"]);
    expect(x.text).toContain("  done(U munmap) is true but tables_freed is false\n  with done(U munmap) = true, tables_freed = false");
    expect(x.html).toContain("<li>done(U munmap) is true but tables_freed is false</li>");

    const y = await render(
      model("eq false", (m) => {
        const app = m.process("app");
        const l = m.mutex("l");
        const reused = m.bool("reused_marked_table", false);
        const T = app.thread("T", (t) => { t.lock(l); t.set(reused, true); t.label("crit"); t.unlock(l); });
        m.invariant("not reused while T holds l in crit", not(and(m.at(T, "crit"), m.held(l, T), reused.eq(true))));
      }),
    );
    expect(y.r.verdict).toBe("invariant");
    expect(y.json.details).toEqual(["at(T, crit) && held(&l by T) && reused_marked_table holds", "with at(T, crit) = true, held(&l by T) = true, reused_marked_table = true"]);
    const z = await render(
      model("eq false", (m) => {
        const reused = m.bool("reused_marked_table", false);
        m.process("app").thread("T", (t) => { t.set(reused, true); });
        m.invariant("never reused", reused.eq(false));
      }),
    );
    expect(z.json.details).toEqual(["reused_marked_table is true", "with reused_marked_table = true"]);
    expect(z.r.spec?.tla).toContain("!reused_marked_table");
    expect(z.r.spec?.tla).not.toContain("reused_marked_table == false");
  });

  it("explains an assertion without double negations, and assert(false) with its message alone", async () => {
    const x = await render(
      model("double negation", (m) => {
        const app = m.process("app");
        const inv = m.bool("invalidated", false);
        app.thread("T", (t) => { t.assert(not(not(inv)), "must be invalidated"); });
      }),
    );
    expect(x.json.details).toEqual(["invalidated is false", "with invalidated = false"]);
    expect(x.text).not.toContain("!!");
    const y = await render(
      model("assert false", (m) => {
        m.process("app").thread("T", (t) => { t.assert(false, "reached"); });
      }),
    );
    expect(y.json.summary).toMatch(/^assertion failed in T at fidelity\.test\.ts:\d+: reached$/);
    expect(y.json.details).toEqual([]);
    expect(y.text).not.toContain("false is false");
  });

  it("prints a procedure whose name reads as a call once, and says 'an enum'", async () => {
    const x = await render(
      model("dax", (m) => {
        const app = m.process("app");
        const l = m.mutex("l");
        const entered = m.bool("entered", false);
        const fault = m.proc("__dax_fault(write)", (p) => { p.set(entered, true); p.lock(l); p.unlock(l); });
        const buf = app.region("dax_map", { fault });
        app.thread("W", (t) => { t.lock(l); t.store(buf); t.unlock(l); });
      }),
    );
    expect(x.r.verdict).toBe("deadlock");
    const vias = x.json.steps.map((s) => s.via).filter(Boolean);
    expect(vias).toContain("__dax_fault(write) <- page fault on dax_map");
    for (const out of [x.text, x.full, x.html, JSON.stringify(x.json)]) expect(out).not.toContain("(write)()");
    const bad = await render(
      model("enum vs int", (m) => {
        const state = m.enum("state", ["idle", "busy"], "idle");
        const n = m.int("n", { min: 0, max: 2 }, 0);
        m.process("app").thread("T", (t) => { t.await(state.eq(n as never)); });
      }),
    );
    expect(bad.r.verdict).toBe("invalid");
    expect(bad.text).toMatch(/error FL221: compares an enum with an int/);
    expect(bad.json.diagnostics[0]?.message).toBe("compares an enum with an int");
  });
});

describe("a wait inside a fault procedure", () => {
  it("names the procedure and the page fault it runs in, with the line that faulted", async () => {
    const x = await render(
      model("wait in fault", (m) => {
        const app = m.process("app");
        const pgLocked = m.mutex("page_P.PG_locked");
        const entered = m.bool("entered", false);
        const nopage = m.proc("filemap_nopage(P)", (p) => { p.set(entered, true); p.lock(pgLocked); p.unlock(pgLocked); });
        const map = app.region("mmap_of_P", { fault: nopage });
        app.thread("W write(2)", (t) => {
          t.lock(pgLocked);
          t.copyFromUser(map);
          t.unlock(pgLocked);
        });
      }),
    );
    expect(x.r.verdict).toBe("deadlock");
    const src = (await readFile(path.join(import.meta.dirname, "fidelity.test.ts"), "utf8")).split("\n");
    const lockLine = src.findIndex((l) => l.includes('p.lock(pgLocked); p.unlock(pgLocked)')) + 1;
    const faultLine = src.findIndex((l) => l.includes("t.copyFromUser(map);")) + 1;
    const want = `W write(2) waits for &page_P->PG_locked at fidelity.test.ts:${lockLine} (in filemap_nopage(P) <- page fault on mmap_of_P at fidelity.test.ts:${faultLine}): held by W write(2)`;
    expect(x.text).toContain(`  ${want}\n`);
    expect(x.json.waits[0]).toMatchObject({ text: want, via: `in filemap_nopage(P) <- page fault on mmap_of_P at fidelity.test.ts:${faultLine}` });
    expect(x.json.lockdep?.chain[0]).toContain(`at fidelity.test.ts:${lockLine} in filemap_nopage(P) <- page fault on mmap_of_P at fidelity.test.ts:${faultLine} (held by W write(2))`);
    expect(x.html).toContain(want.replace(/&/g, "&amp;").replace(/>/g, "&gt;").replace(/</g, "&lt;"));
  });
});

describe("a page fault in the trace", () => {
  it("is shown where its handler starts, not in the earlier step where merging decided it", async () => {
    const x = await render(
      model("late handler", (m) => {
        const app = m.process("app");
        const x = m.bool("x", false);
        const y = m.bool("y", false);
        const handler = m.proc("fault_handler", (p) => { p.assert(not(y), "handler ran after T"); });
        const buf = app.region("buf", { fault: handler });
        app.thread("F2", (t) => { t.set(x, true); t.store(buf); });
        app.thread("T", (t) => { t.await(x); t.downWrite(app.mmapLock); t.set(y, true); t.upWrite(app.mmapLock); });
      }),
    );
    expect(x.r.verdict).toBe("assertion");
    const steps = x.json.steps.map((s) => `${s.index} ${s.thread} ${s.operation} ${s.effect}`);
    // F2's fault was decided in step 1 (merged with x = true); its handler starts after T's steps.
    expect(steps.slice(0, 3)).toEqual(["1 F2 x = true x: false -> true", "2 T wait_event(x) condition holds, continues", "3 T down_write(&app->mmap_lock) acquired for write"]);
    // T's down_write step also runs `y = true` and up_write (y is touched only under mmap_lock: merge.ts).
    expect(steps.slice(3, 5)).toEqual(["4 T y = true y: false -> true", "5 T up_write(&app->mmap_lock) released"]);
    const f = steps.indexOf("6 F2 store(buf) page fault");
    expect(f).toBe(5);
    expect(steps[f + 1]).toMatch(/^7 F2 down_read\(&app->mmap_lock\) /);
    const fs = x.r.finding?.steps ?? [];
    expect([fs[5]?.tlcStep, fs[5]?.merged, fs[6]?.tlcStep, fs[6]?.merged]).toEqual([fs[2] ? fs[2].tlcStep + 1 : -1, false, fs[2] ? fs[2].tlcStep + 1 : -1, true]);
    expect(x.text).toMatch(/\n  6  F2 +store\(buf\) +page fault +fidelity\.test\.ts:\d+\n  7  F2 +down_read\(&app->mmap_lock\)/);
    expect(x.html).toMatch(/6\. F2: store\(buf\) -&gt; page fault .*\n7\. F2: down_read/);
  });
});

describe("a thread merging runs entirely in the initial state", () => {
  it("is said to have run, and when it could have", async () => {
    const x = await render(
      model("folded into Init", (m) => {
        const p = m.process("p");
        const q = m.mutex("q");
        const x = m.bool("x", false);
        p.thread("C quiet", (t) => { t.lock(q); t.unlock(q); });
        p.thread("E empty", (t) => { t.pagefaultDisable(); t.pagefaultEnable(); });
        p.thread("A", (t) => { t.set(x, true); t.assert(false, "end"); });
      }),
    );
    expect(x.r.verdict).toBe("assertion");
    const notes = [
      "C quiet ran its whole body in the initial state (steps 1-2): nothing it does is visible to the other threads, so it could have run at any point of the trace",
      "E empty has no operation another thread could see, and finished in the initial state: nothing it does is visible to the other threads, so it could have run at any point of the trace",
    ];
    expect(x.json.notes).toEqual(notes);
    for (const n of notes) {
      expect(x.full.split("\n")).toContain(`  note: ${n}`);
      expect(x.html).toContain(`<li>${n}</li>`);
    }
    expect(x.json.steps.slice(0, 2).map((s) => `${s.thread} ${s.operation}`)).toEqual(["C quiet mutex_lock(&q)", "C quiet mutex_unlock(&q)"]);
  });
});

describe("the focused default view", () => {
  it("keeps the other thread's step a lock-leak depends on, and hides the rest", async () => {
    const x = await render(
      model("dax leak", (m) => {
        const app = m.process("app");
        const iMmap = m.rwsem("i_mmap_rwsem");
        const page = m.bool("page", false);
        const noise = m.bool("noise", false);
        const seen = m.bool("W.page", false);
        app.thread("R read fault", (t) => { t.set(noise, true); t.set(page, true); });
        app.thread("W write fault", (t) => {
          t.downWrite(iMmap);
          t.set(seen, page);
          t.if(seen, () => {}, (e) => e.upWrite(iMmap));
        });
      }),
    );
    expect(x.r.verdict).toBe("lock-leak");
    const trace = x.text.slice(x.text.indexOf("trace (shortest)"), x.text.indexOf("\n\n", x.text.indexOf("trace (shortest)")));
    expect(trace).toMatch(/^trace \(shortest\) \(1 step of other threads hidden; --full shows them\):/);
    expect(trace).toMatch(/R read fault +page = true +page: false -> true/);
    expect(trace).toMatch(/W write fault +W\.page = page +W\.page: false -> true/);
    expect(trace).not.toContain("noise");
    expect(x.full).toContain("noise: false -> true");
  });
});

describe("onFault where page faults are enabled", () => {
  it("is warned about at its line (text, JSON, HTML), and the model is still checked", async () => {
    const x = await render(
      model("dead onFault", (m) => {
        const app = m.process("app");
        const buf = app.region("buf");
        const pinned = app.region("pinned_buf", { pinned: true });
        const failed = m.bool("failed", false);
        const copy = m.proc("copy", (p) => { p.copyToUser(buf, { onFault: (f) => f.set(failed, true) }); });
        app.thread("T1", (t) => { t.copyToUser(buf, { onFault: (f) => f.set(failed, true) }); });
        app.thread("T2", (t) => { t.putUser(pinned, { onFault: (f) => f.set(failed, true) }); });
        app.thread("T3", (t) => { t.call(copy); t.pagefaultDisable(); t.call(copy); t.pagefaultEnable(); });
      }),
    );
    expect(x.r.verdict).toBe("ok");
    const src = (await readFile(path.join(import.meta.dirname, "fidelity.test.ts"), "utf8")).split("\n");
    const line = (needle: string) => src.findIndex((l) => l.includes(needle)) + 1;
    const t1 = line('app.thread("T1", (t) => { t.copyToUser(buf, { onFault');
    const t2 = line('app.thread("T2", (t) => { t.putUser(pinned');
    expect(x.json.diagnostics).toEqual([
      { code: "FL314", severity: "warning", file: "fidelity.test.ts", line: t1, message: "onFault never runs: page faults are enabled here on every path, so a fault runs the fault path and the access does not fail; put the access between pagefaultDisable() and pagefaultEnable(), or drop onFault" },
      { code: "FL314", severity: "warning", file: "fidelity.test.ts", line: t2, message: "onFault never runs: 'pinned_buf' is pinned, so this access never faults; put the access between pagefaultDisable() and pagefaultEnable(), or drop onFault" },
    ]);
    expect(x.text.split("\n")[1]).toBe(`  fidelity.test.ts:${t1}: warning FL314: onFault never runs: page faults are enabled here on every path, so a fault runs the fault path and the access does not fail; put the access between pagefaultDisable() and pagefaultEnable(), or drop onFault`);
    expect(x.text).toMatch(/: ok, no finding/);
    expect(x.html).toContain(`<li>fidelity.test.ts:${t2}: warning FL314: onFault never runs: 'pinned_buf' is pinned`);
  });
});
