// Why a deadlock happens: extra checks of variants of the model, run in parallel
// (each its own TLC) within a time budget: which rwsem policies it survives, the
// smallest set of threads that still shows it, and which locks the stuck threads
// hold that are not part of the cycle.

import { type CheckOptions, type CheckResult, check } from "../check.js";
import type { ModelDef } from "../dsl/model.js";
import { ExploreLimitError, explore } from "../explore/index.js";
import { lockRef, threadName } from "../ir/spell.js";
import type { Model, RwsemPolicy } from "../ir/types.js";
import { type RawState, decodeState } from "../trace/state.js";

/** A variant's outcome: its verdict, and for a deadlock the stuck threads (ids). */
interface Variant {
  readonly verdict: string;
  readonly stuck: readonly string[];
}

/** A variant larger than this for the explorer goes to TLC. */
const EXPLORER_STATES = 200_000;

export interface PolicyOutcome {
  readonly policy: RwsemPolicy;
  /** The rwsems switched to it (those the cycle waits for, all fair). */
  readonly locks: readonly string[];
  /** The verdict with them, or `unknown` when the budget ran out or the variant failed. */
  readonly verdict: string;
}

export interface Why {
  readonly policies: readonly PolicyOutcome[];
  /** `needs the fair rwsem: ok under reader-preferring and recursive-read`. */
  readonly policyText?: string;
  /** The threads that still show the deadlock without the others, when checked. */
  readonly threads?: { readonly needed: readonly string[]; readonly unneeded: readonly string[]; readonly verified: boolean };
  /** Locks the stuck threads hold that no stuck thread waits for, as `T holds L`. */
  readonly heldNotInCycle: readonly string[];
  /** One line each, for the report. */
  readonly lines: readonly string[];
  /** Variants that did not finish within the budget. */
  readonly unfinished: number;
  readonly timeMs: number;
}

export interface WhyOptions extends Pick<CheckOptions, "toolchain" | "signal" | "workers"> {
  /** Total extra time (default 30 s): every variant's TLC stops when it runs out. */
  readonly budgetMs?: number;
  /** Variants checked at once (default 2). */
  readonly parallel?: number;
}

