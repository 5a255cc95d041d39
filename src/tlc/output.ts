// Parses what `tlc2.TLC -tool` prints: messages framed as
//   @!@!@STARTMSG <code>:<severity> @!@!@ ... @!@!@ENDMSG <code> @!@!@
// plus unframed text (SANY's report, JVM errors). Pure, so tests run on
// recorded output without Java. Codes are in ./codes.ts.
import { EC, SEVERITY, isConfigError } from "./codes.js";

export interface TlcMessage {
  /** EC.java code */
  code: number;
  /** MP.java severity: 0 none, 1 error, 2 TLC bug, 3 warning, 4 state */
  severity: number;
  /** text between the frame lines, without its trailing newline */
  body: string;
}

export interface TlcStats {
  /** states generated, counting duplicates */
  generated: number;
  /** distinct states found */
  distinct: number;
  /** length of the longest shortest path from an initial state */
  depth: number;
  /** TLC's own run time (excludes JVM start-up) */
  timeMs: number;
}

/** What TLC reported as the reason it stopped with a counterexample. */
export type TlcViolation =
  | { kind: "invariant"; name: string; initial: boolean }
  /** a PROPERTY: temporal (<>P, P ~> Q) or action ([][A]_v); name may be "" */
  | { kind: "property"; name: string }
  | { kind: "deadlock" };

export interface ToolOutput {
  messages: TlcMessage[];
  /** text outside any frame, e.g. SANY's report or a JVM error */
  unframed: string;
  /** SANY's report (unframed text between SANY start and end), minus progress lines */
  sany: string;
  violation?: TlcViolation;
  /** how a liveness trace ends: loops back to state `backTo` (1-based), or stutters */
  lasso?: { backTo: number } | "stuttering";
  /** TLC_SUCCESS seen: the state space was exhausted without finding an error */
  success: boolean;
  /** spec did not parse (SANY) or the .cfg was rejected */
  parseFailed: boolean;
  /** error and TLC-bug messages, minus trace headers: the "why" of a failure */
  errors: TlcMessage[];
  /** whatever stats were printed; on a timeout only the last progress report */
  stats: Partial<TlcStats>;
}

const FRAME = /@!@!@(?:STARTMSG (\d+):(\d+)|ENDMSG (\d+)) @!@!@\r?\n?/g;
// SANY narrates every module it touches; these lines are noise in a report.
const SANY_PROGRESS = /^(Parsing file |Semantic processing of module |Linting of module )/;
// Headers that introduce a trace: they carry severity ERROR but explain nothing.
const TRACE_HEADERS = new Set<number>([EC.TLC_BEHAVIOR_UP_TO_THIS_POINT, EC.TLC_COUNTER_EXAMPLE]);

export function parseToolOutput(text: string): ToolOutput {
  const { messages, unframed, sany } = splitFrames(text);
  const out: ToolOutput = {
    messages,
    unframed,
    sany,
    success: false,
    parseFailed: false,
    errors: [],
    stats: {},
  };
  for (const m of messages) readMessage(out, m);
  // TLC_STATS is the final word; a progress report printed after it must not win.
  const final = messages.findLast((m) => m.code === EC.TLC_STATS);
  if (final) readStats(out.stats, final.body);
  return out;
}

