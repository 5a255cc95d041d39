import { family2 } from "./family2.js";
import { compile } from "../src/check.js";
import { mkdirSync, writeFileSync } from "node:fs";
const [k,f,w,l,fx] = process.argv.slice(2).map(Number);
const c = compile(family2({k,f,w,l}, fx===1), {}); if (!c.ok) throw new Error("x");
const d = process.argv[7]!; mkdirSync(d, {recursive:true});
writeFileSync(`${d}/${c.spec.module}.tla`, c.spec.tla); writeFileSync(`${d}/${c.spec.module}.cfg`, c.spec.cfg);
