// Found by comparing states generated: DownRead/DownWrite were a disjunction
// guarded by CanRead/CanWrite, themselves disjunctions; TLC makes one successor per
// true disjunct, so a reader-preferring acquire (policy and empty queue both true)
// or a queued reader at the head was generated twice. The distinct states were
// right but the "states generated" statistic was inflated. Fixed with IF/THEN/ELSE
// in templates/locks-rwsem.hbs: one successor per alternative.
import { model } from "../../../src/dsl/model.js";

export default model("rwsem generated count", (m) => {
  const rp = m.rwsem("rp", { policy: "reader-preferring" });
  const fair = m.rwsem("fair");
  const p = m.process("p");
  p.thread("writer", (t) => {
    t.downWrite(fair);
    t.downWrite(rp);
    t.upWrite(rp);
    t.upWrite(fair);
  });
  p.thread("reader", (t) => {
    t.downRead(rp);
    t.upRead(rp);
    t.downRead(fair);
    t.upRead(fair);
  });
});
