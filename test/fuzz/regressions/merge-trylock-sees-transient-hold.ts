// Step merging (src/ir/merge.ts): a release may move into its acquire's step only
// if nothing can observe the lock held in between. A trylock can: here T2's
// mutex_trylock fails only while T1 holds M between its lock and unlock. Merging
// T1's unlock into its lock would hide that state and the assertion failure, so
// a release of a lock that any thread trylocks is never absorbed.
import { model } from "../../../src/dsl/model.js";

export default model("merge trylock sees transient hold", (m) => {
  const M = m.mutex("M");
  const p = m.process("p");
  p.thread("T1", (t) => {
    t.lock(M);
    t.unlock(M);
  });
  p.thread("T2", (t) => {
    t.trylock(
      M,
      (b) => b.unlock(M),
      (b) => b.assert(false, "trylock found M busy"),
    );
  });
});
