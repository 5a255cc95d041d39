// Found by the 2,000-model run (seed 7310505): a branch merging absorbs into the
// step before it (a guarded variable's, or one an acquire runs on through)
// became a bare conjunct of the action, and TLC makes one successor per true
// disjunct of it, so a condition `x || y` with both true counted the same
// successor twice (states generated: TLC 47, explorer 43). Fixed in
// src/gen/actions.ts leaf(): such a condition is an IF around the rest.
import { model } from "../../../src/dsl/model.js";
import { or } from "../../../src/dsl/expr.js";

export default model("guard disjunction generated count", (m) => {
  const x = m.bool("x", true);
  const y = m.bool("y", true);
  const A = m.mutex("A");
  const p = m.process("p");
  p.thread("T", (t) => {
    t.lock(A);
    t.if(or(x, y), (b) => b.set(x, false));
    t.unlock(A);
  });
  p.thread("U", (t) => {
    t.lock(A);
    t.unlock(A);
  });
});
