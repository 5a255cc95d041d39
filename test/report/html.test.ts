// --report: the HTML file renders in a real headless browser (Debian's
// chromium, driven by playwright-core), shows the lanes and the deadlock cycle,
// and fetches nothing from the network.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { faultline } from "../helpers/cli.js";

const dir = await mkdtemp(path.join(tmpdir(), "faultline-report-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Debian's chromium (.ci/run installs it); CHROMIUM overrides. */
const executablePath = process.env["CHROMIUM"] ?? "/usr/bin/chromium";

describe("--report", () => {
  it("renders the seed004 four-thread deadlock with its lanes and cycle, offline", async () => {
    const file = path.join(dir, "four-threads.html");
    const r = await faultline(["check", "-q", "--report", file, "specs/seed004/four-threads.ts"]);
    expect(r.exitCode).toBe(1);
    expect((await stat(file)).size).toBeLessThan(200_000);

    const browser = await chromium.launch({
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (req) => requests.push(req.url()));
      await page.goto(pathToFileURL(file).href);
      expect(await page.textContent("#verdict")).toBe("deadlock");
      expect(await page.locator("svg.lanes g.lane").count()).toBe(4);
      expect(await page.locator("svg.lanes g.lane.in-cycle").count()).toBe(4);
      expect(await page.locator("svg.lanes .wait-arrow.cycle").count()).toBe(4);
      expect(await page.locator("svg.lanes g.blocked").count()).toBe(4);
      expect(await page.locator("svg.lanes g.step").count()).toBe(6);
      expect(await page.textContent("#lockdep")).toContain("*** DEADLOCK ***");
      expect(await page.textContent("#spec")).toContain("NoDeadlock == Deadlocked = {}");
      const box = await page.locator("svg.lanes").boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      expect(requests).toEqual([pathToFileURL(file).href]);
    } finally {
      await browser.close();
    }
  });
});
