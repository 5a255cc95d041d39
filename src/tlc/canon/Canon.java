// faultline's canonical view of a state under symmetry, for TLC (src/tlc/canon.ts).
//
// TLC's SYMMETRY reduction fingerprints every state under every permutation of
// the symmetry set and keeps the least: 72 permutations for groups of 3, 3 and
// 2 threads, 13,824 for three groups of 4; at family 2's K3 F3 W2 L1 that was
// 46% of TLC's samples (JFR), against 12% for computing the successors. faultline's runs use a VIEW instead,
// FaultlineView == CanonView(vars, pc, SymmetryGroups), which TLC computes with
// the static method below (TLC's @TLAPlusOperator override):
//
//   1. In each group, order the threads by their pc (TLC's order on values)
//      and send the i-th of them to the group's i-th thread (TLC's order on
//      model values). Every such permutation gives the same pc function.
//   2. Threads at the same pc may go to their slots in any order: of the
//      states those permutations give, keep the least in TLC's order,
//      variable by variable.
//
// Both steps depend only on the state's orbit under the groups' permutations
// (a permuted state has the same pcs to sort and yields the same candidates),
// so two states get the same view exactly when one is a permutation of the
// other: the reduction of SYMMETRY, from one permutation in most states
// instead of all of them. Anything unexpected (no pc function, values TLC
// cannot compare) gives the state itself: no reduction, never a wrong one.
package faultline;

import java.util.Arrays;
import java.util.IdentityHashMap;

import tlc2.overrides.ITLCOverrides;
import tlc2.overrides.TLAPlusOperator;
import tlc2.value.IMVPerm;
import tlc2.value.IModelValue;
import tlc2.value.IValue;
import tlc2.value.impl.FcnRcdValue;
import tlc2.value.impl.ModelValue;
import tlc2.value.impl.TupleValue;
import tlc2.value.impl.Value;

public final class Canon implements ITLCOverrides {
  @Override
  @SuppressWarnings("rawtypes")
  public Class[] get() {
    return new Class[] { Canon.class };
  }

  /** A permutation of model values; a value it does not name stays. */
  static final class Perm implements IMVPerm {
    private final IdentityHashMap<Object, IValue> map = new IdentityHashMap<>();

    @Override
    public IValue get(final IValue v) {
      return map.get(v);
    }

    @Override
    public void put(final IModelValue from, final IModelValue to) {
      if ((Object) from != to) map.put(from, (IValue) (Object) to);
    }

    @Override
    public int size() {
      return map.size();
    }

    @Override
    public IMVPerm compose(final IMVPerm other) {
      throw new UnsupportedOperationException("faultline.Canon.Perm.compose");
    }
  }

  @TLAPlusOperator(identifier = "CanonView", module = "FaultlineCanon", warn = false)
  public static Value CanonView(final Value vars, final Value pcValue, final Value groups) {
    try {
      return canon(vars, pcValue, groups);
    } catch (final RuntimeException e) {
      return vars;
    }
  }

  private static Value canon(final Value vars, final Value pcValue, final Value groups) {
    if (!(vars instanceof TupleValue) || !(groups instanceof TupleValue)) return vars;
    final FcnRcdValue pc = pcValue instanceof FcnRcdValue ? (FcnRcdValue) pcValue : (FcnRcdValue) pcValue.toFcnRcd();
    if (pc == null) return vars;
    final Value[] gs = ((TupleValue) groups).elems;
    // byPc[g][i]: the thread that goes to slot[g][i]; tie[g][i]: the first index of its run of equal pcs.
    final ModelValue[][] byPc = new ModelValue[gs.length][];
    final ModelValue[][] slot = new ModelValue[gs.length][];
    final int[][] tie = new int[gs.length][];
    for (int g = 0; g < gs.length; g++) {
      if (!(gs[g] instanceof TupleValue)) return vars;
      final Value[] ms = ((TupleValue) gs[g]).elems;
      final ModelValue[] s = new ModelValue[ms.length];
      final Value[] at = new Value[ms.length];
      final Integer[] order = new Integer[ms.length];
      for (int i = 0; i < ms.length; i++) {
        if (!(ms[i] instanceof ModelValue)) return vars;
        s[i] = (ModelValue) ms[i];
        at[i] = pc.select(s[i]);
        if (at[i] == null) return vars;
        order[i] = i;
      }
      // The threads ordered by their pcs (each looked up once) go to the slots, the same threads in TLC's order.
      Arrays.sort(order, (a, b) -> at[a].compareTo(at[b]));
      final ModelValue[] p = new ModelValue[ms.length];
      final int[] t = new int[ms.length];
      for (int i = 0; i < ms.length; i++) {
        p[i] = s[order[i]];
        t[i] = i > 0 && at[order[i]].compareTo(at[order[i - 1]]) == 0 ? t[i - 1] : i;
      }
      Arrays.sort(s, (a, b) -> a.compareTo(b));
      byPc[g] = p;
      slot[g] = s;
      tie[g] = t;
    }
    final Value[] state = ((TupleValue) vars).elems;
    final Least least = new Least();
    search(state, byPc, slot, tie, 0, 0, least);
    for (final Value v : least.vals) v.deepNormalize();
    return new TupleValue(least.vals);
  }

  private static final class Least {
    Value[] vals;
  }

  /** Every assignment of tied threads to their slots, from group g's index i on; keeps the least state. */
  private static void search(final Value[] state, final ModelValue[][] byPc, final ModelValue[][] slot, final int[][] tie, final int g, final int i, final Least least) {
    if (g == byPc.length) {
      consider(state, byPc, slot, least);
      return;
    }
    final ModelValue[] p = byPc[g];
    if (i == p.length) {
      search(state, byPc, slot, tie, g + 1, 0, least);
      return;
    }
    int end = i + 1;
    while (end < p.length && tie[g][end] == tie[g][i]) end++;
    for (int j = i; j < end; j++) {
      swap(p, i, j);
      search(state, byPc, slot, tie, g, i + 1, least);
      swap(p, i, j);
    }
  }

  private static void consider(final Value[] state, final ModelValue[][] byPc, final ModelValue[][] slot, final Least least) {
    final Perm perm = new Perm();
    for (int g = 0; g < byPc.length; g++) {
      for (int i = 0; i < byPc[g].length; i++) perm.put(byPc[g][i], slot[g][i]);
    }
    final Value[] out = new Value[state.length];
    for (int j = 0; j < state.length; j++) out[j] = perm.size() == 0 ? state[j] : (Value) state[j].permute(perm);
    if (least.vals == null) {
      least.vals = out;
      return;
    }
    for (int j = 0; j < out.length; j++) {
      final int c = out[j].compareTo(least.vals[j]);
      if (c != 0) {
        if (c < 0) least.vals = out;
        return;
      }
    }
  }

  private static void swap(final ModelValue[] a, final int i, final int j) {
    final ModelValue t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
