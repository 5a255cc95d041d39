// Found by the 2,000-model run (seed 8420232): a branch merging absorbs (on a
// guarded variable) whose two ways go to the same pc, here an `if` with an empty
// body, gave two identical paths, so TLC made the same successor twice where the
// explorer, running the branch, makes it once (states generated: TLC 16, explorer
// 12). Fixed in src/ir/merge.ts absorbedExits: a branch or a residency test
// whose ways meet goes one way.
import { model } from "../../../src/dsl/model.js";

export default model("guard same way generated count", (m) => {
  const x = m.bool("x", true);
  const A = m.rwsem("A");
  const p = m.process("p");
  p.thread("T", (t) => {
    t.downWrite(A);
    t.if(x, () => {});
    t.upWrite(A);
  });
  p.thread("U", (t) => {
    t.downRead(A);
    t.upRead(A);
  });
});
