// The dependency analysis on its worker thread (src/deps/background.ts): the
// same insight as analyse() in this thread, on a model whose table has edges
// and lockdep cycles; a worker that fails hands over to analyse() here.
import { describe, expect, it } from "vitest";
import { compile } from "../../src/check.js";
import { HERE_STATES, analyseInBackground } from "../../src/deps/background.js";
import { analyse } from "../../src/deps/index.js";
import asReported from "../../specs/seed000/as-reported.js";
import proposal from "../../specs/seed001/tglx-bd-sem.js";

const program = (def = proposal) => {
  const c = compile(def);
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join("; "));
  return c.program;
};

describe("dependency analysis beside TLC", { timeout: 60_000 }, () => {
  it("the worker's insight is analyse()'s, edges, cycles and evidence alike", async () => {
    const p = program();
    const bg = analyseInBackground(proposal.ir, p, { worker: true });
    expect(bg.ranOn()).toBe("pending");
    const got = await bg.result();
    expect(bg.ranOn()).toBe("worker");
    const want = analyse(proposal.ir, p);
    expect(want.deps.edges.length).toBeGreaterThan(0);
    expect(want.cycles.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it("a model of at most HERE_STATES states is analysed at once in this thread, with the same insight", async () => {
    const p = program(asReported);
    const bg = analyseInBackground(asReported.ir, p);
    expect(bg.ranOn()).toBe("here");
    const got = await bg.result();
    expect(got.deps.states).toBeLessThanOrEqual(HERE_STATES);
    expect(got.deps.edges.length).toBeGreaterThan(0);
    expect(got).toEqual(analyse(asReported.ir, p));
    // seed001's proposal (6288 states) is not: it went to the worker above.
    expect(analyse(proposal.ir, program()).deps.states).toBeGreaterThan(HERE_STATES);
  });

  it("run from the sources (as here), a large model's analysis waits in this thread for its result to be wanted, unless a worker is asked for", async () => {
    const p = program();
    const bg = analyseInBackground(proposal.ir, p);
    expect(bg.ranOn()).toBe("pending");
    expect(await bg.result()).toEqual(analyse(proposal.ir, p));
    expect(bg.ranOn()).toBe("here");
  });

  it("a state limit reaches the worker; a worker that cannot clone its input hands over to analyse() here", async () => {
    const p = program();
    const capped = analyseInBackground(proposal.ir, p, { maxStates: 5, worker: true });
    expect(await capped.result()).toEqual(analyse(proposal.ir, p, { maxStates: 5 }));
    expect(capped.ranOn()).toBe("worker");
    // A function cannot be posted to a worker (DataCloneError): the analysis runs here.
    const odd = { ...proposal.ir, extra: () => 1 } as unknown as typeof proposal.ir;
    const fallback = analyseInBackground(odd, p, { worker: true });
    expect(await fallback.result()).toEqual(analyse(proposal.ir, p));
    expect(fallback.ranOn()).toBe("here");
  });
});
