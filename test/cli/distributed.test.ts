// Distributed TLC over loopback (127.0.0.1 only): `faultline check --distributed`
// runs TLC's server, two `faultline worker` processes do the checking, and the
// finding is the local one (the state count of a full check against a local run:
// distributed.long.test.ts). A jar whose distributed mode
// is broken is recognised (server and worker), and a server no worker reaches
// gives up with a clear message instead of waiting forever.
import { chmod, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { brokenDistributed, lastStateCheck, parseTlaValue, superClass, textTrace, zipEntry } from "../../src/tlc/distributed.js";
import { faultline, javaUnder } from "../helpers/cli.js";
import { distributed, testPort } from "../helpers/distributed.js";
import { toolchain } from "../helpers/toolchain.js";

const tmp = await mkdtemp(path.join(tmpdir(), "faultline-dist-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
const tc = await toolchain();
const port = testPort(0);

/** A minimal class file: `class X extends <sup>`. */
function classFile(name: string, sup: string): Buffer {
  const utf8 = (s: string) => Buffer.concat([Buffer.from([1]), Buffer.from([s.length >> 8, s.length & 255]), Buffer.from(s)]);
  const pool = Buffer.concat([utf8(name), Buffer.from([7, 0, 1]), utf8(sup), Buffer.from([7, 0, 3])]);
  const head = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 61, 0, 5]);
  const tail = Buffer.from([0, 0x21, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([head, pool, tail]);
}

/** A stored (uncompressed) zip with these entries. */
function zip(entries: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const n = Buffer.from(name);
    const crc = crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(10, 4);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(10, 6);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, n, data);
    central.push(ch, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe("distributed TLC", () => {
  // Four JVMs (server, two workers, the one-state check): slow on a loaded machine.
  it("a deadlock found by the workers is the same finding, read back from the server's trace", { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(path.join(tmp, "run-"));
    const d = await distributed("specs/seed000/as-reported.ts", port + 1, dir);
    expect(d.server.exitCode).toBe(1);
    expect(d.json.verdict).toBe("deadlock");
    expect(d.json.cycle).toEqual(["T2 reader", "T1 ioctl", "T3 mmap", "T2 reader"]);
    expect(d.json.waits.map((w: { text: string }) => w.text)).toContain("T2 reader waits for &A_mutex at _scenario.ts:13 (in driverA_decrypt() <- driverB_read() <- squashfs_fault() <- page fault on squashfs_map at _scenario.ts:24): held by T1 ioctl");
    expect(await javaUnder(dir)).toEqual([]);
  });

  it("a server that no worker reaches gives up with a clear message and leaves no JVM", async () => {
    const dir = await mkdtemp(path.join(tmp, "run-"));
    const r = await faultline(["check", "--distributed", "--port", String(port + 2), "--host", "127.0.0.1", "--worker-wait", "3", "specs/seed000/as-reported.ts"], { TMPDIR: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(`error: no TLC worker registered with the distributed server on port ${port + 2} within 3 s; the server was stopped`);
    expect(r.stdout).toMatch(/hint: start workers with `faultline worker <this-host>:\d+`/);
    expect(await javaUnder(dir)).toEqual([]);
  });

  it("recognises a jar whose distributed mode is broken (FPSet not a remote object), in the server and the worker", async () => {
    expect(superClass((await zipEntry(tc.jar, "tlc2/tool/fp/FPSet.class")) as Buffer)).toBe("java/rmi/server/UnicastRemoteObject");
    expect(await brokenDistributed(tc.jar)).toBeUndefined();
    const broken = path.join(tmp, "v1.8.0-like.jar");
    await writeFile(broken, zip({ "tlc2/tool/fp/FPSet.class": classFile("tlc2/tool/fp/FPSet", "java/lang/Object") }));
    expect(await brokenDistributed(broken)).toMatch(/extends java\.lang\.Object\), so every worker fails with java\.io\.NotSerializableException: tlc2\.tool\.fp\.MultiFPSet/);
    const server = await faultline(["check", "--distributed", "specs/seed000/as-reported.ts"], { TLA2TOOLS_JAR: broken });
    expect(server.exitCode).toBe(3);
    expect(server.stdout).toContain("error: this tla2tools.jar cannot run distributed TLC");
    expect(server.stdout).toMatch(/hint: use a tla2tools\.jar with commit 6fde5a9ea reverted/);
    const worker = await faultline(["worker", "127.0.0.1:1"], { TLA2TOOLS_JAR: broken });
    expect(worker.exitCode).toBe(3);
    expect(worker.stderr).toContain("faultline worker: error: this tla2tools.jar cannot run distributed TLC");
  });

  it("a worker failing with NotSerializableException is stopped and reported, not left waiting", async () => {
    const dir = await mkdtemp(path.join(tmp, "fake-"));
    // A java that answers -version and then fails as a v1.8.0 worker does, and would hang.
    const java = path.join(dir, "fake-java");
    await writeFile(
      java,
      `#!/bin/sh\ncase "$1" in -version) echo 'openjdk version "17.0.15" 2025-04-15' >&2; exit 0;; esac\necho 'TLC Worker Version 2026'\necho 'java.rmi.MarshalException: error marshalling arguments; nested exception is:'\necho '\tjava.io.NotSerializableException: tlc2.tool.fp.MultiFPSet'\nexec sleep 600\n`,
    );
    await chmod(java, 0o755);
    const jar = path.join(dir, "tla2tools.jar");
    await copyFile(tc.jar, jar);
    const started = Date.now();
    const r = await faultline(["worker", "127.0.0.1:1"], { JAVA: java, TLA2TOOLS_JAR: jar });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("the worker failed with java.io.NotSerializableException: tlc2.tool.fp.MultiFPSet");
  });

  it("reads a recorded server's counterexample, and builds the one-state check that names its invariant", () => {
    const output = readFileSync(path.join(import.meta.dirname, "../fixtures/tlc/distributed/server-deadlock.txt"), "utf8");
    const trace = textTrace(output);
    expect(trace?.vars).toEqual(["pc", "rw", "owner"]);
    expect(trace?.actions).toEqual([null, "T2_reader_p2", "T3_mmap_p1", "T1_ioctl_p1"]);
    expect(trace?.states[3]).toEqual({
      pc: { T2_reader: "p3", T3_mmap: "p1", T1_ioctl: "p4" },
      rw: { app_mmap_lock: { readers: { T2_reader: 1 }, writer: "-", queue: [["T3_mmap", "write"]] } },
      owner: { A_mutex: "T1_ioctl" },
    });
    const one = lastStateCheck("---- MODULE M ----\nVARIABLES pc, rw, owner\n====\n", "INIT Init\nNEXT Next\nINVARIANT NoDeadlock\nPROPERTY Termination\n", output);
    expect(one?.cfg).toBe("INIT FaultlineLastState\nNEXT Next\nINVARIANT NoDeadlock\n");
    expect(one?.spec).toContain('FaultlineLastState ==\n  /\\ pc = [T2_reader |-> "p3", T3_mmap |-> "p1", T1_ioctl |-> "p4"]');
    expect(one?.spec).toMatch(/owner = \[A_mutex \|-> "T1_ioctl"\]\n\n====\n$/);
  });

  it("reads TLC's printed values in the shapes of its JSON dump", () => {
    expect(parseTlaValue('[readers |-> <<>>, writer |-> "-", queue |-> <<<<"T3_mmap", "write">>>>]')).toEqual({ readers: [], writer: "-", queue: [["T3_mmap", "write"]] });
    expect(parseTlaValue("(ioctl1 :> 1 @@ ioctl2 :> -2)")).toEqual({ ioctl1: 1, ioctl2: -2 });
    expect(parseTlaValue('{TRUE, FALSE}')).toEqual([true, false]);
    expect(parseTlaValue('("a b" :> {1, 2})')).toEqual({ "a b": [1, 2] });
    expect(parseTlaValue('[x |-> "say \\"hi\\""]')).toEqual({ x: 'say "hi"' });
    expect(() => parseTlaValue("[x |-> ]")).toThrow(/cannot read TLC value/);
  });
});
