// Found while making VM_FAULT_RETRY a loop: a fault that retries while nothing
// changes goes round through one kept pc when merged, one step that leaves the
// state as it was. TLA+ counts that as stuttering, which weak fairness does not
// count as progress, so the merged spec said ok where the unmerged one (every
// operation a step) has the livelock. Fixed by keeping two pcs on every cycle
// under checkTermination() (merge.ts keepTwoPerCycle).
import { FAULT_FLAG_ALLOW_RETRY } from "../../../src/dsl/expr.js";
import { model } from "../../../src/dsl/model.js";

export default model("retry stutter livelock", (m) => {
  const app = m.process("app");
  const f = m.proc("lock_page_or_retry", (p) => p.if(FAULT_FLAG_ALLOW_RETRY, (r) => r.faultRetry()));
  const area = app.region("area", { fault: f });
  app.thread("T", (t) => t.load(area));
  m.checkTermination();
});
