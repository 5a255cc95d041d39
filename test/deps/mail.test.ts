// `--format mail`: plain text for an LKML reply, every line within 72 columns.
import { describe, expect, it } from "vitest";
import { MAIL_WIDTH, wrap } from "../../src/cli/mail.js";
import { faultline } from "../helpers/cli.js";

const over = (text: string) => text.split("\n").filter((l) => l.length > MAIL_WIDTH);

describe("--format mail", () => {
  it("seed001's proposal: trace, who waits for whom, the lockdep block, why and the dependencies, within 72 columns", async () => {
    const r = await faultline(["check", "--format", "mail", "specs/seed001/tglx-bd-sem.ts"]);
    expect(r.exitCode).toBe(1);
    expect(over(r.stdout)).toEqual([]);
    for (const heading of ["Trace (shortest):", "Who waits for whom:", "WARNING: possible circular locking dependency detected", " Possible unsafe locking scenario:", "Why it happens (variants of the model checked):", "Lock dependencies (held -> acquired;", "Potential deadlocks (lockdep's rules over the dependencies):"]) {
      expect(r.stdout).toContain(heading);
    }
    expect(r.stdout).toContain("  &app->mmap_lock (read) -> &app->mmap_lock (read)\n      munmap: _mpx.ts:40 -> _mpx.ts:32 via page fault on bounds_dir in\n        mpx_pre_unmap > invalidate_bd_entry (_mpx.ts:32)");
    expect(r.stdout).not.toContain("\u001b["); // no colour
  });

  it("a three-thread lockdep table too wide for columns becomes one line per operation (seed000)", async () => {
    const r = await faultline(["check", "--format", "mail", "specs/seed000/as-reported.ts", "specs/seed003/kernel-buffer.ts"]);
    expect(over(r.stdout)).toEqual([]);
    expect(r.stdout).toContain("       T2 reader  rlock(&app->mmap_lock);\n       T3 mmap    lock(&app->mmap_lock);");
    expect(r.stdout).toContain("faultline: seed003 pagemap kernel buffer\n    (specs/seed003/kernel-buffer.ts): ok, no finding\n");
  });

  it("wrap keeps every line within the width, even for a word longer than a line", () => {
    const long = `  ${"x".repeat(100)} and some words after it ${"y".repeat(30)}`;
    const lines = wrap(long, "    ");
    expect(lines.every((l) => l.length <= MAIL_WIDTH)).toBe(true);
    expect(lines.join("").replace(/\s+/g, "")).toBe(long.replace(/\s+/g, ""));
    expect(lines[1]?.startsWith("    ")).toBe(true);
  });

  it("rejects an unknown format with exit 2", async () => {
    const r = await faultline(["check", "--format", "html", "specs/seed000/as-reported.ts"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("--format must be text or mail");
  });
});