export async function whyDeadlock(def: ModelDef, r: CheckResult, opts: WhyOptions = {}): Promise<Why | undefined> {
  const f = r.finding;
  if (r.verdict !== "deadlock" || !f) return undefined;
  const started = performance.now();
  const budget = opts.budgetMs ?? 30_000;
  const model = def.ir;
  const cycleIds = new Set((f.cycle ?? []).map((n) => model.threads.find((t) => t.name === n)?.id).filter((x): x is string => x !== undefined));
  const cycleWaits = (f.waits ?? []).filter((w) => cycleIds.has(w.threadId));
  const waitedLocks = new Set(cycleWaits.flatMap((w) => (w.lockId ? [w.lockId] : [])));
  const fairRw = [...waitedLocks].filter((id) => {
    const l = model.locks.find((x) => x.id === id);
    return l?.kind === "rwsem" && (l.policy ?? "fair") === "fair";
  });

  const variants: { kind: "policy"; policy: RwsemPolicy; def: ModelDef }[] = [];
  for (const policy of ["reader-preferring", "recursive-read"] as const) {
    if (fairRw.length === 0) break;
    variants.push({ kind: "policy", policy, def: withModel(def, { ...model, locks: model.locks.map((l) => (fairRw.includes(l.id) ? { ...l, policy } : l)) }) });
  }
  const others = model.threads.filter((t) => !cycleIds.has(t.id));
  const subset = others.length > 0 && cycleIds.size > 0 ? withModel(def, { ...model, threads: model.threads.filter((t) => cycleIds.has(t.id)), invariants: [], termination: false }) : undefined;

  const remaining = () => Math.max(1_000, budget - (performance.now() - started));
  // Each variant: the reference explorer first (in-process, milliseconds for most
  // models; the fuzzer holds it to TLC's verdicts); TLC, in parallel, for a variant
  // too large for it, until the budget runs out.
  const run = async (d: ModelDef): Promise<Variant | undefined> => {
    if (performance.now() - started > budget) return undefined;
    try {
      const ex = explore(d, { maxStates: EXPLORER_STATES });
      return { verdict: ex.verdict, stuck: ex.violation?.kind === "deadlock" ? ex.violation.threads : [] };
    } catch (err) {
      if (!(err instanceof ExploreLimitError)) return undefined;
    }
    try {
      const x = await check(d, { deps: false, timeoutMs: remaining(), ...(opts.toolchain ? { toolchain: opts.toolchain } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.workers ? { workers: opts.workers } : {}) });
      if (x.verdict === "timeout" || x.verdict === "error" || x.verdict === "invalid") return undefined;
      return { verdict: x.verdict, stuck: (x.finding?.cycle ?? []).map((n) => d.ir.threads.find((t) => t.name === n)?.id ?? n) };
    } catch {
      return undefined;
    }
  };
  const jobs: (() => Promise<Variant | undefined>)[] = [...variants.map((v) => () => run(v.def)), ...(subset ? [() => run(subset)] : [])];
  const results = await pool(jobs, opts.parallel ?? 2);

  let unfinished = 0;
  const verdictOf = (x: Variant | undefined): string => {
    if (!x) {
      unfinished++;
      return "unknown";
    }
    return x.verdict;
  };
  const policies: PolicyOutcome[] = variants.map((v, i) => ({ policy: v.policy, locks: fairRw.map((id) => lockRef(model, id)), verdict: verdictOf(results[i]) }));
  const lines: string[] = [];
  let policyText: string | undefined;
  if (policies.length > 0) {
    const okUnder = policies.filter((p) => p.verdict !== "deadlock" && p.verdict !== "unknown").map((p) => p.policy);
    const still = policies.filter((p) => p.verdict === "deadlock").map((p) => p.policy);
    const locks = policies[0]?.locks.join(", ") ?? "";
    if (okUnder.length === policies.length) policyText = `needs the fair rwsem (${locks}): ${policies.map((p) => `${p.verdict} under ${p.policy}`).join(" and ")}`;
    else if (still.length === policies.length) policyText = `does not need the fair rwsem (${locks}): deadlock under ${still.join(" and ")} too`;
    else policyText = `with ${locks}: ${policies.map((p) => `${p.verdict} under ${p.policy}`).join(", ")}`;
    lines.push(policyText);
  }
  let threads: Why["threads"];
  if (subset) {
    const sr = results[variants.length];
    const v = verdictOf(sr);
    const cycleNames = [...cycleIds].map((id) => threadName(model, id));
    const same = v === "deadlock" && sameSet(sr?.stuck ?? [], [...cycleIds]);
    threads = { needed: cycleNames, unneeded: others.map((t) => t.name), verified: same };
    if (same) lines.push(`needs only ${cycleNames.join(", ")}: ${others.map((t) => t.name).join(", ")} ${others.length === 1 ? "is" : "are"} not needed (checked without ${others.length === 1 ? "it" : "them"}: the same deadlock)`);
    else if (v === "unknown") lines.push(`whether ${others.map((t) => t.name).join(", ")} ${others.length === 1 ? "is" : "are"} needed is unknown: the check without ${others.length === 1 ? "it" : "them"} did not finish in the time budget`);
    else lines.push(`the cycle's threads alone (${cycleNames.join(", ")}) do not show it (${v}): the others help reach it`);
  } else if (cycleIds.size > 0) lines.push(`needs every thread of the model (${[...cycleIds].map((id) => threadName(model, id)).join(", ")})`);

  const heldNotInCycle = heldOutsideCycle(model, r, cycleIds, waitedLocks);
  for (const h of heldNotInCycle) lines.push(`${h}, which no thread of the cycle waits for: not part of the cycle`);
  return { policies, ...(policyText ? { policyText } : {}), ...(threads ? { threads } : {}), heldNotInCycle, lines, unfinished, timeMs: Math.round(performance.now() - started) };
}

/** `munmap holds app.bd_sem (write)` for each lock a cycle thread holds at the deadlock that no cycle thread waits for. */
function heldOutsideCycle(model: Model, r: CheckResult, cycle: ReadonlySet<string>, waited: ReadonlySet<string>): string[] {
  const last = r.trace?.states.at(-1);
  if (!last || !r.spec) return [];
  const s = decodeState(r.spec.names, last as RawState);
  const out: string[] = [];
  for (const t of model.threads) {
    if (!cycle.has(t.id)) continue;
    for (const [l, o] of s.owner) if (o === t.id && !waited.has(l)) out.push(`${t.name} holds ${lockRef(model, l)}`);
    for (const [l, rw] of s.rw) {
      if (waited.has(l)) continue;
      if (rw.writer === t.id) out.push(`${t.name} holds ${lockRef(model, l)} (write)`);
      if ((rw.readers.get(t.id) ?? 0) > 0) out.push(`${t.name} holds ${lockRef(model, l)} (read)`);
    }
  }
  return out;
}

function withModel(def: ModelDef, ir: Model): ModelDef {
  return { kind: "faultline-model", ir, diagnostics: def.diagnostics };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

async function pool<T>(jobs: readonly (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await (jobs[i] as () => Promise<T>)();
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, jobs.length)) }, worker));
  return out;
}
