// `npm run bench:flags`: hyperfine-style comparison of JVM and TLC options on
// a trivial spec, a small seed model and a larger family member, to choose the
// defaults in src/tlc/run.ts. Runs are interleaved so load drifts hit every variant.
//   npm run bench:flags -- [--repeat N] [--big K,F,W,L] [--only name,name]

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { compile } from "../src/check.js";
import { compileFile } from "../src/load.js";
import { YOUNG_GEN, ensureCdsArchive, fpMemArgs } from "../src/tlc/run.js";
import { locateToolchain } from "../src/tlc/locate.js";
import { family } from "./family.js";
import { TRIVIAL, median, timeTlc, writeSpec } from "./util.js";

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeat = Number(arg("--repeat") ?? 7);
const [k = 2, f = 1, w = 1, l = 2] = (arg("--big") ?? "2,1,1,2").split(",").map(Number);
const only = arg("--only")?.split(",");
const tc = await locateToolchain();
const root = await mkdtemp(path.join(os.tmpdir(), "faultline-flags-"));
const archive = await ensureCdsArchive(tc);
if (!archive) throw new Error("could not create a CDS archive");

interface Spec {
  name: string;
  dir: string;
  module: string;
}
async function spec(name: string, s: { module: string; tla: string; cfg: string }): Promise<Spec> {
  const dir = path.join(root, name);
  await writeSpec(dir, s);
  return { name, dir, module: s.module };
}
const trivial = await spec("trivial", TRIVIAL);
const seedFile = "specs/seed002/i-mmap-inversion.ts";
const seedC = await compileFile(seedFile);
if (!seedC.ok) throw new Error(seedFile);
const small = await spec("seed", seedC.spec);
const bigC = compile(family({ k, f, w, l }, true));
if (!bigC.ok) throw new Error("family");
const big = await spec(`family K${k}F${f}W${w}L${l}`, bigC.spec);

// The JVM options run.ts used before issue 6, then one change at a time.
const base = ["-XX:+UseParallelGC", "-Xss4m", "-Duser.language=en", "-Duser.country=US"];
const tlcBase = ["-tool", "-workers", "1", "-noGenerateSpecTE"];
const variants: { name: string; jvm: string[]; tlc: string[] }[] = [
  { name: "base (ParallelGC)", jvm: base, tlc: tlcBase },
  { name: "+CDS archive", jvm: [...base, `-XX:SharedArchiveFile=${archive}`], tlc: tlcBase },
  { name: "-Xshare:off", jvm: [...base, "-Xshare:off"], tlc: tlcBase },
  { name: "SerialGC", jvm: [...base.filter((a) => a !== "-XX:+UseParallelGC"), "-XX:+UseSerialGC"], tlc: tlcBase },
  { name: "TieredStopAtLevel=1", jvm: [...base, "-XX:TieredStopAtLevel=1"], tlc: tlcBase },
  { name: "-UsePerfData", jvm: [...base, "-XX:-UsePerfData"], tlc: tlcBase },
  { name: "-checkpoint 0", jvm: base, tlc: [...tlcBase, "-checkpoint", "0"] },
  { name: "-nowarning", jvm: base, tlc: [...tlcBase, "-nowarning"] },
  {
    name: "chosen: CDS -UsePerfData -checkpoint 0",
    jvm: [...base, `-XX:SharedArchiveFile=${archive}`, "-XX:-UsePerfData"],
    tlc: [...tlcBase, "-checkpoint", "0"],
  },
  {
    name: "chosen + TieredStopAtLevel=1",
    jvm: [...base, `-XX:SharedArchiveFile=${archive}`, "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1"],
    tlc: [...tlcBase, "-checkpoint", "0"],
  },
  {
    name: "chosen + C1 + Xmn64m + fpmem 0.02",
    jvm: [...base, `-XX:SharedArchiveFile=${archive}`, "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", ...YOUNG_GEN],
    tlc: [...tlcBase, "-checkpoint", "0", ...fpMemArgs({})],
  },
  {
    name: "chosen + C1 + Xmn64m + fpmem 0.02 + huge pages",
    jvm: [...base, `-XX:SharedArchiveFile=${archive}`, "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", ...YOUNG_GEN, "-XX:+UseTransparentHugePages"],
    tlc: [...tlcBase, "-checkpoint", "0", ...fpMemArgs({})],
  },
].filter((v) => !only || only.some((o) => v.name.includes(o)));

const once = (s: Spec, v: (typeof variants)[number]): Promise<number> => timeTlc(tc, s.dir, s.module, v.jvm, v.tlc);

const lines = [`${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}, java ${tc.javaVersion}; median (min) of ${repeat} interleaved runs`, ""];
lines.push(`| variant | ${[trivial, small, big].map((s) => s.name).join(" | ")} |`, `|---|${[trivial, small, big].map(() => "---:").join("|")}|`);
const times = new Map<string, number[]>();
for (const s of [trivial, small, big]) {
  for (let i = 0; i < (s === big ? Math.min(repeat, 3) : repeat); i++) {
    for (const v of variants) {
      const key = `${v.name}\0${s.name}`;
      times.set(key, [...(times.get(key) ?? []), await once(s, v)]);
    }
    process.stderr.write(".");
  }
}
for (const v of variants) {
  const cells = [trivial, small, big].map((s) => {
    const xs = times.get(`${v.name}\0${s.name}`) ?? [];
    return `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}) ms`;
  });
  lines.push(`| ${v.name} | ${cells.join(" | ")} |`);
}
await rm(root, { recursive: true, force: true });
process.stderr.write("\n");
console.log(lines.join("\n"));
