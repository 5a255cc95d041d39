// Public face of the TLC adapter: locate java + tla2tools.jar, run TLC on a
// generated spec, and the parsers (pure) behind the run.
export { type Toolchain, ToolError, cacheDir, locateToolchain, parseJavaVersion } from "./locate.js";
export { type RunOptions, type TlcRunInfo, ensureCdsArchive, runTlc } from "./run.js";
export { type CdsOptions, type CdsStatus, cdsEnabled } from "./cds.js";
export { type CanonOptions, canonClasses, canonEnabled } from "./canon.js";
export { type RawRun, type TlcRun, interpretRun } from "./result.js";
export { type TlcMessage, type TlcStats, type TlcViolation, type ToolOutput, parseToolOutput } from "./output.js";
export { type TlaValue, type TlcState, type TlcTrace, parseJsonTrace } from "./json-trace.js";
export { PINNED } from "./pinned.js";
