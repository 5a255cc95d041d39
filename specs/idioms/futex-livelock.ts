// Verdict: termination. The same retry loop, asked whether the waiter always gets
// past it: the page can be reclaimed before every attempt (an evictable page may
// always fault), so the loop can go round forever: a livelock, shown as a lasso.
import { model } from "faultline";
import { futexWait } from "./_futex.js";

export default model("futex_wait livelock", (m) => {
  futexWait(m, { termination: true });
});
