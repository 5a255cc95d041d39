// faultline's public API: the DSL to write models, and the pipeline to check them.

export { model, isModelDef, type ModelDef, type ModelBuilder, type ProcessBuilder, type ProcessOptions, type RegionOptions, type RwsemOptions } from "./dsl/model.js";
export type { Body, BodyFn, AccessOptions } from "./dsl/body.js";
export type { LockRef, LockArrayRef, LocalRef, MutexRef, SpinlockRef, RwsemRef, ProcRef, RegionRef, ThreadRef, VarArrayRef, VarRef } from "./dsl/refs.js";
export { and, or, not, implies, eq, ne, lt, le, gt, ge, plus, minus, FAULT_FLAG_WRITE, FAULT_FLAG_ALLOW_RETRY, FAULT_FLAG_TRIED, type Ex, type Cond, type Operand } from "./dsl/expr.js";
export type * from "./ir/types.js";
export type { Diagnostic } from "./ir/diagnostics.js";
export { check, compile, type CheckResult, type CheckOptions, type Compiled, type Outcome } from "./check.js";
export { loadModelFile, type Loaded } from "./load.js";
export type { Finding, Step, Verdict, WaitLine } from "./trace/translate.js";
export type { Toolchain } from "./tlc/locate.js";
export type { TlcStats } from "./tlc/output.js";
