// Found by differential fuzzing: a body condition asking whether a given thread
// holds a lock (`m.held(lock, thread)`) became `HoldsAs(...)` inside an action, but
// HoldsAs was defined after the actions, with the findings: SANY rejected the spec
// ("Unknown operator: `HoldsAs'"). Fixed by defining HoldsAs/HoldsAny before the actions.
import { model } from "../../../src/dsl/model.js";

export default model("held by thread in action", (m) => {
  const a = m.mutex("a");
  const p = m.process("p");
  const t1 = p.thread("T1", (t) => {
    t.lock(a);
    t.unlock(a);
  });
  p.thread("T2", (t) => {
    t.await(m.held(a, t1));
    t.lock(a);
    t.unlock(a);
  });
});
