// Seed 001 (MPX), the re-use question as the reply poses it: the bounds tables
// are marked for removal (mm->bd_remove_vmas) while their bounds directory
// entries are still valid until mpx_post_unmap().
//
// Variant: reuse.ts without step 1 of mpx_pre_unmap() (the directory entry is
// never invalidated; the tables are only marked and then removed in
// mpx_post_unmap()).
//
// Expected verdict: invariant. After do_unmap() a user thread maps new data at
// the same range; its bndstx/bndldx makes the hardware walk the directory,
// find the still-valid entry and use the marked table without raising #BR, so
// the kernel never gets to serialize on bd_sem. This is exactly the reply's
// scenario; reuse.ts shows that step 1 (invalidate before marking, under
// bd_sem) is what rules it out.
import { model, not } from "faultline";
import { mpx } from "./_mpx.js";

export default model("seed001 MPX re-use with the entry kept", (m) => {
  const x = mpx(m, { mmapPolicy: "recursive-read", invalidate: "never" });
  const reused = m.bool("marked_bt_reused", false);
  const newData = m.bool("new_data_mapped", false);
  const allocate = x.bdAllocation("mpx_handle_bd_fault", x.bdEntry, "new_bt");

  x.app.thread("munmap", x.munmapBody);
  x.app.thread("user mmap+bndstx", x.userRemapBody(allocate, reused, newData));

  m.invariant("tables marked for removal are not used again before mpx_post_unmap", not(reused));
});
