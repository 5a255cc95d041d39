// Seed 002 (DAX), Dave Chinner's answer to problem 2: "fixed by the filesystem
// locking out page faults during truncate. XFS already does this with it's
// XFS_MMAPLOCK_[SHARED|EXCL] locking on page faults and truncate".
//
// Variant: truncate-race.ts with an XFS_MMAPLOCK-style rwsem: shared in the
// fault path (faults still run in parallel with each other), exclusive in
// truncate from before the i_size update until the blocks are freed.
//
// Expected verdict: ok. A fault either finishes mapping the block before
// truncate starts (and unmap_mapping_range() then zaps its entry before the
// block is freed), or starts after truncate finished and finds the offset
// beyond EOF. No page table entry can point at a freed block, and the two
// faults never wait for each other.
import { model } from "faultline";
import { truncateRace } from "./_truncate.js";

export default model("seed002 DAX truncate with XFS_MMAPLOCK", (m) => {
  truncateRace(m, { mmaplock: true });
});
