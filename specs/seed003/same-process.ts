// Seed 003 (/proc/self/pagemap), Linus's objection to "proc: pagemap: Hold
// mmap_sem during page walk": pagemap_read() would hold mmap_sem over
// pagemap_pte_range() and so over add_to_pagemap()'s put_user() into the
// reader's buffer. "you must never do a virtual user space access while
// holding mmap_sem."
//
// Variant: a process reads its own pagemap (target mm == reader mm) while
// another of its threads calls mmap().
//
// Expected verdict: deadlock. The put_user() faults (the output buffer page is
// not present), and the fault's down_read(mmap_sem) is a second read of the
// lock the walk already holds. It queues behind the mmap() thread's
// down_write, which waits for the walk's read hold to go away.
import { model } from "faultline";
import { mmapThread, pagemapRead } from "./_pagemap.js";

export default model("seed003 pagemap same process", (m) => {
  const app = m.process("app");
  const buf = app.region("app.buf"); // the read(2) buffer
  app.thread("pagemap_read", pagemapRead(app, app, buf));
  mmapThread(app, "mmap");
});
