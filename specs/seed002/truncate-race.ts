// Seed 002 (DAX), problem 2 of the post: "Races between page faults and
// truncate". The fault looks the block up with get_block() and then maps its
// pfn; truncate shrinks i_size, unmaps the range (unmap_mapping_range()) and
// frees the blocks. With no struct page there is no lock_page() and no "page
// beyond EOF" recheck; nothing orders the fault's lookup-then-map against the
// truncate.
//
// Variant: two faults (two mappings of the file) and truncate, no filesystem
// lock between them (i_mmap_rwsem is only taken by unmap_mapping_range()).
//
// Expected verdict: invariant ("no page table maps a freed block"). A fault
// looks the block up while it is still within EOF, truncate then unmaps the
// (still empty) range and frees the block, and the fault installs a page table
// entry for the freed block: the process can read and write storage that now
// belongs to the free space, or soon to another file.
import { model } from "faultline";
import { truncateRace } from "./_truncate.js";

export default model("seed002 DAX truncate without lock", (m) => {
  truncateRace(m, { mmaplock: false });
});
