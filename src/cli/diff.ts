// `faultline diff <before.ts> <after.ts>`: what a patch changes in a model's
// results: verdicts, findings, lock dependency edges and lockdep's potential
// cycles gained and lost, and the states; as Markdown for a review, or JSON.

import type { CheckResult } from "../check.js";
import { type DepEdge, lockEndText } from "../deps/index.js";
import { siteTexts } from "../deps/table.js";

export interface DiffSide {
  readonly file: string;
  readonly model: string;
  readonly verdict: string;
  readonly finding: string | null;
  readonly distinct: number | null;
  readonly depStates: number | null;
}

export interface DiffReport {
  readonly schema: "faultline.diff/1";
  readonly before: DiffSide;
  readonly after: DiffSide;
  readonly findings: { readonly gained: readonly string[]; readonly lost: readonly string[] };
  /** Edges as `held (mode) -> acquired (mode)`, each with its sites. */
  readonly edges: { readonly gained: readonly EdgeDiff[]; readonly lost: readonly EdgeDiff[] };
  readonly cycles: {
    readonly gained: readonly CycleDiff[];
    readonly lost: readonly CycleDiff[];
    /** On both sides, but realised on one only. */
    readonly changed: readonly { readonly text: string; readonly before: boolean; readonly after: boolean }[];
  };
}

export interface EdgeDiff {
  readonly edge: string;
  readonly sites: readonly string[];
}

export interface CycleDiff {
  readonly text: string;
  readonly realised: boolean;
}

function findingKey(r: CheckResult): string | null {
  if (!r.finding) return null;
  if (r.finding.verdict === "deadlock") return `deadlock: ${[...(r.finding.cycle ?? [])].slice(0, -1).sort().join(", ")} wait for each other`;
  return `${r.finding.verdict}: ${r.finding.summary}`;
}

function side(file: string, r: CheckResult): DiffSide {
  return { file, model: r.model, verdict: r.verdict, finding: findingKey(r), distinct: r.stats?.distinct ?? null, depStates: r.insight?.deps.states ?? null };
}

const edgeText = (e: DepEdge) => `${lockEndText(e.from)} -> ${lockEndText(e.to)}`;

function edgeDiff(e: DepEdge): EdgeDiff {
  return { edge: edgeText(e), sites: siteTexts(e) };
}

export function diffResults(beforeFile: string, before: CheckResult, afterFile: string, after: CheckResult): DiffReport {
  const fb = findingKey(before);
  const fa = findingKey(after);
  const eb = new Map((before.insight?.deps.edges ?? []).map((e) => [edgeText(e), e]));
  const ea = new Map((after.insight?.deps.edges ?? []).map((e) => [edgeText(e), e]));
  const cb = new Map((before.insight?.cycles ?? []).map((c) => [c.text, c]));
  const ca = new Map((after.insight?.cycles ?? []).map((c) => [c.text, c]));
  return {
    schema: "faultline.diff/1",
    before: side(beforeFile, before),
    after: side(afterFile, after),
    findings: { gained: fa !== null && fa !== fb ? [fa] : [], lost: fb !== null && fb !== fa ? [fb] : [] },
    edges: {
      gained: [...ea].filter(([k]) => !eb.has(k)).map(([, e]) => edgeDiff(e)),
      lost: [...eb].filter(([k]) => !ea.has(k)).map(([, e]) => edgeDiff(e)),
    },
    cycles: {
      gained: [...ca].filter(([k]) => !cb.has(k)).map(([k, c]) => ({ text: k, realised: c.realised })),
      lost: [...cb].filter(([k]) => !ca.has(k)).map(([k, c]) => ({ text: k, realised: c.realised })),
      changed: [...ca].filter(([k, c]) => cb.has(k) && cb.get(k)?.realised !== c.realised).map(([k, c]) => ({ text: k, before: cb.get(k)?.realised === true, after: c.realised })),
    },
  };
}

const num = (n: number | null) => (n === null ? "-" : n.toLocaleString("en-US"));

/** The report as Markdown, ready to paste into a review. */
export function diffMarkdown(d: DiffReport): string {
  const out: string[] = [];
  out.push(`### faultline diff: \`${d.before.file}\` -> \`${d.after.file}\``, "");
  out.push("| | before | after |", "|---|---|---|");
  out.push(`| model | ${d.before.model} | ${d.after.model} |`);
  out.push(`| verdict | **${d.before.verdict}** | **${d.after.verdict}** |`);
  out.push(`| distinct states (TLC) | ${num(d.before.distinct)} | ${num(d.after.distinct)} |`);
  out.push(`| states, one step per operation (dependencies) | ${num(d.before.depStates)} | ${num(d.after.depStates)} |`);
  const list = (title: string, items: readonly string[]) => {
    if (items.length > 0) out.push("", `**${title}**`, "", ...items.map((i) => `- ${i}`));
  };
  list("Findings lost", d.findings.lost);
  list("Findings gained", d.findings.gained);
  const edges = (es: readonly EdgeDiff[]) => es.map((e) => `\`${e.edge}\`${e.sites.length > 0 ? `: ${e.sites.join("; ")}` : ""}`);
  list("Lock dependencies lost", edges(d.edges.lost));
  list("Lock dependencies gained", edges(d.edges.gained));
  const cyc = (cs: readonly CycleDiff[]) => cs.map((c) => `\`${c.text}\` (${c.realised ? "realised: a reachable deadlock" : "potential only"})`);
  list("Potential deadlocks (lockdep's rules) lost", cyc(d.cycles.lost));
  list("Potential deadlocks (lockdep's rules) gained", cyc(d.cycles.gained));
  list("Potential deadlocks realised on one side only", d.cycles.changed.map((c) => `\`${c.text}\`: ${c.before ? "realised" : "potential"} -> ${c.after ? "realised" : "potential"}`));
  const same = d.findings.gained.length + d.findings.lost.length + d.edges.gained.length + d.edges.lost.length + d.cycles.gained.length + d.cycles.lost.length + d.cycles.changed.length === 0;
  if (same) out.push("", "No finding, lock dependency or potential deadlock changed.");
  return `${out.join("\n")}\n`;
}
