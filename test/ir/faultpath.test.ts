// The fault path's shapes, DSL -> IR -> lowered program (SEMANTICS "User memory
// access and page faults"): FAULT_FLAG_WRITE per fault, get_user_pages under the
// caller's mmap_lock, tracked residency and evict, and the mmap lock's name.
import { describe, expect, it } from "vitest";
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED, FAULT_FLAG_WRITE, and, not } from "../../src/dsl/expr.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { type Node, type Op, lower, successors as successorsOf } from "../../src/ir/program.js";
import { spellOp } from "../../src/ir/spell.js";
import { validate } from "../../src/ir/validate.js";

const line = () => Number(/:(\d+):\d+\)?$/.exec(new Error().stack?.split("\n")[2] ?? "")?.[1]);

/** Each node of `thread` as `op` in kernel words, with the fault/call frames it runs in. */
function spelled(def: ModelDef, thread: string): string[] {
  const v = validate(def.ir, def.diagnostics);
  if (!v.program) throw new Error(v.diagnostics.map((d) => d.message).join("; "));
  const id = def.ir.threads.find((t) => t.name === thread)?.id;
  const tp = v.program.threads.find((t) => t.thread === id);
  return (tp?.nodes ?? []).map((n: Node) => `${spellOp(def.ir, n.op)}${n.via.some((f) => f.kind === "fault") ? " [fault]" : ""}`);
}

function ops(def: ModelDef, thread: string): Op[] {
  const id = def.ir.threads.find((t) => t.name === thread)?.id;
  return lower(def.ir).threads.find((t) => t.thread === id)?.nodes.map((n) => n.op) ?? [];
}

describe("DSL -> IR", () => {
  it("records getUserPages, evict, a tracked region's residency variable and FAULT_FLAG_WRITE with their lines", () => {
    const at: Record<string, number> = {};
    const def = model("ir", (m) => {
      const app = m.process("app", { mmapLock: "mmap_sem" });
      const f = m.proc("f", (p) => {
        p.if(FAULT_FLAG_WRITE, () => {}); at["if"] = line();
      });
      const buf = app.region("buf", { tracked: "absent", fault: f }); at["region"] = line();
      app.thread("T", (t) => {
        t.downRead(app.mmapLock);
        t.getUserPages(buf, { write: true }); at["gup"] = line();
        t.upRead(app.mmapLock);
        t.evict(buf); at["evict"] = line();
      });
    });
    expect(def.diagnostics).toEqual([]);
    const ir = def.ir;
    expect(ir.locks.map((l) => l.name)).toEqual(["app.mmap_sem"]);
    const region = ir.regions[0];
    expect(region?.resident).toBeDefined();
    const present = ir.vars.find((v) => v.id === region?.resident);
    expect(present).toMatchObject({ name: "present(app.buf)", domain: { kind: "bool" }, init: false, residencyOf: region?.id, loc: { line: at["region"] } });
    const body = ir.threads[0]?.body ?? [];
    expect(body[1]).toMatchObject({ kind: "gup", region: region?.id, write: true, loc: { file: "faultpath.test.ts", line: at["gup"] } });
    expect(body[3]).toMatchObject({ kind: "evict", region: region?.id, loc: { line: at["evict"] } });
    expect(ir.procs[0]?.body[0]).toMatchObject({ kind: "if", cond: { kind: "fault-flag", flag: "write" }, loc: { line: at["if"] } });
  });

  it("starts a tracked region present when declared so, and leaves untracked regions without residency", () => {
    const def = model("init", (m) => {
      const app = m.process("app");
      app.region("a", { tracked: "present" });
      app.region("b");
      app.thread("T", () => {});
    });
    expect(def.ir.vars.map((v) => [v.name, v.init])).toEqual([["present(app.a)", true]]);
    expect(def.ir.regions.map((r) => r.resident === undefined)).toEqual([false, true]);
  });
});

