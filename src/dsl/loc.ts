// Source locations for the DSL: every builder call records the model file and
// line that issued it, read from the JS stack (source maps map it to TS lines:
// Node's for a loaded model file, see load.ts, or vitest's).

import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Loc } from "../ir/types.js";

// faultline's own frames, run from dist/ or, with source maps on, mapped back to src/.
const ownDir = path.dirname(fileURLToPath(import.meta.url));
const ownDirs = [ownDir, path.join(path.dirname(path.dirname(ownDir)), "src", path.basename(ownDir))];

interface Frame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The frames of a V8 stack: `at fn (where:line:col)` or `at where:line:col`, where
 * is a path or a file URL. Source-mapped frames name decoded paths, which may hold
 * spaces and parentheses.
 */
export function stackFrames(stack: string): Frame[] {
  const out: Frame[] = [];
  for (const line of stack.split("\n")) {
    // `at fn (where:l:c)` ends in a parenthesis; `at where:l:c` does not.
    const m = /^at .*? \((.+):(\d+):(\d+)\)$/.exec(line.trim()) ?? /^at (.+):(\d+):(\d+)$/.exec(line.trim());
    if (!m?.[1]) continue;
    let file = m[1];
    if (file.startsWith("file://")) file = fileURLToPath(file);
    out.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return out;
}

function frames(): Frame[] {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = saved;
  return stackFrames(stack);
}

/** The first stack frame outside faultline's own DSL: the user's model line. */
export function userFrame(): Frame | undefined {
  return frames().find(
    (f) => path.isAbsolute(f.file) && !ownDirs.some((d) => f.file.startsWith(d + path.sep)) && !f.file.includes(`${path.sep}node_modules${path.sep}`),
  );
}

/** Records locations relative to the directory of the file that called `model()`. */
export class LocRecorder {
  readonly baseDir: string;
  constructor(baseDir: string) {
    this.baseDir = baseDir;
  }
  here(): Loc {
    const f = userFrame();
    if (!f) return { file: "<unknown>", line: 0, column: 0 };
    return { file: path.relative(this.baseDir, f.file).split(path.sep).join("/"), line: f.line, column: f.column };
  }
}
