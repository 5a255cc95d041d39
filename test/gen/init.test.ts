// Init: where merging lets a thread start at one of several first steps, Init
// chooses each thread's start. With threads as model values (symmetry), the
// choices are bound by \E: a set of them would be refused by TLC past a million
// elements (four ioctl and three reader threads of bench/family.ts at L10 have
// 11^4 * 5^3 starts), where \E is enumerated one choice at a time.
import { describe, expect, it } from "vitest";
import { check, compile } from "../../src/check.js";
import { family } from "../../bench/family.js";
import { toolchain } from "../helpers/toolchain.js";

describe("Init with several starts per thread", () => {
  it("binds the starts of model-value threads with \\E, one function per choice", () => {
    const c = compile(family({ k: 4, f: 3, w: 3, l: 10 }, true));
    const tla = c.ok ? c.spec.tla : "";
    const init = tla.slice(tla.indexOf("Init =="), tla.indexOf("/\\ owner ="));
    expect(init).toMatch(/^Init ==\n {4}\/\\ \\E s1 \\in \{"Done", "p\d+"/);
    expect(init).toContain(":\n          pc = [t \\in Threads |-> CASE t = ioctl1 -> s1 [] ");
    expect(init).toContain("[] t = reader3 -> s7 [] t = mmap1 -> ");
    expect(init).not.toContain("pc \\in");
  });

  it("TLC checks such a spec with and without symmetry to the same verdict, every start taken", async () => {
    const tc = await toolchain();
    const def = family({ k: 2, f: 1, w: 1, l: 2 }, true);
    const sym = await check(def, { toolchain: tc });
    const plain = await check(def, { toolchain: tc, symmetry: false });
    expect(sym.spec?.tla).toContain("\\E s1 \\in");
    expect(plain.spec?.tla).toContain("pc \\in [");
    expect(sym.verdict).toBe("ok");
    expect(plain.verdict).toBe("ok");
    // Symmetry folds the two ioctl threads' starts: fewer states, never more.
    expect(sym.stats?.distinct).toBeGreaterThan(0);
    expect(sym.stats?.distinct).toBeLessThan(plain.stats?.distinct ?? 0);
  });
});
