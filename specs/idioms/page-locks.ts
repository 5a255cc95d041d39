// Verdict: deadlock. An array of page locks, one element named by a constant and
// one by a local an `either` chooses: two threads that lock two pages in opposite
// orders (the reason the kernel locks pages in ascending index order).
//
//   T1:  lock_page(P); lock_page(Q); ...             /* ascending */
//   T2:  first = pick();  lock_page(first); lock_page(first == P ? Q : P);
import { model } from "faultline";

export default model("page locks", (m) => {
  const app = m.process("app");
  const page = m.pageLocks(["P", "Q"]);
  app.thread("T1 migrate", (t) => {
    t.lockPage(page.at("P"));
    t.lockPage(page.at("Q"));
    t.unlockPage(page.at("Q"));
    t.unlockPage(page.at("P"));
  });
  app.thread("T2 truncate", (t) => {
    const first = t.enum("first", ["P", "Q"], "P");
    const second = t.enum("second", ["P", "Q"], "Q");
    t.either(
      () => {},
      (b) => {
        b.set(first, "Q");
        b.set(second, "P");
      },
    );
    t.lockPage(page.at(first));
    t.lockPage(page.at(second));
    t.unlockPage(page.at(second));
    t.unlockPage(page.at(first));
  });
});
