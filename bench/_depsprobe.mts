import { family2 } from "./family2.js";
import { compile } from "../src/check.js";
import { analyse } from "../src/deps/index.js";
import { observe } from "../src/deps/observe.js";
const [k,f,w,l,fx] = process.argv.slice(2).map(Number);
const def = family2({k,f,w,l}, fx===1);
const c = compile(def, {}); if (!c.ok) throw new Error("x");
for (const merge of [false, true]) { const t=performance.now(); const o = observe(def.ir, c.program, { merge, maxStates: 1e7 }); console.log("merge", merge, o.states, o.complete, Math.round(performance.now()-t), "ms"); }
const t=performance.now(); const i = analyse(def.ir, c.program); console.log("analyse", Math.round(performance.now()-t), "ms", i.deps.states, i.deps.merged);
