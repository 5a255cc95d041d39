// Found while adding the acquire run-through rules (issue 13): under
// checkTermination() a critical section merged into one step (an invisible mutex's
// acquire absorbed, or an acquire whose step runs on to its release) leaves no
// state where the lock is held, so U's lock(m) is enabled in every state of T's
// loop and weak fairness forces it: the merged spec said ok where the unmerged one
// (T may take m again and again while U waits) has the livelock. Fixed in
// src/ir/merge.ts: under checkTermination() every hold of a lock is a state.
import { model } from "../../../src/dsl/model.js";

export default model("termination lock starvation", (m) => {
  const x = m.bool("x", false);
  const y = m.bool("y", true);
  const mu = m.mutex("m");
  const p = m.process("p");
  p.thread("T", (t) =>
    t.loop((b) => {
      b.lock(mu);
      b.if(x, (d) => {
        d.unlock(mu);
        d.break();
      });
      b.set(y, false);
      b.unlock(mu);
    }),
  );
  p.thread("U", (t) => {
    t.lock(mu);
    t.set(x, true);
    t.unlock(mu);
  });
  m.checkTermination();
});
