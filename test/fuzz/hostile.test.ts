// Hostile input: whatever names a user types and however empty the bodies, the
// spec parses and TLC agrees with the reference explorer (so no two objects were
// merged or lost by sanitising), or the model is rejected with a located error.
import { describe, expect, it } from "vitest";
import { compile } from "../../src/check.js";
import { model } from "../../src/dsl/model.js";
import { explore } from "../../src/explore/index.js";
import { toolchain } from "../helpers/toolchain.js";
import { differential } from "./differential.js";
import { checkHostileName } from "./hostile-model.js";

const HOSTILE_SAMPLE = ['say "hi"', "line\nbreak", "(* open", "Init", "线程", `${"x".repeat(120)}y`];

describe("hostile names: a correct spec for every object so named", () => {
  // A few of HOSTILE, one of each trouble (quotes, line breaks, comment delimiters,
  // a TLA+ keyword and a spec name, unicode, length); all of them: hostile-names.long.test.ts.
  it.each(HOSTILE_SAMPLE.map((n) => [JSON.stringify(n).slice(0, 40), n]))("%s", async (_label, n) => {
    await checkHostileName(n);
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
