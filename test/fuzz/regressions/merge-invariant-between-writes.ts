// Step merging (src/ir/merge.ts): an acquire's step runs through several writes of
// protected variables only when no invariant can be false between them alone
// (invariantsBetween). Here `a => b` is false only after T's first write and
// before its second: running both in one step would hide the violation.
import { implies } from "../../../src/dsl/expr.js";
import { model } from "../../../src/dsl/model.js";

export default model("merge invariant between writes", (m) => {
  const p = m.process("p");
  const mu = m.mutex("m");
  const a = m.bool("a", false);
  const b = m.bool("b", false);
  p.thread("T", (t) => {
    t.lock(mu);
    t.set(a, true);
    t.set(b, true);
    t.unlock(mu);
  });
  p.thread("U", (t) => {
    t.lock(mu);
    t.if(a, (x) => x.set(b, false));
    t.unlock(mu);
  });
  m.invariant("a implies b", implies(a, b));
});
