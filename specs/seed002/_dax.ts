// Seed 002 (DAX page faults): shared pieces. A DAX file is mapped straight to
// its storage blocks: there is no page cache page, so no lock_page() to
// serialise a fault against other faults or against truncate.
//
// Every faulting thread maps the file through its own mapping (its own
// region), because the fault path keeps per-fault state (get_block()'s
// buffer_new, the block it looked up) and a faultline procedure has no local
// variables: each mapping gets its own copy of the fault procedure with its
// own variables. Several mappings of one file share the file's blocks, which
// is all these models need.
import type { Body, ModelBuilder, ProcessBuilder, ThreadRef } from "faultline";

/**
 * A thread of `proc` that writes (or reads) the DAX file through its own
 * mapping `dax_file.<tag>` (tag: the first word of `name`); when the access faults, the page fault handler takes mmap_sem for
 * read and runs `fault` (the filesystem's ->fault -> __dax_fault()).
 */
export function faultingThread(
  m: ModelBuilder,
  proc: ProcessBuilder,
  name: string,
  fault: (p: Body) => void,
  access: "store" | "load" = "store",
): ThreadRef {
  const tag = name.split(" ")[0];
  const handler = m.proc(`__dax_fault.${tag}`, fault);
  const mapping = proc.region(`dax_file.${tag}`, { fault: handler });
  return proc.thread(name, (t) => (access === "store" ? t.store(mapping) : t.load(mapping)));
}
