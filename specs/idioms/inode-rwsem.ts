// Verdict: ok. A per-inode rwsem array, `&inode[A]->i_rwsem`, taken in the
// order of the inode index as rename() does (lock_two_nondirectories), whichever
// inode the caller was handed.
import { model } from "faultline";

export default model("inode i_rwsem array", (m) => {
  const app = m.process("app");
  const iRwsem = m.rwsemArray("inode[].i_rwsem", ["A", "B"]);
  app.thread("T1 rename", (t) => {
    t.downWrite(iRwsem.at("A"));
    t.downWrite(iRwsem.at("B"));
    t.upWrite(iRwsem.at("B"));
    t.upWrite(iRwsem.at("A"));
  });
  app.thread("T2 read", (t) => {
    const inode = t.enum("inode", ["A", "B"], "A");
    t.either(() => {}, (b) => b.set(inode, "B"));
    t.downRead(iRwsem.at(inode));
    t.upRead(iRwsem.at(inode));
  });
});
