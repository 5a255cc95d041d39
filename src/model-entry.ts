// What a model file imports from "faultline" while it loads on its worker
// thread (isolate.ts): the DSL alone, without the checker, generator (and
// Handlebars) and TLC runner that index.ts brings, which the worker would load
// for nothing (about 0.4 s on a busy machine). load.ts points a model's
// imports here when they name only these.
export { model, isModelDef } from "./dsl/model.js";
export { and, or, not, implies, eq, ne, lt, le, gt, ge, plus, minus, FAULT_FLAG_WRITE, FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED } from "./dsl/expr.js";
