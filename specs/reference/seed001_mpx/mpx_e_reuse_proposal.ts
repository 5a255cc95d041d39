// Reference scenario seed001 (e)
// (../shared/reference/seed001_mpx/mpx_e_reuse_proposal.tla): question 2 under
// the proposal, which invalidates the directory entry before marking the
// table, both under bd_sem for write and mmap_sem for read (scenario in
// _reuse.ts). Expected: ok.
import { reuseModel } from "./_reuse.js";

export default reuseModel("mpx_e_reuse_proposal", true);
