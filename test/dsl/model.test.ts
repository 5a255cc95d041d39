// DSL -> IR: each builder call becomes plain IR data stamped with its model line.
import { describe, expect, it } from "vitest";
import { model } from "../../src/dsl/model.js";
import type { Stmt } from "../../src/ir/types.js";

const line = () => Number(/:(\d+):\d+\)?$/.exec(new Error().stack?.split("\n")[2] ?? "")?.[1]);

describe("model() builds the IR", () => {
  it("records processes, locks, regions, procedures and threads with file:line", () => {
    let lines: Record<string, number> = {};
    const def = model("ir shape", (m) => {
      const app = m.process("app"); const lp = line();
      const a = m.mutex("A_mutex"); const la = line();
      const decrypt = m.proc("decrypt", (p) => { p.lock(a); p.unlock(a); }); const ld = line();
      const img = app.region("img", { fault: decrypt }); const li = line();
      const buf = app.region("buf", { pinned: true });
      app.thread("T1 ioctl", (t) => {
        t.lock(a); lines = { ...lines, lock: line() };
        t.copyToUser(buf);
        t.unlock(a);
        t.load(img);
        t.downWrite(app.mmapLock);
        t.upWrite(app.mmapLock);
      });
      lines = { ...lines, lp, la, ld, li };
    });
    const ir = def.ir;
    expect(def.diagnostics).toEqual([]);
    expect(ir.name).toBe("ir shape");
    expect(ir.processes).toEqual([{ id: "proc_1", name: "app", mmapLock: "lock1", loc: { file: "model.test.ts", line: lines["lp"], column: expect.any(Number) } }]);
    expect(ir.locks.map((l) => [l.name, l.kind, l.policy, l.process])).toEqual([
      ["app.mmap_lock", "rwsem", "fair", "proc_1"],
      ["A_mutex", "mutex", undefined, undefined],
    ]);
    expect(ir.locks[1]?.loc.line).toBe(lines["la"]);
    expect(ir.regions.map((r) => [r.name, r.backing, r.fault, r.pinned])).toEqual([
      ["img", "file", "fn1", false],
      ["buf", "anon", undefined, true],
    ]);
    expect(ir.regions[0]?.loc.line).toBe(lines["li"]);
    expect(ir.procs[0]?.body.map((s) => s.kind)).toEqual(["acquire", "release"]);
    const body = ir.threads[0]?.body as Stmt[];
    expect(body.map((s) => (s.kind === "acquire" || s.kind === "release" ? `${s.kind}:${s.mode}` : s.kind))).toEqual([
      "acquire:excl", "access", "release:excl", "access", "acquire:write", "release:write",
    ]);
    expect(body[0]?.loc).toEqual({ file: "model.test.ts", line: lines["lock"], column: expect.any(Number) });
    expect(new Set(body.map((s) => s.id)).size).toBe(body.length);
  });

  it("builds shared state, control flow and expressions", () => {
    const def = model("state", (m) => {
      const app = m.process("app");
      const n = m.int("n", { min: 0, max: 2 }, 0);
      const phase = m.enum("phase", ["idle", "busy"], "idle");
      const t1 = app.thread("T1", (t) => {
        t.if(n.lt(2), (b) => b.set(n, n.plus(1)), (b) => b.set(phase, "busy"));
        t.await(phase.eq("busy"));
        t.either((b) => b.label("left"), (b) => b.return());
        t.assert(n.le(2), "n stays small");
      });
      m.invariant("done means busy", m.done(t1));
    });
    const [ifs, aw, either, as] = def.ir.threads[0]?.body ?? [];
    expect(ifs).toMatchObject({ kind: "if", cond: { kind: "cmp", op: "<", left: { kind: "var", variable: "var1" }, right: { kind: "lit", value: 2 } } });
    expect(aw).toMatchObject({ kind: "await", cond: { kind: "cmp", op: "=", right: { kind: "lit", value: "busy" } } });
    expect(either).toMatchObject({ kind: "either", branches: [[{ kind: "label", name: "left" }], [{ kind: "return" }]] });
    expect(as).toMatchObject({ kind: "assert", message: "n stays small" });
    expect(def.ir.vars.map((v) => [v.name, v.domain.kind, v.init])).toEqual([["n", "int", 0], ["phase", "enum", "idle"]]);
    expect(def.ir.invariants[0]).toMatchObject({ name: "done means busy", cond: { kind: "done", thread: "t1" } });
  });

  it("rejects handles that are not what a call expects, naming the call", () => {
    const def = model("bad handle", (m) => {
      const app = m.process("app");
      // biome-ignore lint: deliberately wrong at run time
      app.thread("T1", (t) => t.copyToUser("user_buf" as any));
    });
    expect(def.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FL101", `'copy_to_user' expects a user memory region, got the string "user_buf"`],
    ]);
  });
});