describe("lowering", () => {
  /** One fault procedure that takes W on a write fault and R on a read fault. */
  const readWrite = () =>
    model("rw", (m) => {
      const app = m.process("app");
      const w = m.mutex("W");
      const r = m.mutex("R");
      const fault = m.proc("f", (p) => p.if(FAULT_FLAG_WRITE, (b) => (b.lock(w), b.unlock(w)), (b) => (b.lock(r), b.unlock(r))));
      const file = app.region("file", { fault });
      for (const [name, op] of [["store", "store"], ["load", "load"], ["copy_to_user", "copyToUser"], ["copy_from_user", "copyFromUser"], ["put_user", "putUser"], ["get_user", "getUser"]] as const) {
        app.thread(name, (t) => t[op](file));
      }
      app.thread("gup write", (t) => (t.downRead(app.mmapLock), t.getUserPages(file, { write: true }), t.upRead(app.mmapLock)));
      app.thread("gup read", (t) => (t.downRead(app.mmapLock), t.getUserPages(file, { write: false }), t.upRead(app.mmapLock)));
    });

  it("gives each fault path FAULT_FLAG_WRITE as the kernel does: stores, copy_to_user, put_user and FOLL_WRITE write", () => {
    const def = readWrite();
    const lockIn = (thread: string) => spelled(def, thread).filter((s) => s.startsWith("mutex_lock"));
    expect(Object.fromEntries(["store", "copy_to_user", "put_user", "gup write", "load", "copy_from_user", "get_user", "gup read"].map((t) => [t, lockIn(t)]))).toEqual({
      store: ["mutex_lock(&W) [fault]"],
      copy_to_user: ["mutex_lock(&W) [fault]"],
      put_user: ["mutex_lock(&W) [fault]"],
      "gup write": ["mutex_lock(&W) [fault]"],
      load: ["mutex_lock(&R) [fault]"],
      copy_from_user: ["mutex_lock(&R) [fault]"],
      get_user: ["mutex_lock(&R) [fault]"],
      "gup read": ["mutex_lock(&R) [fault]"],
    });
    // The flag is a constant on each path: the branch shows it as written.
    expect(spelled(def, "store")).toContain("if (vmf->flags & FAULT_FLAG_WRITE) [fault]");
  });

  it("runs get_user_pages' fault without taking mmap_lock again; a user access's fault takes it", () => {
    const def = readWrite();
    // Program order, depth first: the no-fault exit of get_user_pages first, then its fault path.
    expect(spelled(def, "gup write")).toEqual([
      "down_read(&app->mmap_lock)",
      "get_user_pages(file)",
      "up_read(&app->mmap_lock)",
      "if (vmf->flags & FAULT_FLAG_WRITE) [fault]",
      "mutex_lock(&W) [fault]",
      "mutex_unlock(&W) [fault]",
    ]);
    expect(spelled(def, "store").slice(0, 2)).toEqual(["store(file)", "down_read(&app->mmap_lock) [fault]"]);
  });

  it("decides a tracked access by its residency, installs the pte at the end of the fault, and evicts by clearing it", () => {
    const def = model("tracked", (m) => {
      const app = m.process("app");
      const buf = app.region("buf", { tracked: "absent" });
      app.thread("T", (t) => {
        t.copyToUser(buf);
        t.pagefaultDisable();
        t.copyToUser(buf);
        t.pagefaultEnable();
      });
      app.thread("K", (t) => t.evict(buf));
    });
    const present = def.ir.regions[0]?.resident;
    expect(spelled(def, "T")).toEqual(["copy_to_user(buf)", "copy_to_user(buf)", "down_read(&app->mmap_lock) [fault]", "install_pte(buf) [fault]", "up_read(&app->mmap_lock) [fault]"]);
    const [first, atomic, , install] = ops(def, "T");
    expect(first).toMatchObject({ kind: "access", fault: { kind: "handle", resident: present } });
    expect(install).toMatchObject({ kind: "set", variable: present, value: { kind: "lit", value: true } });
    // With page faults disabled the fault fails and installs nothing.
    expect(atomic).toMatchObject({ kind: "access", fault: { kind: "fail", resident: present } });
    expect(spelled(def, "K")).toEqual(["evict(buf)"]);
    expect(ops(def, "K")[0]).toMatchObject({ kind: "set", variable: present, value: { kind: "lit", value: false } });
  });

  it("never faults on a present tracked page: no reclaim, no second fault", () => {
    // The first access faults the page in; without evict the second one cannot fault.
    const twice = (evict: boolean) =>
      model("twice", (m) => {
        const app = m.process("app");
        const buf = app.region("buf", { tracked: "absent" });
        const faults = m.int("faults", { min: 0, max: 2 }, 0);
        const f = m.proc("count", (p) => p.set(faults, faults.plus(1)));
        const file = app.region("file", { fault: f, tracked: "absent" });
        app.thread("T", (t) => {
          t.load(file);
          t.load(file);
          t.assert(faults.le(1), "one fault only");
        });
        if (evict) app.thread("K", (t) => t.evict(file));
        void buf;
      });
    expect(explore(twice(false)).verdict).toBe("ok");
    expect(explore(twice(true)).verdict).toBe("assertion");
    // Untracked, the same body may fault twice with nobody evicting.
    const untracked = model("untracked", (m) => {
      const app = m.process("app");
      const faults = m.int("faults", { min: 0, max: 2 }, 0);
      const f = m.proc("count", (p) => p.set(faults, faults.plus(1)));
      const file = app.region("file", { fault: f });
      app.thread("T", (t) => {
        t.load(file);
        t.load(file);
        t.assert(faults.le(1), "one fault only");
      });
    });
    expect(explore(untracked).verdict).toBe("assertion");
  });

  it("never faults on a pinned region, get_user_pages included", () => {
    const def = model("pinned", (m) => {
      const app = m.process("app");
      const mtx = m.mutex("M");
      const f = m.proc("f", (p) => (p.lock(mtx), p.unlock(mtx)));
      const buf = app.region("buf", { pinned: true, fault: f });
      app.thread("T", (t) => (t.downRead(app.mmapLock), t.getUserPages(buf, { write: true }), t.upRead(app.mmapLock)));
    });
    expect(spelled(def, "T")).toEqual(["down_read(&app->mmap_lock)", "get_user_pages(buf)", "up_read(&app->mmap_lock)"]);
    expect(ops(def, "T")[1]).toMatchObject({ kind: "access", fault: { kind: "none" } });
  });
});

