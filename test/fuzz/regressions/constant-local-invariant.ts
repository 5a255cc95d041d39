// Found by differential fuzzing (seed 727096): an invariant over a thread local
// that never leaves its initial value rendered as a constant (the local's value
// table has no pc to list), and a constant FALSE invariant is a config error for
// TLC. Fixed by treating such an invariant as constant: `pc = pc /\ ...`.
import { model } from "../../../src/dsl/model.js";
import type { LocalRef } from "../../../src/dsl/refs.js";

export default model("constant local invariant", (m) => {
  const p = m.process("p");
  let flag: LocalRef<boolean> | undefined;
  p.thread("T1", (t) => {
    flag = t.bool("flag", true);
    t.either(() => {}, () => {});
  });
  if (flag) m.invariant("never", flag.eq(false));
});
