// Why a deadlock happens: seed001's proposal needs the fair rwsem, and only munmap
// and mmap; bd_sem is held by munmap but not part of the cycle. On by default for
// one model, carried by the JSON, off with --no-why.
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { whyDeadlock } from "../../src/deps/why.js";
import proposal from "../../specs/seed001/tglx-bd-sem.js";
import { faultline } from "../helpers/cli.js";
import { toolchain } from "../helpers/toolchain.js";

describe("why a deadlock happens", () => {
  it("seed001's proposal needs the fair rwsem and names the threads that are not needed", async () => {
    const r = await check(proposal, { toolchain: toolchain(), deps: false });
    const why = await whyDeadlock(proposal, r, { toolchain: toolchain() });
    expect(why?.policies).toEqual([
      { policy: "reader-preferring", locks: ["&app->mmap_lock"], verdict: "ok" },
      { policy: "recursive-read", locks: ["&app->mmap_lock"], verdict: "ok" },
    ]);
    expect(why?.policyText).toBe("needs the fair rwsem (&app->mmap_lock): ok under reader-preferring and ok under recursive-read");
    expect(why?.threads).toEqual({ needed: ["munmap", "mmap"], unneeded: ["prctl", "#BR bounds violation", "#BR bd allocation"], verified: true });
    expect(why?.heldNotInCycle).toEqual(["munmap holds &app->bd_sem (write)"]);
  });

  it("is on by default for a single model, in the text and the JSON; --no-why turns it off", async () => {
    const text = await faultline(["check", "specs/seed001/tglx-bd-sem.ts"]);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain("why it happens (checked again with variants of the model");
    expect(text.stdout).toContain("  needs the fair rwsem (&app->mmap_lock): ok under reader-preferring and ok under recursive-read");
    expect(text.stdout).toContain("  needs only munmap, mmap: prctl, #BR bounds violation, #BR bd allocation are not needed");
    const json = JSON.parse((await faultline(["check", "--json", "specs/seed001/tglx-bd-sem.ts"])).stdout);
    expect(json.results[0].why.threads.unneeded).toEqual(["prctl", "#BR bounds violation", "#BR bd allocation"]);
    const off = JSON.parse((await faultline(["check", "--json", "--no-why", "specs/seed001/tglx-bd-sem.ts"])).stdout);
    expect(off.results[0].why).toBeNull();
    expect(off.results[0].verdict).toBe("deadlock");
  });

  it("an ABBA between a mutex and an rwsem does not need the fair rwsem, and says so", async () => {
    const { model } = await import("../../src/index.js");
    const def = model("abba", (m) => {
      const app = m.process("app");
      const a = m.mutex("a");
      const r = m.rwsem("r");
      app.thread("T1", (t) => {
        t.lock(a);
        t.downWrite(r);
        t.upWrite(r);
        t.unlock(a);
      });
      app.thread("T2", (t) => {
        t.downWrite(r);
        t.lock(a);
        t.unlock(a);
        t.upWrite(r);
      });
    });
    const r = await check(def, { toolchain: toolchain(), deps: false });
    expect(r.verdict).toBe("deadlock");
    const why = await whyDeadlock(def, r, { toolchain: toolchain() });
    expect(why?.policyText).toBe("does not need the fair rwsem (&r): deadlock under reader-preferring and recursive-read too");
    expect(why?.lines).toContain("needs every thread of the model (T1, T2)");
  });
});