describe("one fault procedure, the lock mode chosen by FAULT_FLAG_WRITE (__dax_fault's i_mmap lock)", () => {
  const dax = (writer: "store" | "load") =>
    model("dax", (m) => {
      const app = m.process("app");
      const iMmap = m.rwsem("i_mmap_rwsem");
      const fault = m.proc("__dax_fault", (p) => {
        p.if(FAULT_FLAG_WRITE, (w) => w.downWrite(iMmap), (r) => r.downRead(iMmap));
        p.if(not(FAULT_FLAG_WRITE), (r) => r.upRead(iMmap), (w) => w.upWrite(iMmap));
      });
      const file = app.region("file", { fault });
      app.thread("T1", (t) => t[writer](file));
      app.thread("T2", (t) => t.load(file));
    });
  it("keeps only the branch each fault takes, so the pairing is exact: valid, and no finding", () => {
    for (const w of ["store", "load"] as const) {
      const def = dax(w);
      expect(validate(def.ir, def.diagnostics).diagnostics).toEqual([]);
      expect([explore(def).verdict, explore(def, { merge: false }).verdict]).toEqual(["ok", "ok"]);
    }
    expect(spelled(dax("store"), "T1").filter((s) => /down_|up_/.test(s) && !s.includes("mmap_lock"))).toEqual(["down_write(&i_mmap_rwsem) [fault]", "up_write(&i_mmap_rwsem) [fault]"]);
    expect(spelled(dax("store"), "T2").filter((s) => /down_|up_/.test(s) && !s.includes("mmap_lock"))).toEqual(["down_read(&i_mmap_rwsem) [fault]", "up_read(&i_mmap_rwsem) [fault]"]);
  });
});

describe("the false self-deadlock get_user_pages removes", () => {
  const pagemap = (gup: boolean) =>
    model("gup vs getUser", (m) => {
      const app = m.process("app");
      const buf = app.region("buf");
      app.thread("walk", (t) => {
        t.downWrite(app.mmapLock);
        if (gup) t.getUserPages(buf, { write: true });
        else t.getUser(buf);
        t.upWrite(app.mmapLock);
      });
    });
  it("getUser under down_write deadlocks on its own fault; getUserPages does not", () => {
    expect(explore(pagemap(false)).verdict).toBe("deadlock");
    expect(explore(pagemap(true)).verdict).toBe("ok");
  });
});

