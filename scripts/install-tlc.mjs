// Fetches the pinned tla2tools.jar into faultline's cache (postinstall).
// It must never fail an install: offline machines get one line saying how to
// point faultline at a jar instead, and exit 0.
// Pinned values come from src/tlc/pinned.json, shared with src/tlc/pinned.ts;
// the cache dir rule mirrors cacheDir() in src/tlc/locate.ts.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

const FIX = "set TLA2TOOLS_JAR=/path/to/tla2tools.jar, or re-run `npm run install-tlc` with internet access";
const TIMEOUT_MS = 20_000;

function say(line) {
  console.log(`faultline: ${line}`);
}

function cacheDir(env, pinned) {
  if (env.FAULTLINE_CACHE_DIR) return env.FAULTLINE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, pinned.cacheDirName);
}

async function main() {
  const env = process.env;
  if (env.TLA2TOOLS_JAR) {
    if (existsSync(env.TLA2TOOLS_JAR)) say(`using TLC from TLA2TOOLS_JAR=${env.TLA2TOOLS_JAR}`);
    else say(`TLA2TOOLS_JAR=${env.TLA2TOOLS_JAR} does not exist; point it at a tla2tools.jar or unset it`);
    return;
  }
  const pinned = JSON.parse(readFileSync(new URL("../src/tlc/pinned.json", import.meta.url), "utf8"));
  const dir = cacheDir(env, pinned);
  const jar = join(dir, pinned.jarFile);
  if (existsSync(jar)) return;
  // A mirror (or a test's local server) may stand in for the release URL.
  const url = env.FAULTLINE_TLC_URL || pinned.url;

  let bytes;
  try {
    const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
    bytes = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    const cause = err?.cause?.message ?? err?.message ?? String(err);
    say(`TLC ${pinned.version} was not fetched (${cause}); ${FIX}`);
    return;
  }
  // A jar is a zip ("PK" header) and tla2tools has the TLC entry point.
  if (bytes.subarray(0, 2).toString("latin1") !== "PK" || !bytes.includes("tlc2/TLC.class")) {
    say(`TLC ${pinned.version} was not fetched (${url} is not a tla2tools.jar); ${FIX}`);
    return;
  }
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${pinned.jarFile}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, jar); // atomic: a half-written jar is never at `jar`
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const sha = createHash("sha256").update(bytes).digest("hex");
  say(`fetched TLC ${pinned.version} to ${jar} (sha256 ${sha})`);
}

/**
 * Makes the class-data sharing archive now, so that even the first check
 * starts fast (src/tlc/cds.ts), and compiles faultline's classes for TLC
 * (src/tlc/canon.ts) where a javac is at hand. Only where faultline is built (an installed
 * package; in a fresh checkout postinstall runs before the build and the first
 * check makes it instead), and silent: it must never fail an install.
 */
async function makeCdsArchive() {
  const built = new URL("../dist/tlc/index.js", import.meta.url);
  if (!existsSync(built)) return;
  try {
    const tlc = await import(built.href);
    if (!tlc.cdsEnabled() && !tlc.canonEnabled()) return;
    const tc = await tlc.locateToolchain();
    if (tlc.cdsEnabled()) {
      const archive = await tlc.ensureCdsArchive(tc);
      if (archive) say(`saved TLC's classes for a faster start in ${archive}`);
    }
    // And faultline's classes for TLC: the main class of a check, and the view
    // that checks thread groups up to symmetry (src/tlc/canon.ts).
    if (tlc.canonEnabled()) {
      const classes = await tlc.canonClasses(tc);
      if (classes) say(`compiled faultline's classes for TLC in ${classes}`);
    }
  } catch {
    // no java, no jar, an unwritable cache: the first check tries again
  }
}

main()
  .catch((err) => {
    say(`TLC was not fetched (${err?.message ?? err}); ${FIX}`);
  })
  .then(makeCdsArchive);
