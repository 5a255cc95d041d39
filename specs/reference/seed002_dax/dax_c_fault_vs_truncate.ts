// Reference scenario seed002 (c), /work/shared/reference/seed002_dax/
// dax_c_fault_vs_truncate.tla: a DAX page fault against a hole punch with no
// filesystem lock between them (no XFS_MMAPLOCK; with DAX there is no struct page
// to lock). The fault looks the block up (get_block) and then maps its pfn; the
// punch zaps the mappings of the range (unmap_mapping_range) and frees the block.
// The fault's i_size recheck only catches truncate, not a punch inside EOF, so it
// is left out, as in the reference.
//
//     fault:  get_block(inode, block, &bh, 0);       punch:  unmap_mapping_range(mapping, ...);
//             if (buffer_mapped(&bh))                         xfs_free_file_space(...);
//                     dax_insert_mapping(...);
//
// Expected verdict: invariant NoMapFreed (a page table maps a freed block: the fault looked
// the block up before the punch and maps it after the zap).
import { and, model, not } from "faultline";

export default model("reference dax_c fault vs truncate", (m) => {
  const app = m.process("app");
  const blk = m.enum("block", ["data", "freed"], "data");
  const pte = m.bool("pte_maps_block", false);
  app.thread("F fault", (t) => {
    const mapped = t.bool("buffer_mapped", false);
    t.if(blk.eq("data"), (b) => b.set(mapped, true)); // get_block(inode, block, &bh, 0)
    t.if(mapped, (b) => b.set(pte, true)); // dax_insert_mapping()
  });
  app.thread("T punch", (t) => {
    t.set(pte, false); // unmap_mapping_range(): zap the range
    t.set(blk, "freed"); // free the block
  });
  m.invariant("NoMapFreed", not(and(pte, blk.eq("freed"))));
});
