import { family2 } from "./family2.js";
import { check } from "../src/check.js";
import { locateToolchain } from "../src/tlc/locate.js";
import { writeFile, mkdir } from "node:fs/promises";
const tc = await locateToolchain();
const [k,f,w,l,fx] = process.argv.slice(2).map(Number);
const r = await check(family2({k,f,w,l}, fx===1), { toolchain: tc });
console.log(r.verdict, r.stats);
if (process.argv[7]) { await mkdir(process.argv[7], {recursive:true}); await writeFile(process.argv[7]+"/"+r.spec!.module+".tla", r.spec!.tla); await writeFile(process.argv[7]+"/"+r.spec!.module+".cfg", r.spec!.cfg); console.log(r.spec!.module); }
