// Reference scenario seed001 (e2)
// (../shared/reference/seed001_mpx/mpx_e2_reuse_deferred_invalidate.tla):
// question 2 under its own premise: mpx_pre_unmap only marks the table and the
// directory entry stays valid until mpx_post_unmap clears it (scenario in
// _reuse.ts). Expected: invariant violated: NoReuse.
import { reuseModel } from "./_reuse.js";

export default reuseModel("mpx_e2_reuse_deferred_invalidate", false);
