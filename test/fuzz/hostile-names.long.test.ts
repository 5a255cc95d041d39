// Every name of HOSTILE (test/fuzz/models.ts) given to every kind of object: the
// spec parses and TLC agrees with the reference explorer (npm run test:long;
// npm test checks a sample in hostile.test.ts).
import { describe, it } from "vitest";
import { checkHostileName } from "./hostile-model.js";
import { HOSTILE } from "./models.js";

describe("hostile names: a correct spec for every object so named", () => {
  it.each(HOSTILE.map((n) => [JSON.stringify(n).slice(0, 40), n]))("%s", async (_label, n) => {
    await checkHostileName(n);
  });
});
