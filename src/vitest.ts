// `import "faultline/vitest"`: vitest matchers that check a model with TLC and,
// when they fail, print faultline's report (the trace, who waits for whom):
//
//   await expect(model).toBeDeadlockFree();
//   await expect(model).toHaveNoFindings();
//   await expect(model).toFind("deadlock", { cycle: ["T1", "T2"], threads: ["T1", "T2"] });
//
// The subject is a model (checked here) or a CheckResult from check(). The
// matchers are asynchronous: await them. vitest is a peer dependency.

import { expect } from "vitest";
import { type CheckOptions, type CheckResult, check } from "./check.js";
import { formatResult, makeStyle } from "./cli/print.js";
import { type ModelDef, isModelDef } from "./dsl/model.js";
import type { Verdict } from "./trace/translate.js";

/** What a model can be found to have. */
export type FindingKind = Exclude<Verdict, "ok">;

export interface FindExpectation {
  /**
   * For a deadlock: the waits-for cycle, thread names in order (`["T1", "T2"]`; the
   * closing repeat of the first is optional and any rotation matches).
   */
  readonly cycle?: readonly string[];
  /** The threads the finding is about (deadlock: the stuck ones), in any order. */
  readonly threads?: readonly string[];
}

/** The matchers' options: those of check() (timeout, workers, ...). */
export type MatcherCheckOptions = Omit<CheckOptions, "only" | "signal" | "onOutput">;

export interface FaultlineMatchers<R = unknown> {
  /** TLC finds no deadlock in any reachable state (other findings are not looked for). */
  toBeDeadlockFree(options?: MatcherCheckOptions): Promise<R>;
  /** TLC finds nothing: verdict `ok`. */
  toHaveNoFindings(options?: MatcherCheckOptions): Promise<R>;
  /** TLC finds this kind of finding (looking for that kind only), with this cycle and these threads if given. */
  toFind(kind: FindingKind, expected?: FindExpectation, options?: MatcherCheckOptions): Promise<R>;
}

declare module "vitest" {
  // vitest 3.2 and later: the documented place for custom matchers' types.
  interface Matchers<T = any> extends FaultlineMatchers<void> {}
  // Older vitest, where Assertion was vitest's own interface.
  interface Assertion<T = any> extends FaultlineMatchers<void> {}
}

const plain = makeStyle(false);

/** The report as `faultline check` prints it, indented under the matcher's message. */
function report(r: CheckResult): string {
  return formatResult(r, r.spec ? `${r.spec.module}.tla` : r.model, plain)
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

async function resultOf(subject: unknown, options: MatcherCheckOptions | undefined, only?: readonly string[]): Promise<CheckResult> {
  if (isModelDef(subject)) return check(subject as ModelDef, { ...options, ...(only && { only }) });
  if (isCheckResult(subject)) return subject;
  throw new TypeError(`expected a faultline model (model(...)) or a CheckResult from check(), got ${typeof subject}`);
}

function isCheckResult(x: unknown): x is CheckResult {
  return typeof x === "object" && x !== null && typeof (x as { verdict?: unknown }).verdict === "string" && typeof (x as { model?: unknown }).model === "string";
}

/** No verdict at all (a bad model, TLC failing): neither pass nor `.not` pass. */
function noVerdict(r: CheckResult): never {
  throw new Error(`faultline could not check '${r.model}': ${r.verdict}\n${report(r)}`);
}

const hasVerdict = (r: CheckResult) => r.verdict !== "invalid" && r.verdict !== "error" && r.verdict !== "timeout";

/** `["A", "B"]` and `["B", "A", "B"]` are the same cycle. */
export function sameCycle(actual: readonly string[], wanted: readonly string[]): boolean {
  const open = (c: readonly string[]) => (c.length > 1 && c[0] === c.at(-1) ? c.slice(0, -1) : [...c]);
  const a = open(actual);
  const w = open(wanted);
  if (a.length !== w.length) return false;
  return a.some((_, k) => w.every((name, i) => a[(k + i) % a.length] === name));
}

function involvedNames(r: CheckResult): string[] {
  const f = r.finding;
  if (!f) return [];
  const name = (id: string) => f.steps.find((s) => s.threadId === id)?.thread ?? f.waits?.find((w) => w.threadId === id)?.thread ?? id;
  return [...new Set(f.involved.map(name))];
}

expect.extend({
  async toBeDeadlockFree(subject: unknown, options?: MatcherCheckOptions) {
    const r = await resultOf(subject, options, ["deadlock"]);
    if (!hasVerdict(r)) noVerdict(r);
    const pass = r.verdict === "ok" || (r.verdict !== "deadlock" && isModelDef(subject));
    return {
      pass,
      message: () =>
        pass
          ? `expected ${r.model} to deadlock, but TLC found no deadlock (${r.stats?.distinct ?? "?"} distinct states)`
          : r.verdict === "deadlock"
            ? `expected ${r.model} to be deadlock-free, but TLC found a deadlock:\n\n${report(r)}`
            : `expected ${r.model} to be deadlock-free, but this result stopped at a ${r.verdict} first (pass the model itself to look for deadlocks only):\n\n${report(r)}`,
    };
  },

  async toHaveNoFindings(subject: unknown, options?: MatcherCheckOptions) {
    const r = await resultOf(subject, options);
    if (!hasVerdict(r)) noVerdict(r);
    const pass = r.verdict === "ok";
    return {
      pass,
      message: () => (pass ? `expected ${r.model} to have a finding, but TLC found none (${r.stats?.distinct ?? "?"} distinct states)` : `expected ${r.model} to have no findings, but TLC found a ${r.verdict}:\n\n${report(r)}`),
    };
  },

  async toFind(subject: unknown, kind: FindingKind, expected: FindExpectation = {}, options?: MatcherCheckOptions) {
    const r = await resultOf(subject, options, [kind]);
    if (!hasVerdict(r)) noVerdict(r);
    const problems: string[] = [];
    if (r.verdict !== kind) problems.push(r.verdict === "ok" ? `TLC found no ${kind}` : `TLC found a ${r.verdict}, not a ${kind}`);
    else {
      if (expected.cycle && !sameCycle(r.finding?.cycle ?? [], expected.cycle)) {
        problems.push(`the cycle is ${(r.finding?.cycle ?? []).join(" -> ") || "(none)"}, not ${expected.cycle.join(" -> ")}`);
      }
      if (expected.threads) {
        const got = involvedNames(r).sort();
        const want = [...expected.threads].sort();
        if (got.join("\u0000") !== want.join("\u0000")) problems.push(`the threads are ${got.join(", ")}, not ${want.join(", ")}`);
      }
    }
    const pass = problems.length === 0;
    const what = `a ${kind}${expected.cycle ? ` with cycle ${expected.cycle.join(" -> ")}` : ""}${expected.threads ? ` involving ${expected.threads.join(", ")}` : ""}`;
    return {
      pass,
      message: () => (pass ? `expected ${r.model} not to have ${what}, but TLC found it:\n\n${report(r)}` : `expected ${r.model} to have ${what}, but ${problems.join("; ")}:\n\n${report(r)}`),
    };
  },
});
