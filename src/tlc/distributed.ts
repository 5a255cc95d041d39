// TLC's distributed mode: tlc2.tool.distributed.TLCServer checks the generated
// spec while TLCWorkers (`faultline worker <host>:<port>`, on this or other
// machines, with the same jar) compute successor states over Java RMI.
//
// The server prints no "Invariant X is violated" and writes no JSON trace: its
// counterexample is the text of the states (TLC_STATE_PRINT2). faultline reads
// the values back (parseTlaValue) and asks a local TLC which invariant the last
// state breaks (the spec again, with that state as its only initial state).
// Limits (TLC's): no liveness (PROPERTY), no simulation.

import { inflateRawSync } from "node:zlib";
import { open } from "node:fs/promises";
import { EC } from "./codes.js";
import type { TlaValue, TlcState, TlcTrace } from "./json-trace.js";
import type { Toolchain } from "./locate.js";
import { parseToolOutput } from "./output.js";
import type { RawRun, TlcRun } from "./result.js";
import { interpretRun } from "./result.js";

/** TLCServer's own default RMI port. */
export const DEFAULT_PORT = 10997;

export interface DistributedOptions {
  readonly port: number;
  /** the name workers reach this machine by (java.rmi.server.hostname); default: the JVM's own guess */
  readonly host?: string;
  /** give up when no worker has registered after this long (default 300 s) */
  readonly workerWaitMs?: number;
  /** the server is up: workers may connect */
  readonly onReady?: (port: number) => void;
}

export const DEFAULT_WORKER_WAIT_MS = 300_000;

/** System properties both sides need: the port, and the name RMI hands out for this JVM's objects. */
export function rmiProps(port: number, host?: string): string[] {
  return [`-Dtlc2.tool.distributed.TLCServer.port=${port}`, ...(host !== undefined ? [`-Djava.rmi.server.hostname=${host}`] : [])];
}

// ---------------------------------------------------------------- values

/**
 * A TLA+ value as TLC prints it, in the shapes of TLC's JSON dump (json-trace.ts):
 * `<<a, b>>` and `{a, b}` are arrays, `[k |-> v]` and `(k :> v @@ ...)` are objects
 * (keyed by a string's contents, or any other key's text), model values their name.
 */