function readMessage(out: ToolOutput, m: TlcMessage): void {
  const { body, code } = m;
  if ((m.severity === SEVERITY.ERROR || m.severity === SEVERITY.TLCBUG) && !TRACE_HEADERS.has(code)) out.errors.push(m);
  if (isConfigError(code) && m.severity === SEVERITY.ERROR) out.parseFailed = true;
  switch (code) {
    case EC.TLC_INVARIANT_VIOLATED_INITIAL:
    case EC.TLC_INVARIANT_VIOLATED_BEHAVIOR: {
      const name = /Invariant (\S+) is violated/.exec(body)?.[1] ?? "";
      out.violation ??= { kind: "invariant", name, initial: code === EC.TLC_INVARIANT_VIOLATED_INITIAL };
      return;
    }
    case EC.TLC_TEMPORAL_PROPERTY_VIOLATED:
    case EC.TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR:
    case EC.TLC_PROPERTY_VIOLATED_INITIAL: {
      // Older TLCs print "Temporal properties were violated." without a name.
      const name = /[Pp]roperty (\S+) (?:was|is) violated/.exec(body)?.[1] ?? "";
      out.violation ??= { kind: "property", name };
      return;
    }
    case EC.TLC_DEADLOCK_REACHED:
      out.violation ??= { kind: "deadlock" };
      return;
    case EC.TLC_BACK_TO_STATE: {
      const n = /^\s*(\d+): Back to state/.exec(body)?.[1];
      if (n !== undefined) out.lasso = { backTo: Number(n) };
      return;
    }
    case EC.TLC_STATE_PRINT3:
      out.lasso = "stuttering";
      return;
    case EC.TLC_SUCCESS:
      out.success = true;
      return;
    case EC.TLC_PARSING_FAILED:
    case EC.TLC_PARSING_FAILED2:
      out.parseFailed = true;
      return;
    case EC.TLC_STATS:
      readStats(out.stats, body);
      return;
    case EC.TLC_PROGRESS_STATS: {
      // Printed about once a minute and once more when the JVM is terminated,
      // so it is what a timed-out run leaves. TLC_STATS, when present, wins.
      const p = /Progress\(([\d,.]+)\).*?: ([\d,.]+) states generated.*?, ([\d,.]+) distinct states found/.exec(body);
      if (p?.[1] && p[2] && p[3]) Object.assign(out.stats, { depth: num(p[1]), generated: num(p[2]), distinct: num(p[3]) });
      return;
    }
    case EC.TLC_INIT_GENERATED1: {
      const d = /: ([\d,.]+) distinct states? generated/.exec(body)?.[1];
      if (d !== undefined && out.stats.distinct === undefined) Object.assign(out.stats, { generated: num(d), distinct: num(d), depth: 1 });
      return;
    }
    case EC.TLC_INIT_GENERATED2: {
      const g = /: ([\d,.]+) states generated, with ([\d,.]+) of them distinct/.exec(body);
      if (g?.[1] && g[2] && out.stats.distinct === undefined) Object.assign(out.stats, { generated: num(g[1]), distinct: num(g[2]), depth: 1 });
      return;
    }
    case EC.TLC_SEARCH_DEPTH: {
      const d = /is ([\d,.]+)/.exec(body)?.[1];
      if (d !== undefined) out.stats.depth = num(d);
      return;
    }
    case EC.TLC_FINISHED: {
      const t = /Finished in (\d+)ms/.exec(body)?.[1];
      if (t !== undefined) out.stats.timeMs = Number(t);
      return;
    }
    default:
      return;
  }
}

function readStats(stats: Partial<TlcStats>, body: string): void {
  const s = /([\d,.]+) states generated, ([\d,.]+) distinct states found/.exec(body);
  if (s?.[1] && s[2]) Object.assign(stats, { generated: num(s[1]), distinct: num(s[2]) });
}

/** "1,467,996" => 1467996 (run.ts pins the JVM locale; this tolerates others). */
function num(s: string): number {
  return Number(s.replace(/[^\d]/g, ""));
}

function splitFrames(text: string): { messages: TlcMessage[]; unframed: string; sany: string } {
  const messages: TlcMessage[] = [];
  // Frames may nest (a message printed while another is open), so keep a stack.
  const open: { code: number; severity: number; parts: string[] }[] = [];
  const unframed: string[] = [];
  const sany: string[] = [];
  let inSany = false;
  let last = 0;
  const take = (chunk: string): void => {
    if (chunk === "") return;
    const top = open.at(-1);
    if (top) top.parts.push(chunk);
    else {
      unframed.push(chunk);
      if (inSany) sany.push(chunk);
    }
  };
  for (const match of text.matchAll(FRAME)) {
    take(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[1] !== undefined && match[2] !== undefined) {
      open.push({ code: Number(match[1]), severity: Number(match[2]), parts: [] });
      continue;
    }
    const code = Number(match[3]);
    // Close the innermost frame with this code; tolerate a stray ENDMSG.
    const at = open.map((f) => f.code).lastIndexOf(code);
    if (at < 0) continue;
    const [frame] = open.splice(at, 1);
    if (!frame) continue;
    messages.push({ code, severity: frame.severity, body: frame.parts.join("").replace(/\r?\n$/, "") });
    if (code === EC.TLC_SANY_START) inSany = true;
    if (code === EC.TLC_SANY_END) inSany = false;
  }
  take(text.slice(last));
  // A frame cut off by a killed JVM still says something.
  for (const f of open) messages.push({ code: f.code, severity: f.severity, body: f.parts.join("").replace(/\r?\n$/, "") });
  return { messages, unframed: unframed.join(""), sany: cleanSany(sany.join("")) };
}

function cleanSany(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !SANY_PROGRESS.test(line))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
