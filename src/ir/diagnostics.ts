// Model diagnostics: coded, located, collected all at once (never thrown at the user).

import type { Loc } from "./types.js";

export interface Diagnostic {
  /** Stable code, e.g. `FL201`; listed in README's error table. */
  readonly code: string;
  /** Lower case, quotes identifiers, says what to do. */
  readonly message: string;
  readonly loc: Loc;
  /** An error (the default) makes the model invalid; a warning is reported and the check goes on. */
  readonly severity?: "warning";
}

export function formatLoc(loc: Loc): string {
  return `${loc.file}:${loc.line}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLoc(d.loc)}: ${d.severity ?? "error"} ${d.code}: ${d.message}`;
}
