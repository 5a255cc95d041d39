// The fault path's constructs end to end: each idiom under specs/idioms/ checked
// by real TLC (verdict and the lines that make the point), and the reference
// explorer agreeing with TLC on it (test/fuzz/differential.ts).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check, compile } from "../../src/check.js";
import { FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED, and, not } from "../../src/dsl/expr.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { differential } from "../fuzz/differential.js";
import { toolchain } from "../helpers/toolchain.js";

const load = async (file: string) => (await import(path.resolve(import.meta.dirname, "../../specs", file))).default as ModelDef;
const steps = (r: Awaited<ReturnType<typeof check>>) => r.finding?.steps.map((s) => `${s.thread}: ${s.operation} -> ${s.effect}`) ?? [];

describe("idioms: TLC verdicts", () => {
  it("fault-write.ts: the write fault takes the lock the read fault does not (deadlock at copy_to_user)", async () => {
    const r = await check(await load("idioms/fault-write.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("deadlock");
    expect(r.finding?.waits?.map((w) => w.text)).toEqual(["ioctl waits for &alloc_mutex at fault-write.ts:28 (in foo_fault() <- page fault on foo_map at fault-write.ts:37): held by ioctl"]);
    expect(steps(r)).toEqual([
      "ioctl: mutex_lock(&alloc_mutex) -> acquired",
      "ioctl: copy_from_user(foo_map) -> page present, no fault",
      "ioctl: copy_to_user(foo_map) -> page fault",
      "ioctl: down_read(&app->mmap_lock) -> acquired for read",
      "ioctl: if (vmf->flags & FAULT_FLAG_WRITE) -> true",
    ]);
  });

  it("gup.ts: get_user_pages under down_read with a queued mmap() writer is ok", async () => {
    const r = await check(await load("idioms/gup.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("ok");
    expect(r.stats?.distinct).toBeGreaterThan(1);
  });

  it("tracked.ts: reclaim between the prefault and the atomic copy fails the copy, and the trace shows it", async () => {
    const r = await check(await load("idioms/tracked.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("assertion");
    expect(steps(r)).toEqual([
      "write(2): load(user_buf) -> page fault",
      "write(2): down_read(&app->mmap_lock) -> acquired for read",
      "write(2): install_pte(user_buf) -> page mapped: present",
      "write(2): up_read(&app->mmap_lock) -> released",
      "kswapd: evict(user_buf) -> page unmapped: the next access faults",
      "write(2): copy_from_user(user_buf) -> page fault with page faults disabled: -EFAULT",
      "write(2): copy_failed = true -> copy_failed: false -> true",
    ]);
  });

  it("mmap-sem.ts: reports name the lock as the model's kernel does", async () => {
    const r = await check(await load("idioms/mmap-sem.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("deadlock");
    expect(steps(r)[0]).toBe("munmap: down_write(&app->mmap_sem) -> acquired for write");
    expect(r.finding?.waits?.map((w) => w.text)).toEqual(["munmap waits for &app->mmap_sem (read) in a page fault at mmap-sem.ts:19: held for write by munmap"]);
    expect(r.finding?.lockdep?.rows.map((x) => x.text)).toContain("rlock(&app->mmap_sem);");
  });
});

describe("VM_FAULT_RETRY", () => {
  it("fault-retry.ts: lock_page_or_retry waits for the page without mmap_lock: ok", async () => {
    const r = await check(await load("idioms/fault-retry.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("ok");
  });

  /** lock_page_or_retry without the wait: `preTried` retries only once, as kernels before 5.7 did. */
  const withoutWait = (preTried: boolean) =>
    model("retry without wait", (m) => {
      const app = m.process("app");
      const pageLock = m.mutex("page_lock");
      const mayRetry = preTried ? and(FAULT_FLAG_ALLOW_RETRY, not(FAULT_FLAG_TRIED)) : FAULT_FLAG_ALLOW_RETRY;
      const fault = m.proc("filemap_fault", (p) =>
        p.trylock(pageLock, (ok) => ok.unlock(pageLock), (busy) =>
          busy.if(mayRetry, (r) => r.faultRetry(), (w) => (w.lock(pageLock), w.unlock(pageLock)))),
      );
      const file = app.region("file_map", { fault });
      const buf = app.region("user_buf");
      app.thread("fault", (t) => t.load(file));
      app.thread("write(2)", (t) => (t.lock(pageLock), t.copyFromUser(buf), t.unlock(pageLock)));
      app.thread("mmap", (t) => (t.downWrite(app.mmapLock), t.upWrite(app.mmapLock)));
    });

  it("retrying only once (FAULT_FLAG_TRIED clears the retry, before 5.7), the second attempt sleeps on the page under mmap_lock: deadlock, retry in the trace", async () => {
    const def = withoutWait(true);
    const r = await check(def, { toolchain: await toolchain() });
    expect(r.verdict).toBe("deadlock");
    const fault = steps(r).filter((s) => s.startsWith("fault:"));
    expect(fault).toEqual([
      "fault: load(file_map) -> page fault",
      "fault: down_read(&app->mmap_lock) -> acquired for read",
      "fault: mutex_trylock(&page_lock) -> failed (lock busy)",
      "fault: if ((vmf->flags & FAULT_FLAG_ALLOW_RETRY) && !(vmf->flags & FAULT_FLAG_TRIED)) -> true",
      "fault: return VM_FAULT_RETRY: up_read(&app->mmap_lock) -> released",
      "fault: load(file_map) -> page fault",
      "fault: down_read(&app->mmap_lock) -> acquired for read",
      "fault: mutex_trylock(&page_lock) -> failed (lock busy)",
      "fault: if ((vmf->flags & FAULT_FLAG_ALLOW_RETRY) && !(vmf->flags & FAULT_FLAG_TRIED)) -> false",
    ]);
    const d = await differential(def, await toolchain());
    expect(d.kind === "disagree" ? d.why : d.kind).toBe("agree");
  });

  it("retrying again and again (SEMANTICS: the access is attempted again from the start), the fault never sleeps under mmap_lock: ok, a loop", async () => {
    const def = withoutWait(false);
    const r = await check(def, { toolchain: await toolchain() });
    expect(r.verdict).toBe("ok");
    const d = await differential(def, await toolchain());
    expect(d.kind === "disagree" ? d.why : d.kind).toBe("agree");
    // One copy of the access: its retry is a back edge to it.
    const c = compile(def);
    const accesses = c.ok ? c.program.threads[0]?.nodes.filter((n) => n.op.kind === "access") : [];
    expect(accesses).toHaveLength(1);
  });
});

describe("idioms: the reference explorer agrees with TLC", () => {
  it.each([
    "idioms/fault-retry.ts",
    "idioms/fault-write.ts",
    "idioms/gup.ts",
    "idioms/tracked.ts",
    "idioms/mmap-sem.ts",
  ])("%s", async (file) => {
    const r = await differential(await load(file), await toolchain(), 200_000);
    expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
  });
});

describe("the rewritten seeds", () => {
  // Their verdicts match the hand-written references in ../shared/reference
  // (squashfs_b_memset_evictable: deadlock, pagemap_c_gup_reclaim: deadlock,
  // dax_f_lock_leak: lock leak): `check`'s verdicts and reports for them are asserted
  // in test/e2e/seed000.test.ts and seeds.test.ts, and the reference explorer's
  // agreement with TLC on every model under specs/ in specs.long.test.ts.
  it("gup-first.ts: get_user_pages faults the page in, kswapd unmaps it, put_user faults under mmap_sem", async () => {
    const r = await check(await load("seed003/gup-first.ts"), { toolchain: await toolchain() });
    expect(r.verdict).toBe("deadlock");
    expect(steps(r)).toEqual([
      "pagemap_read: down_read(&app->mmap_sem) -> acquired for read",
      "pagemap_read: get_user_pages(app.buf) -> page fault: handle_mm_fault, mmap lock already held",
      "pagemap_read: install_pte(app.buf) -> page mapped: present",
      "pagemap_read: up_read(&app->mmap_sem) -> released",
      "kswapd: evict(app.buf) -> page unmapped: the next access faults",
      "pagemap_read: down_read(&app->mmap_sem) -> acquired for read",
      "pagemap_read: put_user(app.buf) -> page fault",
      "mmap: down_write(&app->mmap_sem) -> waits in the queue: held for read by pagemap_read",
    ]);
  });
});
