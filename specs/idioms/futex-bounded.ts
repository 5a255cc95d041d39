// Verdict: loop-bound. The retry loop explored for at most 2 rounds: a third
// attempt reaches the cut-off, reported as such, not as an assertion.
import { model } from "faultline";
import { futexWait } from "./_futex.js";

export default model("futex_wait bounded", (m) => {
  futexWait(m, { bound: 2 });
});
