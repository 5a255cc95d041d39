// Every seed model under specs/ checked by real TLC: its verdict and the key
// lines of its explanation (who waits for whom; which invariant; which lock leaked).
// The expectations come from the seed posts; see each model's header for the why.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../src/check.js";
import { explore } from "../../src/explore/index.js";
import type { ModelDef } from "../../src/dsl/model.js";
import { toolchain } from "../helpers/toolchain.js";

interface Expected {
  readonly verdict: string;
  /** The finding's one-line summary. */
  readonly summary?: string;
  /** Deadlocks: the cycle, and each stuck thread's wait. */
  readonly cycle?: readonly string[];
  readonly waits?: readonly string[];
  readonly details?: readonly string[];
  /** The lockdep-style report: header and scenario rows (`thread: cell`) in interleaving order. */
  readonly lockdep?: { readonly header: string; readonly rows: readonly string[] };
}

const cases: Record<string, Expected> = {
  "seed001/original.ts": {
      "lockdep": {
          "header": "WARNING: possible recursive locking detected",
          "rows": [
              "munmap: lock(&app->mmap_lock);",
              "munmap: <page fault>",
              "munmap: rlock(&app->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: munmap waits for itself",
      "cycle": [
          "munmap",
          "munmap"
      ],
      "waits": [
          "munmap waits for &app->mmap_lock (read) in a page fault at original.ts:29: held for write by munmap"
      ]
  },
  "seed001/pagefault-disable.ts": {
      "verdict": "assertion",
      "summary": "assertion failed in munmap at pagefault-disable.ts:36: munmap frees the bounds table covering the unmapped data",
      "details": [
          "bt_mapped is true",
          "with bt_mapped = true"
      ]
  },
  "seed001/reuse-entry-kept.ts": {
      "verdict": "invariant",
      "summary": "invariant 'tables marked for removal are not used again before mpx_post_unmap' violated (reuse-entry-kept.ts:27)",
      "details": [
          "marked_bt_reused is true",
          "with marked_bt_reused = true"
      ]
  },
  "seed001/reuse.ts": {
      "verdict": "ok"
  },
  "seed001/tglx-bd-sem-invalidate-first.ts": {
      "verdict": "ok"
  },
  "seed001/tglx-bd-sem-recursive-read.ts": {
      "verdict": "ok"
  },
  "seed001/tglx-bd-sem-nofault-retry.ts": {
      "verdict": "ok"
  },
  "seed001/tglx-bd-sem.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "munmap: lock(&app->bd_sem);",
              "munmap: rlock(&app->mmap_lock);",
              "munmap: <page fault>",
              "mmap: lock(&app->mmap_lock);",
              "munmap: rlock(&app->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: munmap, mmap wait for each other; also blocked behind them: prctl, #BR bounds violation, #BR bd allocation",
      "cycle": [
          "munmap",
          "mmap",
          "munmap"
      ],
      "waits": [
          "munmap waits for &app->mmap_lock (read) in a page fault at _mpx.ts:32 (in invalidate_bd_entry() <- mpx_pre_unmap() at _mpx.ts:65): queued behind writer mmap",
          "mmap waits for &app->mmap_lock (write) at _proposal.ts:40: held for read by munmap",
          "prctl waits for &app->bd_sem (write) at _proposal.ts:16: held for write by munmap",
          "#BR bounds violation waits for &app->bd_sem (read) at _proposal.ts:27: held for write by munmap",
          "#BR bd allocation waits for &app->bd_sem (read) at _mpx.ts:79 (in mpx_handle_bd_fault() at _proposal.ts:33): held for write by munmap"
      ]
  },
  "seed002/i-mmap-inversion.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "T1 write fault: <page fault>",
              "T1 write fault: rlock(&app->mmap_lock);",
              "T1 write fault: lock(&i_mmap_rwsem);",
              "T2 write(2): lock(&i_data_sem);",
              "T1 write fault: lock(&i_data_sem);",
              "T2 write(2): rlock(&i_mmap_rwsem);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: T1 write fault, T2 write(2) wait for each other",
      "cycle": [
          "T1 write fault",
          "T2 write(2)",
          "T1 write fault"
      ],
      "waits": [
          "T1 write fault waits for &i_data_sem (write) at i-mmap-inversion.ts:30 (in ext4_get_block(create) <- __dax_fault() <- page fault on dax_file at _dax.ts:19): held for write by T2 write(2)",
          "T2 write(2) waits for &i_mmap_rwsem (read) at i-mmap-inversion.ts:45: held for write by T1 write fault"
      ]
  },
  "seed002/racing-read-fault-leak.ts": {
      "lockdep": {
          "header": "WARNING: lock held when returning to user space!",
          "rows": [
              "T1 write fault: <page fault>",
              "T1 write fault: rlock(&app->mmap_lock);",
              "T1 write fault: lock(&i_mmap_rwsem);"
          ]
      },
      "verdict": "lock-leak",
      "summary": "T1 write fault finished holding &i_mmap_rwsem (write), taken in step 11 at racing-read-fault-leak.ts:35",
      "details": [
          "T1 write fault finished holding &i_mmap_rwsem (write), taken in step 11 at racing-read-fault-leak.ts:35"
      ]
  },
  "seed002/truncate-mmaplock.ts": {
      "verdict": "ok"
  },
  "seed002/truncate-race.ts": {
      "verdict": "invariant",
      "summary": "invariant 'no page table maps a freed block' violated (_truncate.ts:42)",
      "details": [
          "(block == freed) && (pte.T1 || pte.T2) holds",
          "with block = freed, pte.T1 = true, pte.T2 = false"
      ]
  },
  "seed002/two-write-faults.ts": {
      "verdict": "invariant",
      "summary": "invariant 'no stale data mapped into user space' violated (two-write-faults.ts:47)",
      "details": [
          "stale_data_mapped is true",
          "with stale_data_mapped = true"
      ]
  },
  "seed002/zero-in-get-block.ts": {
      "verdict": "ok"
  },
  "seed003/gup-first.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "pagemap_read: rlock(&app->mmap_sem);",
              "pagemap_read: <page fault>",
              "pagemap_read: rlock(&app->mmap_sem);",
              "pagemap_read: <page fault>",
              "mmap: lock(&app->mmap_sem);",
              "pagemap_read: rlock(&app->mmap_sem);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: pagemap_read, mmap wait for each other",
      "cycle": [
          "pagemap_read",
          "mmap",
          "pagemap_read"
      ],
      "waits": [
          "pagemap_read waits for &app->mmap_sem (read) in a page fault at _pagemap.ts:34: queued behind writer mmap",
          "mmap waits for &app->mmap_sem (write) at _pagemap.ts:43: held for read by pagemap_read"
      ]
  },
  "seed003/kernel-buffer.ts": {
      "verdict": "ok"
  },
  "seed003/same-process.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "pagemap_read: rlock(&app->mmap_lock);",
              "pagemap_read: <page fault>",
              "mmap: lock(&app->mmap_lock);",
              "pagemap_read: rlock(&app->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: pagemap_read, mmap wait for each other",
      "cycle": [
          "pagemap_read",
          "mmap",
          "pagemap_read"
      ],
      "waits": [
          "pagemap_read waits for &app->mmap_lock (read) in a page fault at _pagemap.ts:34: queued behind writer mmap",
          "mmap waits for &app->mmap_lock (write) at _pagemap.ts:43: held for read by pagemap_read"
      ]
  },
  "seed003/two-processes.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "A pagemap_read(B): rlock(&B->mmap_lock);",
              "A pagemap_read(B): <page fault>",
              "B pagemap_read(A): rlock(&A->mmap_lock);",
              "B pagemap_read(A): <page fault>",
              "A mmap: lock(&A->mmap_lock);",
              "B mmap: lock(&B->mmap_lock);",
              "A pagemap_read(B): rlock(&A->mmap_lock);",
              "B pagemap_read(A): rlock(&B->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: A pagemap_read(B), A mmap, B pagemap_read(A), B mmap wait for each other",
      "cycle": [
          "A pagemap_read(B)",
          "A mmap",
          "B pagemap_read(A)",
          "B mmap",
          "A pagemap_read(B)"
      ],
      "waits": [
          "A pagemap_read(B) waits for &A->mmap_lock (read) in a page fault at _pagemap.ts:34: queued behind writer A mmap",
          "A mmap waits for &A->mmap_lock (write) at _pagemap.ts:43: held for read by B pagemap_read(A)",
          "B pagemap_read(A) waits for &B->mmap_lock (read) in a page fault at _pagemap.ts:34: queued behind writer B mmap",
          "B mmap waits for &B->mmap_lock (write) at _pagemap.ts:43: held for read by A pagemap_read(B)"
      ]
  },
  "seed004/four-threads-reader-preferring.ts": {
      "verdict": "ok"
  },
  "seed004/four-threads-recursive-read.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "A1 copy: rlock(&A->mmap_lock);",
              "A1 copy: <page fault>",
              "A2 mmap: lock(&A->mmap_lock);",
              "B1 copy: rlock(&B->mmap_lock);",
              "B1 copy: <page fault>",
              "B2 mmap: lock(&B->mmap_lock);",
              "A1 copy: rlock(&B->mmap_lock);",
              "B1 copy: rlock(&A->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: A1 copy, B2 mmap, B1 copy, A2 mmap wait for each other",
      "cycle": [
          "A1 copy",
          "B2 mmap",
          "B1 copy",
          "A2 mmap",
          "A1 copy"
      ],
      "waits": [
          "A1 copy waits for &B->mmap_lock (read) in a page fault at _uffd.ts:24: queued behind writer B2 mmap",
          "B2 mmap waits for &B->mmap_lock (write) at _uffd.ts:69: held for read by B1 copy",
          "B1 copy waits for &A->mmap_lock (read) in a page fault at _uffd.ts:24: queued behind writer A2 mmap",
          "A2 mmap waits for &A->mmap_lock (write) at _uffd.ts:69: held for read by A1 copy"
      ]
  },
  "seed004/four-threads.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "A1 copy: rlock(&A->mmap_lock);",
              "A1 copy: <page fault>",
              "A2 mmap: lock(&A->mmap_lock);",
              "B1 copy: rlock(&B->mmap_lock);",
              "B1 copy: <page fault>",
              "B2 mmap: lock(&B->mmap_lock);",
              "A1 copy: rlock(&B->mmap_lock);",
              "B1 copy: rlock(&A->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: A1 copy, B2 mmap, B1 copy, A2 mmap wait for each other",
      "cycle": [
          "A1 copy",
          "B2 mmap",
          "B1 copy",
          "A2 mmap",
          "A1 copy"
      ],
      "waits": [
          "A1 copy waits for &B->mmap_lock (read) in a page fault at _uffd.ts:24: queued behind writer B2 mmap",
          "B2 mmap waits for &B->mmap_lock (write) at _uffd.ts:69: held for read by B1 copy",
          "B1 copy waits for &A->mmap_lock (read) in a page fault at _uffd.ts:24: queued behind writer A2 mmap",
          "A2 mmap waits for &A->mmap_lock (write) at _uffd.ts:69: held for read by A1 copy"
      ]
  },
  "seed004/pagefault-disable.ts": {
      "verdict": "ok"
  },
  "seed004/same-mm-fair.ts": {
      "lockdep": {
          "header": "WARNING: possible circular locking dependency detected",
          "rows": [
              "A1 UFFDIO_COPY: rlock(&A->mmap_lock);",
              "A1 UFFDIO_COPY: <page fault>",
              "A2 mmap: lock(&A->mmap_lock);",
              "A1 UFFDIO_COPY: rlock(&A->mmap_lock);"
          ]
      },
      "verdict": "deadlock",
      "summary": "deadlock: A1 UFFDIO_COPY, A2 mmap wait for each other",
      "cycle": [
          "A1 UFFDIO_COPY",
          "A2 mmap",
          "A1 UFFDIO_COPY"
      ],
      "waits": [
          "A1 UFFDIO_COPY waits for &A->mmap_lock (read) in a page fault at _uffd.ts:24: queued behind writer A2 mmap",
          "A2 mmap waits for &A->mmap_lock (write) at _uffd.ts:69: held for read by A1 UFFDIO_COPY"
      ]
  },
  "seed004/same-mm-recursive-read.ts": {
      "verdict": "ok"
  }
};

