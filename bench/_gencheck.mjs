import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const { loadModelFile } = await import("../dist/load.js");
const chk = await import("../dist/check.js");
const scripts = ["seed000/as-reported.ts", "seed004/four-threads.ts", "idioms/futex-bounded.ts", "seed001/tglx-bd-sem.ts"];
let bad = 0, t0;
for (const [i, f] of scripts.entries()) {
  const l = await loadModelFile(`specs/${f}`);
  if (i === 0) t0 = cpu();
  const c = chk.compile(l.def, { source: f.split("/")[1] });
  if (i === 0) console.log("first compile CPU ms", Math.round(cpu() - t0));
  const want = readFileSync(`specs/${f.split("/")[0]}/${c.spec.module}.tla`, "utf8");
  if (want !== c.spec.tla) { bad++; console.log("DIFF", f); }
}
const req = createRequire(import.meta.url);
console.log("bad", bad, "compiler loaded:", Object.keys(req.cache).some((k) => k.includes("handlebars/dist/cjs/handlebars.js") || k.endsWith("handlebars/lib/index.js")), "runtime loaded:", Object.keys(req.cache).some((k) => k.includes("handlebars.runtime")));