describe("VM_FAULT_RETRY", () => {
  /** A fault procedure that records the flags it saw and retries while it may, up to `retries` times. */
  const retrying = (gup: boolean, retries = 2) =>
    model("retry", (m) => {
      const app = m.process("app");
      const attempts = m.int("attempts", { min: 0, max: 3 }, 0);
      const tried = m.bool("tried_seen", false);
      const waited = m.bool("waited_without_mmap_lock", false);
      const f = m.proc("handle_userfault", (p) => {
        p.set(attempts, attempts.plus(1));
        p.if(FAULT_FLAG_TRIED, (b) => b.set(tried, true));
        p.if(and(FAULT_FLAG_ALLOW_RETRY, attempts.le(retries)), (r) => r.faultRetry((w) => w.if(not(m.held(app.mmapLock)), (b) => b.set(waited, true))));
      });
      const area = app.region("area", { fault: f, tracked: "absent" });
      app.thread("T", (t) => {
        if (gup) {
          t.downRead(app.mmapLock);
          t.getUserPages(area, { write: true });
          t.upRead(app.mmapLock);
        } else t.load(area);
        t.assert(attempts.eq(gup ? 1 : retries + 1), "attempts");
        t.assert(tried.eq(!gup), "FAULT_FLAG_TRIED on the retried attempts only");
        t.assert(waited.eq(!gup), "the retry body runs without mmap_lock");
      });
    });

  it("drops mmap_lock, runs the body without it, then attempts the access again, which may retry again (FAULT_FLAG_ALLOW_RETRY stays set, FAULT_FLAG_TRIED is set)", () => {
    for (const retries of [1, 2]) {
      expect([explore(retrying(false, retries)).verdict, explore(retrying(false, retries), { merge: false }).verdict]).toEqual(["ok", "ok"]);
    }
    // Two copies of the access: the first attempt, and the retried ones, whose retry
    // goes back to their own start (a back edge, whatever the number of retries).
    const v = validate(retrying(false).ir, retrying(false).diagnostics);
    const tp = v.program?.threads[0];
    const loads = (tp?.nodes ?? []).filter((n) => n.op.kind === "access");
    expect(loads).toHaveLength(2);
    const retried = loads[1] as Node;
    const back = (tp?.nodes ?? []).filter((n) => n.op.kind !== "access" && successorsOf(n.op).includes(retried.pc));
    expect(back.map((n) => spellOp(retrying(false).ir, n.op))).toContain("waited_without_mmap_lock = true");
    expect(spelled(retrying(false), "T").filter((s) => /^(load|return VM)/.test(s))).toEqual([
      "load(area)",
      "return VM_FAULT_RETRY: up_read(&app->mmap_lock) [fault]",
      "load(area)",
      "return VM_FAULT_RETRY: up_read(&app->mmap_lock) [fault]",
    ]);
  });

  it("without FAULT_FLAG_TRIED in the fault procedure, the retry goes back to the access itself: one copy", () => {
    const def = model("retry loop", (m) => {
      const app = m.process("app");
      const busy = m.bool("page_locked", true);
      const f = m.proc("lock_page_or_retry", (p) => p.if(and(FAULT_FLAG_ALLOW_RETRY, busy), (r) => r.faultRetry()));
      const area = app.region("area", { fault: f });
      app.thread("T", (t) => t.load(area));
      app.thread("unlock", (t) => t.set(busy, false));
    });
    expect(spelled(def, "T").filter((s) => s.startsWith("load"))).toEqual(["load(area)"]);
    expect(explore(def).verdict).toBe("ok");
    // While the page stays locked the fault retries for ever: a livelock under termination.
    const live = model("retry livelock", (m) => {
      const app = m.process("app");
      const f = m.proc("lock_page_or_retry", (p) => p.if(FAULT_FLAG_ALLOW_RETRY, (r) => r.faultRetry()));
      const area = app.region("area", { fault: f });
      app.thread("T", (t) => t.load(area));
      m.checkTermination();
    });
    expect(explore(live).verdict).toBe("termination");
  });

  it("gives a get_user_pages fault no FAULT_FLAG_ALLOW_RETRY: it never retries", () => {
    expect(explore(retrying(true)).verdict).toBe("ok");
    expect(spelled(retrying(true), "T").some((s) => s.includes("VM_FAULT_RETRY"))).toBe(false);
  });

  it("is refused outside a fault path and where the flag is clear (FL346, FL347)", () => {
    const def = model("bad", (m) => {
      const app = m.process("app");
      const f = m.proc("f", (p) => p.faultRetry());
      const r = app.region("r", { fault: f });
      app.thread("T", (t) => {
        t.load(r);
        t.downRead(app.mmapLock);
        t.getUserPages(r, { write: false });
        t.upRead(app.mmapLock);
        t.faultRetry();
      });
    });
    expect(validate(def.ir, def.diagnostics).diagnostics.map((d) => d.code).sort()).toEqual(["FL346", "FL347"]);
  });
});
