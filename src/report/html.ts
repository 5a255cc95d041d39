// `--report <file.html>`: one self-contained page (no network) with the verdict,
// the model source with the trace's lines marked, a lane diagram (one lane per
// thread, lock operations as boxes, waits as arrows, the deadlock cycle in red)
// drawn as inline SVG, the lockdep-style table and the generated spec.

import type { CheckResult } from "../check.js";
import { formatDiagnostic, formatLoc } from "../ir/diagnostics.js";
import { distinctSites, faultText, lockEndText, scopeText } from "../deps/table.js";
import { formatLockdep } from "../trace/lockdep.js";

export interface SourceFile {
  /** As the model's locations name it (relative to the model's directory). */
  readonly name: string;
  readonly text: string;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STEP_W = 160;
const LEFT = 140;
/** Box text is monospace at 11 px (about 6.6 px a character): this many fit inside a box with its padding. */
const BOX_CHARS = 21;
const LINE_H = 14;

/**
 * Breaks `s` into lines of at most `n` characters, after a space, comma, `(`,
 * `>` or `&` where it can, anywhere where it must: every character is shown.
 */
export function wrapText(s: string, n: number): string[] {
  const lines: string[] = [];
  let rest = s;
  while (rest.length > n) {
    const head = rest.slice(0, n);
    let cut = Math.max(head.lastIndexOf(" "), head.lastIndexOf(","), head.lastIndexOf("("), head.lastIndexOf(">"), head.lastIndexOf("&") - 1) + 1;
    if (cut < n / 3) cut = n;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== "" || lines.length === 0) lines.push(rest);
  return lines;
}

interface Box {
  readonly lines: readonly string[];
  /** lines from this index on are the secondary text (effect, location) */
  readonly sub: number;
}

const box = (main: string, sub: string): Box => {
  const a = wrapText(main, BOX_CHARS);
  return { lines: [...a, ...wrapText(sub, BOX_CHARS)], sub: a.length };
};
const boxH = (b: Box) => 10 + b.lines.length * LINE_H;

function boxSvg(cls: string, attrs: string, x: number, y: number, b: Box, title: string): string {
  const texts = b.lines.map((l, i) => `<text x="${x + 6}" y="${y + 15 + i * LINE_H}"${i >= b.sub ? ' class="sub"' : ""}>${esc(l)}</text>`).join("");
  return `<g class="${cls}" ${attrs}><rect x="${x}" y="${y}" width="${STEP_W - 12}" height="${boxH(b)}" rx="5"/>${texts}<title>${esc(title)}</title></g>`;
}

/** The lane diagram: x is the step, y the thread; a lane is as tall as its tallest box. */
function laneSvg(r: CheckResult): string {
  const f = r.finding;
  if (!f) return "";
  const threads = [...new Set([...f.involved.map((id) => f.steps.find((s) => s.threadId === id)?.thread ?? ""), ...f.steps.map((s) => s.thread)])].filter(Boolean);
  for (const w of f.waits ?? []) if (!threads.includes(w.thread)) threads.push(w.thread);
  const pending = f.waits ?? [];
  const steps = f.steps.map((s) => box(`${s.index}. ${s.operation}`, s.effect));
  const blocked = pending.map((w) => box(`waits: ${w.lock ?? "condition"}`, formatLoc(w.loc)));
  const laneH = threads.map((t) => Math.max(36, ...f.steps.flatMap((s, i) => (s.thread === t ? [boxH(steps[i] as Box)] : [])), ...pending.flatMap((w, i) => (w.thread === t ? [boxH(blocked[i] as Box)] : []))) + 20);
  const tops: number[] = [];
  let top = 30;
  for (const h of laneH) {
    tops.push(top);
    top += h;
  }
  const lane = (t: string) => tops[threads.indexOf(t)] ?? 30;
  const width = LEFT + (f.steps.length + 1) * STEP_W + 40;
  const height = top + 10;
  const cycle = new Set(f.cycle ?? []);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="lanes" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="lane diagram">`);
  parts.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b00020"/></marker></defs>`);
  for (const t of threads) {
    const y = lane(t);
    parts.push(`<g class="lane${cycle.has(t) ? " in-cycle" : ""}" data-thread="${esc(t)}"><text x="8" y="${y + 22}" class="lane-name">${esc(t)}</text><line x1="${LEFT - 10}" y1="${y + 18}" x2="${width - 20}" y2="${y + 18}" class="lane-line"/></g>`);
  }
  f.steps.forEach((s, i) => {
    const kind = s.effect.startsWith("waits") ? "wait" : s.effect.startsWith("page fault") ? "fault" : s.effect.startsWith("acquired") || s.effect === "succeeded" ? "acquire" : s.operation.startsWith("up_") || s.operation.includes("unlock") ? "release" : "other";
    parts.push(boxSvg(`step ${kind}`, `data-step="${s.index}"`, LEFT + i * STEP_W, lane(s.thread), steps[i] as Box, `${s.thread}: ${s.operation} -> ${s.effect} (${formatLoc(s.loc)})`));
  });
  // Stuck threads: their blocked attempt after the last step, and an arrow to whom they wait for.
  const x = LEFT + f.steps.length * STEP_W;
  pending.forEach((w, i) => {
    parts.push(boxSvg("blocked", `data-thread="${esc(w.thread)}"`, x, lane(w.thread), blocked[i] as Box, w.text));
  });
  const cyc = f.cycle ?? [];
  for (let i = 0; i + 1 < cyc.length; i++) {
    const from = cyc[i] as string;
    const to = cyc[i + 1] as string;
    if (!threads.includes(from) || !threads.includes(to)) continue;
    const y1 = lane(from) + 18;
    const y2 = lane(to) + 18;
    const bend = x + STEP_W + 10 + i * 8;
    parts.push(`<path class="wait-arrow cycle" d="M${x + STEP_W - 12},${y1} C${bend},${y1} ${bend},${y2} ${x + STEP_W - 12},${y2 + (y1 === y2 ? 10 : 0)}" marker-end="url(#arrow)"/>`);
  }
  parts.push("</svg>");
  return parts.join("\n");
}

