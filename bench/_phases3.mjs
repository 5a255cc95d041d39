import { Worker } from "node:worker_threads";
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const sh = await import("node:child_process");
let t = cpu(); const es = await import("esbuild"); console.log("import esbuild", Math.round(cpu()-t));
t = cpu(); const r = await es.build({ entryPoints: ["/work/wt-perstate/specs/seed000/as-reported.ts"], bundle: true, write: false, format: "esm", platform: "node", external: ["faultline"] }); console.log("build (self)", Math.round(cpu()-t));
t = cpu(); const w = new Worker(`require("node:worker_threads").parentPort.postMessage(1)`, { eval: true }); await new Promise(r => w.once("message", r)); console.log("worker boot", Math.round(cpu()-t));
t = cpu(); const w2 = new Worker(`import("/work/wt-perstate/dist/model-entry.js").then(() => require("node:worker_threads").parentPort.postMessage(1))`, { eval: true }); await new Promise(r => w2.once("message", r)); console.log("worker boot + dsl", Math.round(cpu()-t));
es.stop(); w.terminate(); w2.terminate();