const specs = path.resolve(import.meta.dirname, "../../specs");

describe.each(Object.entries(cases))("%s", (file, want) => {
  it(`is ${want.verdict}`, async () => {
    const def = (await import(path.join(specs, file))).default as ModelDef;
    const r = await check(def, { toolchain: await toolchain() });
    expect(r.verdict).toBe(want.verdict);
    const f = r.finding;
    if (want.verdict === "ok") {
      expect(f).toBeUndefined();
      return;
    }
    expect(f?.summary).toBe(want.summary);
    if (want.cycle) expect(f?.cycle).toEqual(want.cycle);
    if (want.waits) expect(f?.waits?.map((w) => w.text)).toEqual(want.waits);
    if (want.details) expect(f?.details).toEqual(want.details);
    if (want.lockdep) {
      const l = f?.lockdep;
      expect(l?.header).toBe(want.lockdep.header);
      expect(l?.rows.map((x) => `${l.columns[x.column]}: ${x.text}`)).toEqual(want.lockdep.rows);
    }
  });
});

describe("step merging", () => {
  it.each(Object.keys(cases))("%s: the same verdict with and without merging, in far fewer states", async (file) => {
    const def = (await import(path.join(specs, file))).default as ModelDef;
    const merged = explore(def);
    const unmerged = explore(def, { merge: false });
    expect(merged.verdict).toBe(unmerged.verdict);
    if (merged.verdict === "ok") expect(merged.distinct).toBeLessThanOrEqual(unmerged.distinct);
  });

  it("shows the operations a merged step covers, each with its line, in the same TLC step", async () => {
    const def = (await import(path.join(specs, "seed000/as-reported.ts"))).default as ModelDef;
    const r = await check(def, { toolchain: await toolchain() });
    const steps = r.finding?.steps ?? [];
    // T1 takes A_mutex and faults on copy_to_user in one TLC step.
    const lock = steps.find((s) => s.operation === "mutex_lock(&A_mutex)" && s.thread === "T1 ioctl");
    const fault = steps.find((s) => s.operation === "copy_to_user(user_buf)");
    expect([lock?.merged, fault?.merged, fault?.effect, `${fault?.loc.file}:${fault?.loc.line}`]).toEqual([false, true, "page fault", "as-reported.ts:14"]);
    expect(fault?.tlcStep).toBe(lock?.tlcStep);
    expect(fault?.index).toBe((lock?.index ?? 0) + 1);
  });

  it("--no-merge gives one TLC step per operation and the same finding", async () => {
    const def = (await import(path.join(specs, "seed000/as-reported.ts"))).default as ModelDef;
    const r = await check(def, { toolchain: await toolchain(), merge: false });
    expect(r.verdict).toBe("deadlock");
    expect(r.finding?.cycle).toEqual(["T2 reader", "T1 ioctl", "T3 mmap", "T2 reader"]);
    expect(r.finding?.steps.every((s) => !s.merged && s.tlcStep === s.index)).toBe(true);
    expect(r.stats?.distinct).toBe(62);
  });
});
