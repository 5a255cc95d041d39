// The live progress line of `faultline check` on a terminal: TLC's tool-mode
// progress messages (TLC_PROGRESS_STATS, and TLC_PROGRESS_SIMU for --simulate),
// asked for every second, rewritten in place on stderr. Nothing when stderr is
// not a terminal, with --json or with --quiet: the report itself is on stdout.

import { EC } from "../tlc/codes.js";

export interface ProgressSnapshot {
  /** distinct states found (model checking), or behaviours generated (simulation) */
  readonly distinct?: number;
  readonly behaviours?: number;
  readonly generated: number;
  /** states left on the queue (model checking) */
  readonly queue?: number;
  /** states generated per second, from TLC's per-minute rate or between two messages */
  readonly perSecond: number;
}

const MESSAGE = /@!@!@STARTMSG (\d+):\d+ @!@!@\r?\n([\s\S]*?)@!@!@ENDMSG \1 @!@!@/g;
const num = (s: string | undefined): number => Number((s ?? "").replace(/[^\d-]/g, ""));

/**
 * Reads TLC's output chunk by chunk and calls `onSnapshot` for each progress
 * message. Messages may be split across chunks: the unfinished tail is kept.
 */
export function progressReader(onSnapshot: (s: ProgressSnapshot) => void): (chunk: string) => void {
  let pending = "";
  let last: { generated: number; at: number } | undefined;
  return (chunk) => {
    pending += chunk;
    let end = 0;
    for (const m of pending.matchAll(MESSAGE)) {
      end = (m.index ?? 0) + m[0].length;
      const code = Number(m[1]);
      const body = m[2] ?? "";
      if (code !== EC.TLC_PROGRESS_STATS && code !== EC.TLC_PROGRESS_SIMU) continue;
      const p = /Progress\(([\d,]+)\).*?: ([\d,]+) states generated(?: \(([\d,]+) s\/min\))?, (-?[\d,]+) distinct states found.*?, (-?[\d,]+) states left on queue/.exec(body);
      if (!p) continue;
      const generated = num(p[2]);
      const now = performance.now();
      const perSecond = p[3] !== undefined ? Math.round(num(p[3]) / 60) : last && now > last.at ? Math.round(((generated - last.generated) * 1000) / (now - last.at)) : 0;
      last = { generated, at: now };
      onSnapshot(
        code === EC.TLC_PROGRESS_SIMU
          ? { behaviours: num(p[1]), generated, perSecond }
          : { distinct: num(p[4]), generated, queue: num(p[5]), perSecond },
      );
    }
    // Keep only what may be the start of a message not yet complete.
    const rest = pending.slice(end);
    const open = rest.lastIndexOf("@!@!@STARTMSG");
    pending = open >= 0 ? rest.slice(open) : rest.slice(-32);
  };
}

const group = (n: number) => n.toLocaleString("en-US");

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function progressText(model: string, s: ProgressSnapshot, elapsedMs: number): string {
  const what =
    s.behaviours !== undefined
      ? `${group(s.behaviours)} behaviours, ${group(s.generated)} states`
      : `${group(s.distinct ?? 0)} distinct states, queue ${group(s.queue ?? 0)}`;
  return `${model}: ${what}, ${group(s.perSecond)} states/s, ${clock(elapsedMs)} elapsed`;
}

export interface ProgressLine {
  /** what check() takes: TLC's output as it arrives, and a progress message every second */
  readonly checkOptions: { readonly onOutput: (chunk: string) => void; readonly progressSeconds: number };
  /** clears the line (before the report prints, or on an error) */
  clear(): void;
}

/** Whether the live line is wanted: a terminal on stderr, not --json, not --quiet. */
export function progressWanted(stream: { isTTY?: boolean }, opts: { json?: boolean; quiet?: boolean; progress?: boolean }): boolean {
  return stream.isTTY === true && opts.json !== true && opts.quiet !== true && opts.progress !== false;
}

/** A live line for one model's check on `stream` (a terminal). */
export function progressLine(model: string, stream: NodeJS.WritableStream = process.stderr): ProgressLine {
  const started = performance.now();
  let shown = false;
  const read = progressReader((s) => {
    stream.write(`\r\u001b[2K${progressText(model, s, performance.now() - started)}`);
    shown = true;
  });
  return {
    checkOptions: { onOutput: read, progressSeconds: 1 },
    clear() {
      if (shown) stream.write("\r\u001b[2K");
      shown = false;
    },
  };
}