function sourceHtml(files: readonly SourceFile[], marked: ReadonlyMap<string, ReadonlySet<number>>): string {
  return files
    .map((f) => {
      const lines = f.text.split("\n");
      const mark = marked.get(f.name) ?? new Set<number>();
      const body = lines
        .map((l, i) => `<span class="src-line${mark.has(i + 1) ? " marked" : ""}"><span class="ln">${i + 1}</span>${esc(l)}</span>`)
        .join("\n");
      return `<h3>${esc(f.name)}</h3><pre class="source">${body}</pre>`;
    })
    .join("\n");
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1a1a1a; }
h1 { font-size: 1.4em; } .verdict { font-weight: bold; padding: 0.1em 0.5em; border-radius: 4px; }
.verdict.ok { background: #d7f5dd; } .verdict.finding { background: #ffd9d9; color: #8a0010; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font: 12px/1.35 ui-monospace, monospace; }
#lockdep, #trace, ul.details li { white-space: pre-wrap; overflow-wrap: anywhere; }
.lanes-box { overflow-x: auto; }
.src-line { display: block; } .src-line.marked { background: #fff2a8; } .ln { display: inline-block; width: 3em; color: #888; }
svg.lanes { border: 1px solid #ddd; background: #fff; } .lane-name { font-weight: bold; font-size: 13px; }
.lane.in-cycle .lane-name { fill: #b00020; } .lane-line { stroke: #ccc; stroke-dasharray: 4 3; }
.step rect { fill: #eef3ff; stroke: #5a78c8; } .step.acquire rect { fill: #e3f6e6; stroke: #3c9a4f; }
.step.release rect { fill: #f3f3f3; stroke: #999; } .step.fault rect { fill: #fff4d6; stroke: #c99a1a; }
.step.wait rect, .blocked rect { fill: #ffe5e5; stroke: #b00020; } .step text, .blocked text { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; } text.sub { fill: #555; }
.wait-arrow { fill: none; stroke: #b00020; stroke-width: 2; }
ul.details li { font-family: ui-monospace, monospace; font-size: 12px; }
`;

/** The dependency table, lockdep's potential cycles and the evidence (src/deps). */
function insightHtml(i: NonNullable<CheckResult["insight"]>): string[] {
  const out: string[] = [];
  if (i.evidence.items.length > 0) out.push(`<h2>What the check never exercised</h2><ul id="evidence">${i.evidence.items.map((x) => `<li>${esc(x.text)}</li>`).join("")}</ul>`);
  const rows = i.deps.edges.flatMap((e) => {
    // Each row once, as the text report: a bounded loop's iterations are sites that read the same.
    const cells = [...distinctSites(e).values()].map((s) => `<td>${esc(s.thread)}</td><td>${esc(s.heldAt.map(formatLoc).join(", "))}</td><td>${esc(formatLoc(s.acquireAt))}</td><td>${s.fault ? esc(faultText(s.fault)) : ""}</td>`);
    return cells.map((c, k) => `<tr>${k === 0 ? `<td rowspan="${cells.length}">${esc(lockEndText(e.from))}</td><td rowspan="${cells.length}">${esc(lockEndText(e.to))}</td>` : ""}${c}</tr>`);
  });
  out.push(
    `<h2>Lock dependencies</h2><p>${esc(scopeText(i.deps))}</p>` +
      (rows.length > 0 ? `<table id="deps"><tr><th>held</th><th>acquired</th><th>thread</th><th>held at</th><th>acquired at</th><th>page fault</th></tr>${rows.join("")}</table>` : `<p id="deps">no thread takes a lock while holding another</p>`),
  );
  if (i.cycles.length > 0) {
    out.push(
      `<h2>Potential deadlocks (lockdep's rules)</h2><ul id="cycles">${i.cycles
        .map((c, k) => `<li>${esc(c.text)}: ${c.realised ? (i.shown[k] ? "realised: the deadlock above" : "realised: a reachable deadlock") : `not realised by this model's threads${c.needs.map((n) => `<br>would need: ${esc(n)}`).join("")}`}</li>`)
        .join("")}</ul>`,
    );
  }
  return out;
}

export function reportHtml(r: CheckResult, source: string, files: readonly SourceFile[]): string {
  const f = r.finding;
  const marked = new Map<string, Set<number>>();
  for (const s of f?.steps ?? []) {
    const set = marked.get(s.loc.file) ?? new Set<number>();
    set.add(s.loc.line);
    marked.set(s.loc.file, set);
  }
  for (const w of f?.waits ?? []) marked.get(w.loc.file)?.add(w.loc.line) ?? marked.set(w.loc.file, new Set([w.loc.line]));
  const stats = r.stats ? `${r.stats.distinct} distinct states, ${r.stats.generated} generated, depth ${r.stats.depth}` : "";
  const ok = r.verdict === "ok";
  const sections: string[] = [];
  sections.push(`<h1>${esc(r.model)} <span class="verdict ${ok ? "ok" : "finding"}" id="verdict">${esc(r.verdict)}</span></h1>`);
  sections.push(`<p>${esc(source)}${stats ? ` &middot; ${esc(stats)}` : ""}</p>`);
  const diags = r.diagnostics ?? [];
  if (diags.length > 0) sections.push(`<ul class="diagnostics" id="diagnostics">${diags.map((d) => `<li>${esc(formatDiagnostic(d))}</li>`).join("")}</ul>`);
  if (f) {
    sections.push(`<p id="summary">${esc(f.summary)}</p>`);
    sections.push(`<h2>Lanes</h2><div class="lanes-box">${laneSvg(r)}</div>`);
    if (f.details.length > 0) sections.push(`<h2>${f.verdict === "deadlock" ? "Who waits for whom" : "Why"}</h2><ul class="details">${f.details.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`);
    if (f.lockdep) sections.push(`<h2>lockdep-style report</h2><pre id="lockdep">${esc(formatLockdep(f.lockdep).join("\n"))}</pre>`);
    sections.push(
      `<h2>Trace</h2><pre id="trace">${esc(f.steps.map((s) => `${s.index}. ${s.thread}: ${s.operation} -> ${s.effect}  (${formatLoc(s.loc)})${s.via ? `  [${s.via}]` : ""}`).join("\n"))}</pre>`,
    );
    if (f.notes && f.notes.length > 0) sections.push(`<ul class="notes">${f.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`);
  }
  if (r.insight) sections.push(...insightHtml(r.insight));
  sections.push(`<h2>Model</h2>${sourceHtml(files, marked)}`);
  if (r.spec) sections.push(`<h2>Generated spec</h2><pre id="spec">${esc(r.spec.tla)}</pre><pre>${esc(r.spec.cfg)}</pre>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`faultline: ${r.model}: ${r.verdict}`)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>${STYLE}</style></head>
<body>
${sections.join("\n")}
</body></html>
`;
}
