// Verdict: ok. The fix of stable-pages.ts: the writer waits for the writeback to end
// (wait_for_stable_page) before it dirties the page; the rest as there. An array of shared variables: the state of each page (clean,
// dirty, under writeback), next to the page locks of the same pages. Writeback picks
// a page, marks it under writeback with the page lock held and writes it out
// without the lock; a writer that dirties the page without waiting for the
// writeback to end changes it under the I/O (the reason wait_for_stable_page exists).
//
//   writeback:  lock_page(page); if (PageDirty(page)) set_page_writeback(page);
//               unlock_page(page); /* I/O */ end_page_writeback(page);
//   write:      lock_page(page); wait_for_stable_page(page);
//               set_page_dirty(page); unlock_page(page);
import { implies, model } from "faultline";
import type { LocalRef } from "faultline";

export default model("stable pages, fixed", (m) => {
  const fs = m.process("fs");
  const pages = ["A", "B"] as const;
  const page = m.pageLocks(pages);
  const state = m.enumArray("state", pages, ["clean", "dirty", "writeback"], { A: "dirty", B: "clean" });
  let wb: LocalRef<"A" | "B"> | undefined;
  const writeback = fs.thread("T1 writeback", (t) => {
    const p = t.enum("page", pages, "A");
    wb = p;
    t.either(() => {}, (b) => b.set(p, "B"));
    t.lockPage(page.at(p));
    t.if(state.at(p).eq("dirty"), (w) => {
      w.set(state.at(p), "writeback");
      w.unlockPage(page.at(p));
      w.label("io");
      w.set(state.at(p), "clean"); // end_page_writeback
    }, (c) => c.unlockPage(page.at(p)));
  });
  fs.thread("T2 write", (t) => {
    const p = t.enum("page", pages, "A");
    t.either(() => {}, (b) => b.set(p, "B"));
    t.lockPage(page.at(p));
    t.await(state.at(p).ne("writeback")); // wait_for_stable_page(page)
    t.set(state.at(p), "dirty");
    t.unlockPage(page.at(p));
  });
  // While writeback is at its I/O, the page it writes stays under writeback.
  m.invariant("stable page during I/O", implies(m.at(writeback, "io"), state.at(wb as LocalRef<"A" | "B">).eq("writeback")));
});
