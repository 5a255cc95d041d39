// scripts/install-tlc.mjs end to end, against a local HTTP server standing in
// for the release URL (FAULTLINE_TLC_URL). It must exit 0 whatever happens.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realJava } from "../../src/tlc/locate.js";
import { PINNED } from "../../src/tlc/pinned.js";
import { toolchain } from "../helpers/toolchain.js";

const script = new URL("../../scripts/install-tlc.mjs", import.meta.url).pathname;
const root = new URL("../..", import.meta.url).pathname;
const realJar = (await toolchain()).jar;
// A tiny stand-in "jar": a zip header and the entry name the script looks for.
const jarBytes = Buffer.from("PK\u0003\u0004....tlc2/TLC.class....");

let server: Server;
let base: string;
let closedPort: number;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/redirect") res.writeHead(302, { location: "/tla2tools.jar" }).end();
    else if (req.url === "/tla2tools.jar") res.writeHead(200).end(jarBytes);
    else if (req.url === "/html") res.writeHead(200).end("<html>rate limited</html>");
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), "faultline-install-"));
  // A port nothing listens on: open one, note it, close it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function install(env: Record<string, string>): Promise<{ exitCode: number | undefined; stdout: string }> {
  // Drop an inherited TLA2TOOLS_JAR so each case sets exactly what it tests.
  const { TLA2TOOLS_JAR: _, ...inherited } = process.env;
  // FAULTLINE_NO_CDS, FAULTLINE_NO_CANON: these cases are about the jar (the archive and class step has its own case).
  const res = await execa("node", [script], { env: { ...inherited, FAULTLINE_NO_CDS: "1", FAULTLINE_NO_CANON: "1", ...env }, extendEnv: false, reject: false });
  return { exitCode: res.exitCode, stdout: res.stdout };
}

describe("install-tlc.mjs", () => {
  it("follows a redirect, checks the jar, moves it into the cache and prints its sha256", async () => {
    const cache = join(dir, "fresh");
    const res = await install({ FAULTLINE_CACHE_DIR: cache, FAULTLINE_TLC_URL: `${base}/redirect` });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/^faultline: fetched TLC 1\.8\.0 to .* \(sha256 [0-9a-f]{64}\)$/);
    expect(readFileSync(join(cache, PINNED.jarFile))).toEqual(jarBytes);
    expect(await readdir(cache)).toEqual([PINNED.jarFile]); // no temp file left
  });

  it("is silent when the cached jar is already there", async () => {
    const res = await install({ FAULTLINE_CACHE_DIR: join(dir, "fresh"), FAULTLINE_TLC_URL: `${base}/nothing` });
    expect(res).toEqual({ exitCode: 0, stdout: "" });
  });

  it.each([
    ["an HTTP error", "/missing", /HTTP 404/],
    ["a page that is not a jar", "/html", /is not a tla2tools\.jar/],
    ["an unreachable host", "closed", /ECONNREFUSED/],
  ])("says it did not fetch on %s, and exits 0", async (_, path, why) => {
    const cache = join(dir, "failing");
    const url = path === "closed" ? `http://127.0.0.1:${closedPort}/tla2tools.jar` : `${base}${path}`;
    const res = await install({ FAULTLINE_CACHE_DIR: cache, FAULTLINE_TLC_URL: url });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/^faultline: TLC 1\.8\.0 was not fetched \(.*\); set TLA2TOOLS_JAR=/);
    expect(res.stdout).toMatch(why);
    expect(existsSync(join(cache, PINNED.jarFile))).toBe(false);
  });

  it("makes the class-data sharing archive and faultline's classes for TLC when faultline is built and java and the jar are there", async () => {
    const cache = join(dir, "cds");
    const res = await install({ TLA2TOOLS_JAR: realJar, FAULTLINE_CACHE_DIR: cache, FAULTLINE_NO_CDS: "", FAULTLINE_NO_CANON: "" });
    expect(res.exitCode).toBe(0);
    if (!existsSync(join(root, "dist/tlc/index.js"))) return; // not built: nothing to do, and no error
    expect(res.stdout).toMatch(/^faultline: saved TLC's classes for a faster start in .*\.jsa$/m);
    expect((await readdir(join(cache, "cds"))).filter((f) => f.endsWith(".jsa"))).toHaveLength(1);
    // With a JDK (a javac beside java), the classes of src/tlc/canon.ts too.
    const java = await realJava((await toolchain()).java);
    if (!java || !existsSync(join(dirname(java), "javac"))) return;
    const classes = /^faultline: compiled faultline's classes for TLC in (.*)$/m.exec(res.stdout)?.[1];
    expect(classes).toBe(join(cache, "canon", (await readdir(join(cache, "canon")))[0] as string));
    expect(await readdir(join(classes as string, "faultline"))).toEqual(expect.arrayContaining(["Canon.class", "Launch.class"]));
  });

  it("uses TLA2TOOLS_JAR when it exists, and does not download", async () => {
    const res = await install({ TLA2TOOLS_JAR: script, FAULTLINE_CACHE_DIR: join(dir, "unused") });
    expect(res).toEqual({ exitCode: 0, stdout: `faultline: using TLC from TLA2TOOLS_JAR=${script}` });
    expect(existsSync(join(dir, "unused"))).toBe(false);
  });
});
