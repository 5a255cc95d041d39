// A model with every kind of object named `n`, for the hostile-name tests
// (hostile.test.ts: a few names; hostile-names.long.test.ts: all of HOSTILE).
import { expect } from "vitest";
import { compile } from "../../src/check.js";
import { type ModelDef, model } from "../../src/dsl/model.js";
import { implies } from "../../src/dsl/expr.js";
import { toolchain } from "../helpers/toolchain.js";
import { differential } from "./differential.js";

export /** Every kind of object named `n` (or `n` plus a suffix where a kind needs several). */
function everything(n: string): ModelDef {
  return model(n, (m) => {
    const p = m.process(n);
    const q = m.process(`${n}\n2`);
    const mu = m.mutex(n);
    const sp = p.spinlock(`${n}!`);
    const sem = m.rwsem(`${n}?`, { policy: "recursive-read" });
    const flag = m.bool(n, false);
    const count = m.int(`${n} `, { min: 0, max: 2 }, 0);
    const phase = m.enum(`${n}\t`, [n, `${n}"`, `${n}\\`], n);
    const fill = m.proc(n, (t) => t.set(phase, `${n}"`));
    const buf = q.region(n, { fault: fill });
    const a = p.thread(n, (t) => {
      t.label(n);
      t.lock(mu);
      t.copyToUser(buf);
      t.set(count, count.plus(1));
      t.unlock(mu);
      t.trylock(sp, (b) => b.unlock(sp));
    });
    q.thread(`${n} `, (t) => {
      t.downRead(sem);
      t.assert(m.held(sem, undefined, "read"), n);
      t.either((b) => b.set(flag, true), (b) => b.call(fill));
      t.upRead(sem);
    });
    m.invariant(n, implies(m.at(a, n), count.le(2)));
    m.invariant(`${n}(*`, phase.ne(`${n}\\`));
  });
}

/** The spec of `everything(n)` parses, keeps comments on one line, and TLC agrees with the explorer. */
export async function checkHostileName(n: string): Promise<void> {
  const def = everything(n);
  const c = compile(def);
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join("; "));
  // TLA+ comments stay on one line: no raw line breaks inside a `\* comment.
  for (const line of c.spec.tla.split("\n")) expect(line).not.toMatch(/[\r\u2028\u2029]/);
  const r = await differential(def, await toolchain());
  expect(r.kind === "disagree" ? r.why : r.kind).toBe("agree");
}
