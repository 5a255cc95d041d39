// Seed 001 (MPX), the re-use question from the reply to Thomas Gleixner:
// "before mpx_post_unmap() call, it is possible for those bounds tables within
// mm->bd_remove_vmas to be re-used. In this case, userspace may do new mapping
// and access one address which will cover one of those bounds tables. [...] HW
// will check if one bounds table exist, if yes one fault won't be produced."
//
// Variant: the proposal as written (step 1 invalidates the bounds directory
// entries, step 2 marks the tables, both before do_unmap()), munmap() beside a
// user thread that mmap()s new data at the freed range and then accesses it
// with MPX instructions, so the hardware walks the bounds directory. mmap_lock
// is "recursive-read", the email's own assumption, so that the nested-read
// deadlock of tglx-bd-sem.ts (a separate finding) does not hide the answer.
//
// Expected verdict: ok. The range is free for the new mapping only after
// do_unmap(), and by then step 1 has already invalidated the directory entry
// under bd_sem. The hardware therefore finds no valid entry and raises #BR
// instead of using the old table, and the #BR directory entry allocation needs
// down_read(bd_sem), which munmap holds for write until mpx_post_unmap() has
// removed the marked tables. The marked tables are unreachable: the re-use
// cannot happen as long as step 1 runs before the marking.
import { model, not } from "faultline";
import { mpx } from "./_mpx.js";

export default model("seed001 MPX re-use before mpx_post_unmap", (m) => {
  const x = mpx(m, { mmapPolicy: "recursive-read" });
  const reused = m.bool("marked_bt_reused", false);
  const newData = m.bool("new_data_mapped", false);
  const allocate = x.bdAllocation("mpx_handle_bd_fault", x.bdEntry, "new_bt");

  x.app.thread("munmap", x.munmapBody);
  x.app.thread("user mmap+bndstx", x.userRemapBody(allocate, reused, newData));

  m.invariant("tables marked for removal are not used again before mpx_post_unmap", not(reused));
});
