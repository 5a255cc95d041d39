// Verdict: ok. The `goto retry` after -EFAULT as the loop it is: no unrolling,
// no bound; whether the page faults is open on every round.
import { model } from "faultline";
import { futexWait } from "./_futex.js";

export default model("futex_wait retry", (m) => {
  futexWait(m);
});
