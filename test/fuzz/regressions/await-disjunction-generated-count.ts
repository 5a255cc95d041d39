// Found by comparing states generated: a wait_event's condition was a bare
// conjunct of its action, and TLC makes one successor per true disjunct of it, so
// `await(or(x, y))` with both true counted the same successor twice. Fixed in
// src/gen/view.ts: the action is `IF cond THEN Goto(...) ELSE FALSE`.
import { model } from "../../../src/dsl/model.js";
import { or } from "../../../src/dsl/expr.js";

export default model("await disjunction generated count", (m) => {
  const x = m.bool("x", true);
  const y = m.bool("y", false);
  const p = m.process("p");
  p.thread("setter", (t) => t.set(y, true));
  p.thread("waiter", (t) => t.await(or(x, y)));
});
