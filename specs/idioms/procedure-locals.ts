// Verdict: ok. A procedure local is fresh at every call: `got` starts false in
// each call of try_grab(), so the second call never unlocks a page lock it did
// not get (were `got` kept from the first call, that would be a bad-unlock).
//
//   static void try_grab(struct page *page)
//   {
//           bool got = false;
//           if (trylock_page(page))
//                   got = true;
//           ...
//           if (got)
//                   unlock_page(page);
//   }
import { model } from "faultline";

export default model("procedure locals", (m) => {
  const app = m.process("app");
  const pageLock = m.mutex("page->PG_locked");
  const tryGrab = m.proc("try_grab", (p) => {
    const got = p.bool("got", false);
    p.trylock(pageLock, (ok) => ok.set(got, true));
    p.if(got, (b) => b.unlock(pageLock));
  });
  app.thread("T1 scan", (t) => {
    t.call(tryGrab);
    t.call(tryGrab);
  });
  app.thread("T2 fault", (t) => {
    t.lock(pageLock); // lock_page()
    t.unlock(pageLock);
  });
});
