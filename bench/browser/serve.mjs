// Serves the browser bench page and runs it in a Chromium that the caller
// launched (scripts/chromium.mjs): shared by `npm run bench:browser`
// (run.mjs) and the Chromium test (tests/browser/bench-page.test.ts).
//
// The page's bench code is bundled here with esbuild from node_modules into
// a temporary folder (nothing is fetched), and served with the COOP / COEP
// headers that make the page cross-origin isolated: without them neither
// library may share memory with a worker, and both would run on one thread.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { serveStatic } from "../../scripts/static-server.mjs";
import { TFJS_WASM_URL } from "./contestants.mjs";

const here = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/**
 * Bundles the page and serves it with dist/ and TF.js' binaries.
 * @throws when dist/ is not built or the bundle fails.
 */
export async function serveBenchPage() {
  const dist = here("../../dist/");
  if (!existsSync(join(dist, "browser.js"))) throw new Error("dist/browser.js is missing: run `npm run build` first");
  const bundle = await mkdtemp(join(tmpdir(), "simdcnn-bench-page-"));
  try {
    await build({
      entryPoints: [here("./page.mjs")], outfile: join(bundle, "page.js"),
      bundle: true, format: "esm", platform: "browser", target: "es2022", logLevel: "error",
    });
    const server = await serveStatic({
      "/bench/": here("./"),
      "/bundle/": bundle,
      "/dist/": dist,
      [TFJS_WASM_URL]: here("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/"),
    }, { headers: ISOLATION });
    return {
      url: `${server.origin}/bench/page.html`,
      close: async () => {
        await server.close();
        await rm(bundle, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(bundle, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Opens `url` in a new context of `browser`, runs the bench with `options`
 * and returns its result. Progress lines go to `onLog`; an error the page
 * reports (an uncaught exception, console.error) fails the run with it.
 */
export async function runBenchPage(browser, url, options, onLog = () => {}) {
  const context = await browser.newContext();
  const problems = [];
  let result;
  let failure = null;
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
      else if (m.text().startsWith("[bench] ")) onLog(m.text().slice("[bench] ".length));
    });
    await page.goto(url);
    await page.waitForFunction(() => window.benchReady === true, undefined, { timeout: 30_000 });
    result = await page.evaluate((o) => window.runBench({ ...o, log: (line) => console.log(`[bench] ${line}`) }), options);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  } finally {
    await context.close();
  }
  if (failure !== null || problems.length > 0) {
    throw new Error([failure ?? "the page finished, but reported errors:", ...problems].join("\n"));
  }
  return result;
}
