// --report: the HTML file renders in a real headless browser (Debian's
// chromium, driven by playwright-core), shows the lanes and the deadlock cycle,
// keeps every operation's text inside its box, and fetches nothing from the network.
// Without chromium the tests print how to install it and are skipped (test/helpers/browser.ts).
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { wrapText } from "../../src/report/html.js";
import { chromiumOrSkip } from "../helpers/browser.js";
import { faultline } from "../helpers/cli.js";

const dir = await mkdtemp(path.join(tmpdir(), "faultline-report-"));
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

async function launch(executablePath: string): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return browser;
}

/** Boxes whose text runs outside their rectangle, and the lockdep block's sideways overflow. */
const OVERFLOW = () => {
  const bad: string[] = [];
  for (const g of document.querySelectorAll("svg.lanes g.step, svg.lanes g.blocked")) {
    const rect = g.querySelector("rect")?.getBoundingClientRect();
    if (!rect) continue;
    for (const t of g.querySelectorAll("text")) {
      const b = t.getBoundingClientRect();
      if (b.left < rect.left || b.right > rect.right || b.top < rect.top || b.bottom > rect.bottom) bad.push(`${t.textContent} (${Math.round(b.right - rect.right)} px)`);
    }
  }
  const lockdep = document.querySelector("#lockdep");
  return { bad, lockdepScroll: lockdep ? lockdep.scrollWidth - lockdep.clientWidth : 0 };
};

describe("--report", () => {
  it("renders the seed004 four-thread deadlock with its lanes and cycle, offline", async (ctx) => {
    const executablePath = chromiumOrSkip(ctx);
    const file = path.join(dir, "four-threads.html");
    const r = await faultline(["check", "-q", "--report", file, "specs/seed004/four-threads.ts"]);
    expect(r.exitCode).toBe(1);
    expect((await stat(file)).size).toBeLessThan(200_000);

    const page = await (await launch(executablePath)).newPage({ viewport: { width: 1280, height: 900 } });
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
    expect(await page.evaluate(OVERFLOW)).toEqual({ bad: [], lockdepScroll: 0 });
    expect(requests).toEqual([pathToFileURL(file).href]);
  });

  it("shows long operation texts whole, wrapped inside their boxes, and the lockdep block without sideways scrolling at 1280 px", async (ctx) => {
    const executablePath = chromiumOrSkip(ctx);
    const file = path.join(dir, "long-names.html");
    const r = await faultline(["check", "-q", "--report", file, "test/fixtures/report/long-names.ts"]);
    expect(r.exitCode).toBe(1);
    const page = await (await launch(executablePath)).newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    expect(await page.textContent("#verdict")).toBe("deadlock");
    // The whole operation is in the lane, not cut short: its lines joined give it back.
    const step = await page.locator("svg.lanes g.step").first().locator("text").allTextContents();
    expect(step.join("")).toContain("down_write(&application_with_a_rather_long_process_name->bd_sem_protecting_the_bounds_directory_of_the_mpx_tables)");
    expect(step.join(" ")).not.toContain("…");
    expect(await page.evaluate(OVERFLOW)).toEqual({ bad: [], lockdepScroll: 0 });
  });
});

describe("wrapText", () => {
  it("keeps every character, breaks at punctuation where it can, and no line is longer than asked", () => {
    const s = "down_write(&application_with_a_rather_long_process_name->bd_sem_protecting_the_bounds_directory)";
    const lines = wrapText(s, 21);
    expect(lines.join("").replace(/\s/g, "")).toBe(s.replace(/\s/g, ""));
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(21);
    expect(lines[0]).toBe("down_write(");
    expect(wrapText("short", 21)).toEqual(["short"]);
    expect(wrapText("", 21)).toEqual([""]);
  });
});
