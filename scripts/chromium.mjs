// The one way the tests and `npm run bench:browser` start Chromium (driven
// by playwright-core, which downloads no browser; types in chromium.d.mts).
// Two browsers qualify:
//   - "system": Debian's /usr/bin/chromium, when the machine has it;
//   - "sparticuz": the @sparticuz/chromium devDependency, a headless
//     Chromium shipped inside the npm package (brotli-packed) with the
//     libraries it links but glibc and libgcc: `npm install` alone brings
//     it, so a fresh machine runs the browser tests too.
// By default the system one when present, else the packaged one;
// SIMDCNN_CHROMIUM=system or =sparticuz forces one. Either failing to start
// is an error naming what was tried, never a skip.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * Which browser to launch: SIMDCNN_CHROMIUM when set, else the system one if installed.
 * @param {string | undefined} [env]
 * @returns {"system" | "sparticuz"}
 */
export function chromiumSource(env = process.env["SIMDCNN_CHROMIUM"]) {
  if (env === "system" || env === "sparticuz") return env;
  if (env !== undefined && env !== "") {
    throw new Error(`SIMDCNN_CHROMIUM=${env}: expected "system" (${SYSTEM_CHROMIUM}) or "sparticuz" (@sparticuz/chromium)`);
  }
  return existsSync(SYSTEM_CHROMIUM) ? "system" : "sparticuz";
}

/** @param {number} ms */
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Runs `work` while holding a lock shared by every process on the machine
 * (a directory: mkdir is atomic). A lock older than `staleMs` was left by
 * a process that died holding it and is broken.
 */
async function withMachineLock(name, staleMs, work) {
  const lock = join(tmpdir(), name);
  const deadline = Date.now() + 2 * staleMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleMs) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lock}`);
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Inflates the packaged Chromium into os.tmpdir(). Its executablePath()
 * writes /tmp/chromium (plus fonts and SwiftShader) and returns at once
 * when /tmp/chromium exists, even while another process is still writing
 * it: test files run in parallel processes (and other checkouts on the
 * machine share /tmp), so the first inflates under a lock and leaves a
 * marker naming the package version; the others wait for the lock and see
 * the marker. al2023.tar.br holds the NSS, NSPR and expat libraries the
 * browser links (unpacked by the package itself only on Amazon Linux):
 * with them on LD_LIBRARY_PATH it needs nothing from the system but glibc
 * and libgcc, which a machine without Debian's chromium may lack otherwise.
 */
export async function packagedChromium() {
  const { default: Chromium, inflate } = await import("@sparticuz/chromium");
  const pkg = fileURLToPath(new URL("../node_modules/@sparticuz/chromium/", import.meta.url));
  const { version } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const marker = join(tmpdir(), `simdcnn-sparticuz-chromium-${version}.ready`);
  return withMachineLock("simdcnn-sparticuz-chromium.lock", 120_000, async () => {
    if (!existsSync(marker)) {
      // Whatever is there was cut short or is another version: inflate afresh.
      for (const old of ["chromium", "al2023"]) rmSync(join(tmpdir(), old), { recursive: true, force: true });
    }
    const executablePath = await Chromium.executablePath();
    const libDir = join(await inflate(join(pkg, "bin", "al2023.tar.br")), "lib");
    if (!existsSync(marker)) writeFileSync(marker, `${executablePath}\n${libDir}\n`);
    return { executablePath, libDir };
  });
}

/** The executable of `source`, and the environment it needs. */
async function executableFor(source) {
  if (source === "sparticuz") {
    const { executablePath, libDir } = await packagedChromium();
    const inherited = process.env["LD_LIBRARY_PATH"];
    return { executablePath, env: { LD_LIBRARY_PATH: inherited ? `${libDir}:${inherited}` : libDir } };
  }
  if (!existsSync(SYSTEM_CHROMIUM)) {
    throw new Error(`${SYSTEM_CHROMIUM} is missing (SIMDCNN_CHROMIUM=system asks for it): install it with ` +
      "`apt-get install chromium`, or unset SIMDCNN_CHROMIUM to use the @sparticuz/chromium devDependency");
  }
  return { executablePath: SYSTEM_CHROMIUM };
}

/**
 * A headless Chromium from `source` (default: chromiumSource()).
 * @throws with the executable tried and the launch error, so a test that needs a browser fails saying why.
 */
export async function launchChromium(source = chromiumSource()) {
  let executablePath = "(not found)";
  try {
    const found = await executableFor(source);
    executablePath = found.executablePath;
    // No sandbox: the tests often run as root in a container, where Chromium's sandbox cannot start.
    return await chromium.launch({
      executablePath, args: ["--no-sandbox"], headless: true,
      ...(found.env === undefined ? {} : { env: { ...process.env, ...found.env } }),
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`cannot start Chromium (${source}: ${executablePath}): ${why}\n` +
      `The browser tests use ${SYSTEM_CHROMIUM} when present, else @sparticuz/chromium from node_modules ` +
      "(run `npm install`); SIMDCNN_CHROMIUM=system|sparticuz picks one.");
  }
}
