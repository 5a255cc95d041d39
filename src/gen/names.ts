// TLA+ names for model objects: valid, collision-free, deterministic, whatever
// the user typed. Also makes user text safe inside TLA+ comments.

/** TLA+ reserved words (SANY's tla2sany/parser/TLAplusParser keywords). */
const KEYWORDS = [
  "ACTION", "ASSUME", "ASSUMPTION", "AXIOM", "BOOLEAN", "BY", "CASE", "CHOOSE", "CONSTANT", "CONSTANTS",
  "COROLLARY", "DEF", "DEFINE", "DEFS", "DOMAIN", "ELSE", "ENABLED", "EXCEPT", "EXTENDS", "FALSE", "HAVE",
  "HIDE", "IF", "IN", "INSTANCE", "LAMBDA", "LEMMA", "LET", "LOCAL", "MODULE", "NEW", "OBVIOUS", "OMITTED",
  "ONLY", "OTHER", "PICK", "PROOF", "PROPOSITION", "PROVE", "QED", "RECURSIVE", "SF_", "STATE", "STRING",
  "SUBSET", "SUFFICES", "TAKE", "TEMPORAL", "THEN", "THEOREM", "TRUE", "UNCHANGED", "UNION", "USE",
  "VARIABLE", "VARIABLES", "WF_", "WITH", "WITNESS",
];

/** Operators of the standard modules the spec extends (Integers, Sequences, FiniteSets, Bags, TLC). */
const STANDARD = [
  "Nat", "Int", "Seq", "Len", "Append", "Head", "Tail", "SubSeq", "SelectSeq", "IsFiniteSet", "Cardinality",
  "IsABag", "BagToSet", "SetToBag", "BagIn", "EmptyBag", "BagUnion", "SubBag", "BagOfAll", "BagCardinality", "CopiesIn",
  "Print", "PrintT", "Assert", "JavaTime", "TLCGet", "TLCSet", "Permutations", "SortSeq", "RandomElement",
  "Any", "ToString", "TLCEval",
];

/** Names the generated spec defines itself (templates/*.hbs). */
export const SPEC_NAMES = [
  "pc", "owner", "rw", "vars", "Init", "Next", "Spec", "Fairness", "Termination", "Terminated", "Threads",
  "NoOne", "Done", "Goto", "Mutexes", "Spinlocks", "ExclLocks", "Rwsems", "FairRwsems", "RecursiveReadRwsems",
  "ReaderPreferringRwsems", "Readers", "Holders", "NoReaders", "Queued", "Pos", "Ahead", "AheadSet", "NoneAhead",
  "CanRead", "CanWrite", "CanTake", "Dequeue", "DownRead", "DownWrite", "UpRead", "UpWrite", "DownReadTrylock",
  "DownWriteTrylock", "MutexLock", "MutexUnlock", "MutexTrylock", "HoldsAs", "HoldsAny", "Held", "HeldBy",
  "WaitAt", "WaitFor", "Waiting", "AwaitBlocked", "Blocked", "Blockers", "LockBlockers", "Stuck", "BlockedNow", "FreeRw", "Deadlocked",
  "NoDeadlock", "NoBadUnlock", "ReleaseAt", "SleepingAt", "NotSleepingInAtomic", "NoLockLeak", "Take", "Free",
  "TakeRead", "TakeWrite", "FreeRead", "FreeWrite", "Enqueue", "Symmetry", "AfterGrant", "HeadReaders", "Grant",
  "Resume", "ResumeAll", "Release", "Become", "World", "Continue", "OrderAt", "NoLockOrderViolation",
  // and faultline's run of a spec with symmetry groups (src/tlc/canon.ts), which extends it
  "SymmetryGroups", "FaultlineView", "CanonView", "FaultlineCanon", "FaultlineRun",
];

/**
 * Bound names and parameters the templates and actions use (`\A t \in Threads`,
 * `Grant(w, l)`): SANY rejects a bound name that is also a declared one, so no
 * user object may take them. test/gen/names.test.ts checks the templates use no other.
 */
export const BOUND_NAMES = ["t", "l", "m", "i", "e", "o", "r", "p", "q", "w", "k", "u", "x", "c", "rs", "us", "W", "S", "S2", "woken", "next", "ok", "fail"];

const RESERVED = new Set([...KEYWORDS, ...STANDARD, ...SPEC_NAMES, ...BOUND_NAMES]);

/** Is `name` taken by TLA+ or by the spec itself (never a user object's identifier)? */
export function isReserved(name: string): boolean {
  // p1, p2, ...: the permutations bound in the SYMMETRY set (view.ts symmetrySet);
  // s1, s2, ...: the threads' first pcs bound in Init (view.ts initPc).
  return RESERVED.has(name) || /^[ps][0-9]+$/.test(name);
}

/** Longest identifier stem kept from a user name (the rest is cut, then made unique). */
const MAX_STEM = 60;

/** `name` as a TLA+ identifier stem: ASCII letters, digits and `_`, starting with a letter. */
export function identStem(name: string): string {
  let s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (s === "") s = "x";
  if (!/^[A-Za-z]/.test(s)) s = `x${s}`;
  return s.slice(0, MAX_STEM).replace(/_+$/, "");
}

/** Hands out unique identifiers within one namespace, avoiding TLA+ reserved and spec names. */
export class Namer {
  readonly #used: Set<string>;

  constructor(reserved: Iterable<string> = RESERVED) {
    this.#used = new Set(reserved);
  }

  /**
   * A `modelValue` identifier never has "_" second: TLC takes such a model value
   * ("a_b2") as typed (type a) and then refuses to compare it with a string. It
   * takes the prefix "t" instead (ta_b2).
   */
  take(name: string, prefix = "", opts: { readonly modelValue?: boolean } = {}): string {
    const stem = `${prefix}${identStem(name)}`;
    let id = stem;
    for (let i = 2; this.#used.has(id) || isReserved(id); i++) id = `${stem}_${i}`;
    if (opts.modelValue && id.charAt(1) === "_") return this.take(name, `t${prefix}`, opts);
    this.#used.add(id);
    return id;
  }
}

/** User text inside a `\*` comment: one line, and no comment delimiters. */
export function commentText(s: string): string {
  return s
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/\(\*/g, "( *")
    .replace(/\*\)/g, "* )")
    .replace(/[^\x20-\x7e]/g, "?");
}
