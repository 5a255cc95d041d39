// Whatever the user types, names become valid, distinct TLA+ names, comments
// stay comments, and the spec parses and checks.
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { check, compile } from "../../src/check.js";
import { model } from "../../src/dsl/model.js";
import { BOUND_NAMES, Namer, commentText, identStem, isReserved } from "../../src/gen/names.js";
import { SANY_ERROR, sany } from "../helpers/sany.js";
import { toolchain } from "../helpers/toolchain.js";

describe("identStem", () => {
  it.each([
    ["T1 ioctl", "T1_ioctl"],
    ["app.mmap_lock", "app_mmap_lock"],
    ["it's \"quoted\"", "it_s_quoted"],
    ["(* evil *)", "evil"],
    ["\\* not a comment", "not_a_comment"],
    ["1st", "x1st"],
    ["__", "x"],
    ["Ünïcödé", "Unicode"],
    ["线程", "x"],
    ["a\nb", "a_b"],
  ])("%j -> %s", (given, want) => {
    expect(identStem(given)).toBe(want);
  });

  it("cuts very long names", () => {
    expect(identStem("x".repeat(500)).length).toBeLessThanOrEqual(60);
  });
});

describe("Namer", () => {
  it("keeps names distinct and away from TLA+ keywords and the spec's own names", () => {
    const n = new Namer();
    expect([n.take("T1 ioctl"), n.take("T1_ioctl"), n.take("T1-ioctl")]).toEqual(["T1_ioctl", "T1_ioctl_2", "T1_ioctl_3"]);
    expect(n.take("IF")).toBe("IF_2");
    expect(n.take("Init")).toBe("Init_2");
    expect(n.take("pc")).toBe("pc_2");
    expect(n.take("Len")).toBe("Len_2");
  });
});

describe("the templates' own names", () => {
  it("are all reserved, so that no model object can take one (SANY: multiply-defined symbol)", () => {
    const dir = new URL("../../templates/", import.meta.url);
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".tla.hbs") || (x.endsWith(".hbs") && !x.endsWith(".cfg.hbs")))) {
      const text = readFileSync(new URL(f, dir), "utf8")
        .replace(/\{\{[^}]*\}\}/g, " ") // Handlebars
        .replace(/\\\*.*$/gm, " ") // line comments
        .replace(/"[^"]*"/g, " ") // strings
        .replace(/\.[A-Za-z]+/g, " ") // record fields
        .replace(/[A-Za-z]+ \|->/g, " ") // record constructors
        .replace(/\\[A-Za-z]+/g, " "); // \in, \A, \cup, ...
      for (const id of text.match(/\b[A-Za-z][A-Za-z0-9_]*\b/g) ?? []) used.add(id);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((id) => !isReserved(id) && !["Integers", "Sequences", "FiniteSets", "Bags", "TLC"].includes(id))).toEqual([]);
  });

  it("bound names used as variable names are renamed, and the spec checks", async () => {
    const r = await check(
      model("bound names", (m) => {
        const app = m.process("app");
        const vars = [...BOUND_NAMES, "p1", "s1"].map((n) => m.int(n, { min: 0, max: 1 }, 0));
        const first = vars[0];
        const buf = app.region("buf");
        app.threads(2, "reader", (t) => {
          // Two ways to start (the load faults or not): Init binds each one's first pc (s1, s2).
          t.load(buf);
          t.downRead(app.mmapLock);
          if (first) t.set(first, 1);
          t.upRead(app.mmapLock);
        });
        app.thread("writer", (t) => {
          t.downWrite(app.mmapLock);
          t.upWrite(app.mmapLock);
        });
      }),
      { toolchain: await toolchain() },
    );
    expect(r.verdict).toBe("ok");
    expect(r.spec?.tla).toMatch(/^VARIABLES pc, rw, t_2, l_2, /m);
    expect(r.spec?.tla).toMatch(/^ {4}\/\\ \\E s1 \\in \{[^}]*\}, s2 \\in \{[^}]*\} :\n {10}pc = \[t \\in Threads \|-> CASE t = reader1 -> s1 \[\] t = reader2 -> s2 /m);
  });
});