export function parseTlaValue(text: string): TlaValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`cannot read TLC value at ${i}: expected ${what} in ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
  };
  const eat = (s: string): boolean => {
    ws();
    if (text.startsWith(s, i)) {
      i += s.length;
      return true;
    }
    return false;
  };
  const expect = (s: string) => {
    if (!eat(s)) fail(`'${s}'`);
  };
  const list = (close: string): TlaValue[] => {
    const out: TlaValue[] = [];
    if (eat(close)) return out;
    do out.push(value());
    while (eat(","));
    expect(close);
    return out;
  };
  const keyText = (start: number, v: TlaValue): string => (typeof v === "string" && text[start] === '"' ? v : typeof v === "string" ? v : text.slice(start, i).trim());
  const value = (): TlaValue => {
    ws();
    const c = text[i];
    if (text.startsWith("<<", i)) {
      i += 2;
      return list(">>");
    }
    if (c === "{") {
      i++;
      return list("}");
    }
    if (c === "[") {
      i++;
      const rec: Record<string, TlaValue> = {};
      if (eat("]")) return rec;
      do {
        ws();
        const key = /^[A-Za-z0-9_]+/.exec(text.slice(i))?.[0] ?? fail("a field name");
        i += key.length;
        expect("|->");
        rec[key] = value();
      } while (eat(","));
      expect("]");
      return rec;
    }
    if (c === "(") {
      i++;
      const fn: Record<string, TlaValue> = {};
      do {
        ws();
        const start = i;
        const k = value();
        const key = keyText(start, k);
        expect(":>");
        fn[key] = value();
      } while (eat("@@"));
      expect(")");
      return fn;
    }
    if (c === '"') {
      let s = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") {
          const n = text[i + 1];
          s += n === "n" ? "\n" : n === "t" ? "\t" : n === "r" ? "\r" : n === "f" ? "\f" : (n ?? "");
          i += 2;
        } else s += text[i++];
      }
      expect('"');
      return s;
    }
    const atom = /^-?[A-Za-z0-9_]+/.exec(text.slice(i))?.[0] ?? fail("a value");
    i += atom.length;
    if (atom === "TRUE") return true;
    if (atom === "FALSE") return false;
    if (/^-?\d+$/.test(atom)) return Number(atom);
    return atom; // a model value
  };
  const v = value();
  ws();
  if (i < text.length) fail("the end");
  return v;
}

/** One TLC_STATE_PRINT2 body: "N: <Action line ...>" then "/\ var = value" conjuncts. */
function readState(body: string): { action: string | null; state: TlcState; vars: string[] } {
  const nl = body.indexOf("\n");
  const head = nl < 0 ? body : body.slice(0, nl);
  const rest = nl < 0 ? "" : body.slice(nl + 1);
  const name = /^\s*\d+: <(.*?)(?: line \d+, col \d+ to line \d+, col \d+ of module \S+)?>\s*$/.exec(head)?.[1];
  const action = name === undefined || name === "Initial predicate" || name.startsWith("Init") ? null : name;
  const state: TlcState = {};
  const vars: string[] = [];
  // A single variable is printed without the leading "/\ ".
  const parts = rest.trim().startsWith("/\\") ? rest.split(/^\/\\ /m).filter((p) => p.trim() !== "") : [rest];
  for (const part of parts) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*) = ([\s\S]*)$/.exec(part);
    if (!m?.[1] || m[2] === undefined) continue;
    vars.push(m[1]);
    state[m[1]] = parseTlaValue(m[2]);
  }
  return { action, state, vars };
}

/** The counterexample the server printed, as a TlcTrace; undefined when it printed none. */
export function textTrace(output: string): TlcTrace | undefined {
  const out = parseToolOutput(output);
  const header = out.messages.findIndex((m) => m.code === EC.TLC_BEHAVIOR_UP_TO_THIS_POINT);
  if (header < 0) return undefined;
  const printed = out.messages.slice(header + 1).filter((m) => m.code === EC.TLC_STATE_PRINT2).map((m) => readState(m.body));
  if (printed.length === 0) return undefined;
  return {
    vars: printed[0]?.vars ?? [],
    states: printed.map((p) => p.state),
    actions: printed.map((p, k) => (k === 0 ? null : p.action)),
    params: printed.map((_, k) => (k === 0 ? null : {})),
  };
}

/** The text of one TLC value from parseTlaValue's shapes, for the spec that finds the violated invariant. */
function stateInit(output: string): string | undefined {
  const out = parseToolOutput(output);
  const header = out.messages.findIndex((m) => m.code === EC.TLC_BEHAVIOR_UP_TO_THIS_POINT);
  const last = out.messages.slice(header + 1).filter((m) => m.code === EC.TLC_STATE_PRINT2).at(-1);
  if (!last) return undefined;
  const body = last.body.slice(last.body.indexOf("\n") + 1).trim();
  return body.startsWith("/\\") ? body : `/\\ ${body}`;
}

/**
 * The spec and .cfg of a one-state check: the last state of the server's trace as
 * the only initial state, the same invariants. TLC then names the invariant it breaks.
 */
export function lastStateCheck(spec: string, cfg: string, output: string): { spec: string; cfg: string } | undefined {
  const init = stateInit(output);
  if (init === undefined) return undefined;
  const lines = spec.split("\n");
  const end = lines.findLastIndex((l) => /^={4,}\s*$/.test(l));
  if (end < 0) return undefined;
  const def = ["FaultlineLastState ==", ...init.split("\n").map((l) => `  ${l}`), ""];
  return {
    spec: [...lines.slice(0, end), ...def, ...lines.slice(end)].join("\n"),
    cfg: cfg
      .split("\n")
      .filter((l) => !/^PROPERTY /.test(l))
      .map((l) => (/^INIT /.test(l) ? "INIT FaultlineLastState" : l))
      .join("\n"),
  };
}

/**
 * A finished server run as a TlcRun: its verdict (TLC_SUCCESS, or a trace whose
 * invariant `which` names), its statistics; a failure as run.ts reads any other.
 */
export async function interpretServerRun(raw: RawRun, which: () => Promise<string | undefined>): Promise<TlcRun> {
  const out = parseToolOutput(raw.output);
  const trace = out.violation ? undefined : textTrace(raw.output);
  if (!trace) return interpretRun(raw);
  const invariant = await which();
  const stats = {
    generated: out.stats.generated ?? trace.states.length,
    distinct: out.stats.distinct ?? trace.states.length,
    depth: trace.states.length,
    timeMs: out.stats.timeMs ?? raw.wallMs,
  };
  if (invariant === undefined) {
    return { outcome: "failed", message: "TLC's distributed server printed a counterexample, and no invariant is broken in its last state", hint: "this is a faultline bug: please report it with the model", output: raw.output };
  }
  return { outcome: "invariant", invariant, trace, stats, output: raw.output };
}

// ---------------------------------------------------------------- a broken jar

/**
 * Why this jar's distributed mode cannot work, or undefined. TLC's commit
 * 6fde5a9ea (in the public v1.8.0 release) made tlc2.tool.fp.FPSet a plain
 * Serializable instead of a java.rmi.server.UnicastRemoteObject: every worker
 * then fails with `java.io.NotSerializableException: tlc2.tool.fp.MultiFPSet`
 * and the server waits for workers forever. Read from the class file in the jar.
 */
export async function brokenDistributed(jar: string): Promise<string | undefined> {
  let cls: Buffer | undefined;
  try {
    cls = await zipEntry(jar, "tlc2/tool/fp/FPSet.class");
  } catch (err) {
    return `cannot read ${jar}: ${(err as Error).message}`;
  }
  if (!cls) return `${jar} has no tlc2/tool/fp/FPSet.class: not a TLC jar with a distributed mode`;
  const sup = superClass(cls);
  if (sup === "java/rmi/server/UnicastRemoteObject") return undefined;
  return `this tla2tools.jar cannot run distributed TLC: its tlc2.tool.fp.FPSet is not a remote object (extends ${sup?.replace(/\//g, ".") ?? "?"}), so every worker fails with java.io.NotSerializableException: tlc2.tool.fp.MultiFPSet (an upstream regression since TLC commit 6fde5a9ea, in the v1.8.0 release)`;
}

export const BROKEN_JAR_HINT = "use a tla2tools.jar with commit 6fde5a9ea reverted (e.g. ../shared/tools/tla2tools.jar), on the server and every worker, or check without --distributed";

/** The super class's internal name from a class file's constant pool. */
export function superClass(cls: Buffer): string | undefined {
  if (cls.readUInt32BE(0) !== 0xcafebabe) return undefined;
  const count = cls.readUInt16BE(8);
  const utf8 = new Map<number, string>();
  const classes = new Map<number, number>();
  let p = 10;
  for (let k = 1; k < count; k++) {
    const tag = cls[p] as number;
    p++;
    switch (tag) {
      case 1: {
        const len = cls.readUInt16BE(p);
        utf8.set(k, cls.toString("utf8", p + 2, p + 2 + len));
        p += 2 + len;
        break;
      }
      case 7:
        classes.set(k, cls.readUInt16BE(p));
        p += 2;
        break;
      case 8: case 16: case 19: case 20:
        p += 2;
        break;
      case 15:
        p += 3;
        break;
      case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18:
        p += 4;
        break;
      case 5: case 6:
        p += 8;
        k++;
        break;
      default:
        return undefined;
    }
  }
  const superIndex = cls.readUInt16BE(p + 4);
  const name = classes.get(superIndex);
  return name === undefined ? undefined : utf8.get(name);
}

/** One file of a zip (a jar), read through its central directory; undefined when absent. */
export async function zipEntry(zip: string, name: string): Promise<Buffer | undefined> {
  const fh = await open(zip, "r");
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error("not a zip file");
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    for (let p = 0; p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50; ) {
      const method = cd.readUInt16LE(p + 10);
      const compressed = cd.readUInt32LE(p + 20);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const local = cd.readUInt32LE(p + 42);
      if (cd.toString("utf8", p + 46, p + 46 + nameLen) === name) {
        const lh = Buffer.alloc(30);
        await fh.read(lh, 0, 30, local);
        const start = local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
        const data = Buffer.alloc(compressed);
        await fh.read(data, 0, compressed, start);
        if (method === 0) return data;
        if (method === 8) return inflateRawSync(data);
        throw new Error(`${name}: unsupported zip compression method ${method}`);
      }
      p += 46 + nameLen + extraLen + commentLen;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** What a worker's output says about a jar whose distributed mode is broken. */
export function workerBrokenJar(output: string): boolean {
  return /NotSerializableException: tlc2\.tool\.fp\./.test(output);
}

export type { Toolchain };
