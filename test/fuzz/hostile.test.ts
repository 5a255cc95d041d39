// Hostile input: whatever names a user types and however empty the bodies, the
// spec parses and TLC agrees with the reference explorer (so no two objects were
// merged or lost by sanitising), or the model is rejected with a located error.
import { describe, expect, it } from "vitest";
import { compile } from "../../src/check.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { implies } from "../../src/dsl/expr.js";
import { explore } from "../../src/explore/index.js";
import { toolchain } from "../helpers/toolchain.js";
import { differential } from "./differential.js";
import { HOSTILE } from "./models.js";

/** Every kind of object named `n` (or `n` plus a suffix where a kind needs several). */
function everything(n: string): ModelDef {
  return model(n, (m) => {
    const p = m.process(n);
    const q = m.process(`${n}\n2`);
    const mu = m.mutex(n);
    const sp = p.spinlock(`${n}!`);
    const sem = m.rwsem(`${n}?`, { policy: "recursive-read" });
    const flag = m.bool(n, false);
    const count = m.int(`${n} `, { min: 0, max: 2 }, 0);
    const phase = m.enum(`${n}\t`, [n, `${n}"`, `${n}\\`], n);
    const fill = m.proc(n, (t) => t.set(phase, `${n}"`));
    const buf = q.region(n, { fault: fill });
    const a = p.thread(n, (t) => {
      t.label(n);
      t.lock(mu);
      t.copyToUser(buf);
      t.set(count, count.plus(1));
      t.unlock(mu);
      t.trylock(sp, (b) => b.unlock(sp));
    });
    q.thread(`${n} `, (t) => {
      t.downRead(sem);
      t.assert(m.held(sem, undefined, "read"), n);
      t.either((b) => b.set(flag, true), (b) => b.call(fill));
      t.upRead(sem);
    });
    m.invariant(n, implies(m.at(a, n), count.le(2)));
    m.invariant(`${n}(*`, phase.ne(`${n}\\`));
  });
}

describe("hostile names: a correct spec for every object so named", () => {
  it.each(HOSTILE.map((n) => [JSON.stringify(n).slice(0, 40), n]))("%s", async (_label, n) => {
    const def = everything(n);
    const c = compile(def);
    if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join("; "));
    // TLA+ comments stay on one line: no raw line breaks inside a `\*` comment.
    for (const line of c.spec.tla.split("\n")) expect(line).not.toMatch(/[\r\u2028\u2029]/);
    const r = await differential(def, await toolchain());
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });

  it("keeps names that collide once sanitised apart", async () => {
    const group = ["T1 ioctl", "T1_ioctl", "T1-ioctl", "T1.ioctl", "t1 ioctl"];
    const def = model("collide", (m) => {
      const p = m.process("p");
      const locks = group.map((n) => m.mutex(n));
      const vars = group.map((n) => m.bool(n, false));
      group.forEach((n, i) =>
        p.thread(n, (t) => {
          t.trylock(locks[i] as (typeof locks)[number], (b) => b.set(vars[i] as (typeof vars)[number], true), () => {});
        }),
      );
    });
    const c = compile(def);
    if (!c.ok) throw new Error("invalid");
    expect(new Set(c.spec.names.threads.values()).size).toBe(group.length);
    // The five mutexes and p's mmap_lock.
    expect(new Set(c.spec.names.locks.values()).size).toBe(group.length + 1);
    expect(new Set(c.spec.names.vars.values()).size).toBe(group.length);
    // Each thread keeps its own lock: 2^5 pcs x who holds its lock (it never unlocks).
    const r = await differential(def, await toolchain());
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });
});

describe("empty bodies", () => {
  it("threads, procedures, branches and loops with nothing in them", async () => {
    const def = model("empty", (m) => {
      const p = m.process("p");
      const a = m.mutex("a");
      const sem = m.rwsem("sem");
      const nothing = m.proc("nothing", () => {});
      const x = m.bool("x", false);
      p.thread("idle", () => {});
      p.thread("hollow", (t) => {
        t.call(nothing);
        t.either(() => {}, () => {});
        t.if(x, () => {}, () => {});
        t.repeat(0, (b) => b.lock(a));
        t.repeat(2, () => {});
        t.while(x, { bound: 1 }, () => {});
        t.trylock(a, () => {}, () => {});
        t.downReadTrylock(sem, () => {});
        t.pagefaultDisable();
        t.pagefaultEnable();
      });
    });
    // The trylocks keep what they take: a lock-leak, found by both.
    expect(explore(def).verdict).toBe("lock-leak");
    const r = await differential(def, await toolchain());
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });

  it("a model whose every thread is empty is ok with one state", async () => {
    const def = model("all empty", (m) => {
      const p = m.process("p");
      p.thread("a", () => {});
      p.thread("b", () => {});
    });
    expect(explore(def)).toMatchObject({ verdict: "ok", distinct: 1 });
    const r = await differential(def, await toolchain());
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });
});

describe("names a model cannot have", () => {
  it.each([
    ["empty", ""],
    ["blank", " \t\n"],
  ])("a %s name is a located error", (_what, n) => {
    const def = model("m", (m) => {
      const p = m.process("p");
      const mu = m.mutex(n);
      p.thread(n, (t) => {
        t.lock(mu);
        t.unlock(mu);
      });
    });
    const c = compile(def);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.diagnostics.map((d) => [d.code, d.loc.file])).toEqual([
      ["FL202", "hostile.test.ts"],
      ["FL202", "hostile.test.ts"],
    ]);
    expect(c.diagnostics.every((d) => d.loc.line > 0)).toBe(true);
  });
});
