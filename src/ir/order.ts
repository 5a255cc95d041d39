// Declared lock orders (SEMANTICS "lock-order"): `m.lockOrder(a, b, c)` says a is
// taken before b, b before c. The pairs a thread must never do, acquiring the
// earlier lock while holding the later one, closed transitively over all the
// model's declarations: the generator's invariant and the explorer read these.

import type { Model } from "./types.js";

/** Acquired lock id -> the lock ids declared after it (holding one of them while acquiring it is a finding). */
export function forbiddenWhileHeld(model: Model): ReadonlyMap<string, ReadonlySet<string>> {
  let cached = cache.get(model);
  if (!cached) {
    cached = closure(model);
    cache.set(model, cached);
  }
  return cached;
}

const cache = new WeakMap<Model, ReadonlyMap<string, ReadonlySet<string>>>();

function closure(model: Model): ReadonlyMap<string, ReadonlySet<string>> {
  const after = new Map<string, Set<string>>();
  for (const o of model.lockOrders ?? []) {
    o.locks.forEach((a, i) => {
      for (const b of o.locks.slice(i + 1)) if (b !== a) (after.get(a) ?? after.set(a, new Set()).get(a))?.add(b);
    });
  }
  // Transitive closure (a before b, b before c: a before c).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [, bs] of after) {
      for (const b of [...bs]) {
        for (const c of after.get(b) ?? []) {
          if (!bs.has(c)) {
            bs.add(c);
            changed = true;
          }
        }
      }
    }
  }
  return after;
}

/** The order declaration that puts `first` before `second` (directly or through others), for messages. */
export function declarationOf(model: Model, first: string, second: string): Model["lockOrders"] extends readonly (infer O)[] | undefined ? O | undefined : never {
  const orders = model.lockOrders ?? [];
  return orders.find((o) => o.locks.includes(first) && o.locks.includes(second) && o.locks.indexOf(first) < o.locks.indexOf(second)) ?? orders.find((o) => o.locks.includes(first));
}
