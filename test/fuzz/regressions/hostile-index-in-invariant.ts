// Found by differential fuzzing (seed 880059): an invariant names an array element by
// a thread local whose values (the array's indexes) no shared variable has; the
// generator wrote those values as raw TLA+ strings, and `back\slash` broke the parse.
// Fixed by sanitising locals' enum values like variables'.
import { model } from "../../../src/dsl/model.js";
import { implies } from "../../../src/dsl/expr.js";
import type { LocalRef } from "../../../src/dsl/refs.js";

export default model("hostile index in invariant", (m) => {
  const p = m.process("p");
  const idx = ["back\\slash", 'say "hi"'] as const;
  const state = m.boolArray("state", idx, false);
  let pick: LocalRef<(typeof idx)[number]> | undefined;
  const t1 = p.thread("T1", (t) => {
    const i = t.enum("i", idx, "back\\slash");
    pick = i;
    t.either(() => {}, (b) => b.set(i, 'say "hi"'));
    t.set(state.at(i), true);
  });
  if (pick) m.invariant("second stays clear", implies(m.done(t1), state.at(pick).eq(false)));
});
