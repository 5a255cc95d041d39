// Step merging (src/ir/merge.ts): a thread whose position an expression reads
// (`done(t)`, `at(t, label)`) absorbs nothing. Here the invariant is broken only
// while T1 stands at its `either`, after setting y and before finishing: merging
// the either into the set would take T1 straight to Done and hide the violation.
import { and, not, or } from "../../../src/dsl/expr.js";
import { model } from "../../../src/dsl/model.js";

export default model("merge position read", (m) => {
  const x = m.bool("x", false);
  const y = m.bool("y", false);
  const p = m.process("p");
  const t1 = p.thread("T1", (t) => {
    t.set(y, true);
    t.either(
      () => {},
      () => {},
    );
  });
  p.thread("T2", (t) => t.set(x, true));
  m.invariant("finished before both are set", or(m.done(t1), not(and(x, y))));
});
