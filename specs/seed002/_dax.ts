// Seed 002 (DAX page faults): shared pieces. A DAX file is mapped straight to
// its storage blocks: there is no page cache page, so no lock_page() to
// serialise a fault against other faults or against truncate.
//
// The fault path keeps per-fault state (get_block()'s buffer_new, the block it
// looked up): procedure locals of `__dax_fault`, fresh at each fault, as the
// kernel's are. Every faulting thread maps the one file through one mapping
// (`daxFile`), unless the model needs each mapping's own page table state
// (`faultingThread`, truncate's zap of every mapping).
import type { Body, ModelBuilder, ProcessBuilder, RegionRef, ThreadRef } from "faultline";

/** The DAX file mapped into `proc`: its fault runs `fault` (the filesystem's ->fault -> __dax_fault()). */
export function daxFile(m: ModelBuilder, proc: ProcessBuilder, fault: (p: Body) => void): RegionRef {
  return proc.region("dax_file", { fault: m.proc("__dax_fault", fault) });
}

/** A thread that write-faults (or read-faults) the mapping. */
export function faultOn(proc: ProcessBuilder, name: string, mapping: RegionRef, access: "store" | "load" = "store"): ThreadRef {
  return proc.thread(name, (t) => (access === "store" ? t.store(mapping) : t.load(mapping)));
}

/**
 * A thread of `proc` that writes (or reads) the DAX file through its own
 * mapping `dax_file.<tag>` (tag: the first word of `name`), for models where each
 * mapping has page table state of its own; when the access faults, the page
 * fault handler takes mmap_sem for read and runs `fault`.
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