describe("commentText", () => {
  it("keeps user text inside a line comment", () => {
    expect(commentText("a *) b (* c\nd")).toBe("a * ) b ( * c d");
  });
});

const hostile = [
  "T1 ioctl",
  "T1_ioctl",
  'say "hi"\\ (* x *) \\* y',
  "line\nbreak",
  "IF",
  "Init",
  "pc",
  "线程",
  "y".repeat(300),
];

const hostileModel = model("(* hostile *) \"names\"\n", (m) => {
  const app = m.process("a p p");
  const locks = hostile.map((n) => m.mutex(n));
  const v = m.enum("phase", ["(*", "*)", "\\*"], "(*");
  const pcVar = m.bool("pc", false);
  hostile.forEach((name, i) => {
    // One step per thread keeps the state space small (2^9 states).
    app.thread(name, (t) => {
      const l = locks[i];
      if (i < 2 && l) t.trylock(l, (b) => b.unlock(l));
      else t.set(i % 2 === 0 ? pcVar : v, i % 2 === 0 ? true : "*)");
    });
  });
});

describe("hostile names", () => {
  it("generate a spec SANY accepts, with distinct thread and lock names", async () => {
    const c = compile(hostileModel);
    if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
    expect(new Set(c.spec.names.threads.values()).size).toBe(hostile.length);
    expect(new Set(c.spec.names.locks.values()).size).toBe(hostile.length + 1);
    expect(c.spec.tla).not.toMatch(/&quot;|&lt;|&#/); // no HTML escaping
    const r = await sany(c.spec.module, c.spec.tla);
    expect(r.output).not.toMatch(SANY_ERROR);
    expect(r.ok).toBe(true);
  });

  it("check to the right verdict", async () => {
    const r = await check(hostileModel, { toolchain: await toolchain() });
    expect(r.verdict).toBe("ok");
  });

  it("never make a thread a typed model value (TLC: '_' second, as in a_b2), which TLC will not compare with a string", async () => {
    const def = model("typed", (m) => {
      const a = m.mutex("a");
      const p = m.process("p");
      p.threads(2, "a b", (t) => { t.lock(a); t.unlock(a); });
      p.threads(2, "b", (t) => { t.lock(a); t.unlock(a); });
      p.thread("tab here", (t) => { t.lock(a); t.unlock(a); });
    });
    const c = compile(def);
    if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
    expect(c.spec.tla).toContain("CONSTANTS ta_b1, ta_b2, b1, b2");
    const r = await check(def, { toolchain: await toolchain() });
    expect(r.verdict).toBe("ok");
  });
});

describe("the SANY helper", () => {
  it("does report a broken spec (so the tests above can fail)", async () => {
    const r = await sany("Broken", "---- MODULE Broken ----\nFoo == Bar + \n====\n");
    expect(r.ok).toBe(false);
  });
});

describe("empty bodies", () => {
  it("a thread with nothing to do, an empty procedure and empty branches check fine", async () => {
    const r = await check(
      model("empty", (m) => {
        const nothing = m.proc("nothing", () => {});
        const p = m.process("p");
        p.thread("idle", () => {});
        p.thread("caller", (t) => {
          t.call(nothing);
          t.either(() => {}, () => {});
          t.if(true, () => {});
        });
      }),
      { toolchain: await toolchain(), merge: false },
    );
    expect(r.verdict).toBe("ok");
    expect(r.spec?.tla).toContain('pc = [t \\in Threads |-> CASE t = "idle" -> "Done" [] t = "caller" -> "p1"]');
    // Merged, the caller's either and constant if run in Init: both threads start done.
    const merged = await check(
      model("empty", (m) => {
        const p = m.process("p");
        p.thread("idle", () => {});
        p.thread("caller", (t) => {
          t.either(() => {}, () => {});
          t.if(true, () => {});
        });
      }),
      { toolchain: await toolchain() },
    );
    expect(merged.verdict).toBe("ok");
    expect(merged.spec?.tla).toContain('pc = [t \\in Threads |-> "Done"]');
  });
});
