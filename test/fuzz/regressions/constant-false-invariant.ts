// Found by differential fuzzing: an invariant that reads no state and is false
// (`m.invariant("never", false)`, or `not(true)`) is a config error for TLC ("The
// invariant of Inv_never is equal to FALSE"), so faultline reported its own bug
// instead of the finding. Fixed by emitting such an invariant as a state predicate
// (`pc = pc /\ FALSE`): it is violated in the initial state, as SEMANTICS says.
import { model } from "../../../src/dsl/model.js";
import { and, not } from "../../../src/dsl/expr.js";

export default model("constant false invariant", (m) => {
  const p = m.process("p");
  p.thread("T1", (t) => t.either(() => {}, () => {}));
  m.invariant("never", and(true, not(true)));
});
