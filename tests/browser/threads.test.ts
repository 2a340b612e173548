// init({ threads }) in Chromium (tests/support/chromium.ts). A page served
// with Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp is cross-origin isolated: it
// runs the threaded binary on 2 threads (a module Web Worker and the page's
// main thread, which spins rather than blocks) and must predict what Node
// predicts on one thread with the same build, bit for bit. The same page
// served without those headers runs on one thread and says why.
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as simdcnn from "simdcnn";
import type { WasmVariant } from "simdcnn";
import { ramp } from "../api/models.js";
import { launchChromium } from "../support/chromium.js";
import { serveStatic, type StaticServer } from "./static-server.js";
import { BATCH, INPUT_SHAPE, runThreads, type ThreadsInput, type ThreadsResult } from "./threads-scenario.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const HERE = fileURLToPath(new URL("./", import.meta.url));
const FIXTURE = "/tests/browser/threads-fixture.html";
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

interface FixtureWindow {
  runThreads(input: ThreadsInput): Promise<ThreadsResult>;
  runThreadsInWorker(input: ThreadsInput): Promise<ThreadsResult>;
  fixtureReady?: true;
}

const x = Array.from(ramp(BATCH * INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2], 5));
/** Predictions per run: the pool serves more than one call. */
const REPEATS = 3;

let isolated: StaticServer | null = null;
let plain: StaticServer | null = null;
/** Chromium, or why it could not start: each test then fails with it (a failing beforeAll would only skip them). */
let started: Promise<Browser | Error> = Promise.resolve(new Error("beforeAll did not run"));

beforeAll(async () => {
  const mounts = { "/dist/": DIST, "/tests/browser/": HERE };
  isolated = await serveStatic(mounts, { headers: ISOLATION });
  plain = await serveStatic(mounts);
  started = launchChromium().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
});

afterAll(async () => {
  const browser = await started;
  try {
    if (!(browser instanceof Error)) await browser.close();
  } finally {
    await isolated?.close();
    await plain?.close();
  }
});

const nodeResults = new Map<WasmVariant, number[]>();

/** One prediction in Node, on one thread, with the same build. */
async function inNode(variant: WasmVariant): Promise<number[]> {
  let bits = nodeResults.get(variant);
  if (bits === undefined) {
    const result = await runThreads(simdcnn,
      { initOptions: { backend: variant, nodeRelaxedSimdFlag: variant === "relaxed-simd" }, x, repeats: 1 });
    expect(result.capabilities).toMatchObject({ backend: variant, threads: 1, binary: variant });
    bits = result.predictions[0]!;
    nodeResults.set(variant, bits);
  }
  return bits;
}

/** Empty when the bit patterns agree; else where the first difference is and how many differ. */
function differences(inBrowser: readonly number[], node: readonly number[]): string {
  if (inBrowser.length !== node.length) return `${inBrowser.length} values in Chromium, ${node.length} in Node`;
  const differ = inBrowser.flatMap((b, i) => (b === node[i] ? [] : [i]));
  return differ.length === 0 ? "" : `${differ.length} of ${node.length} differ, first at [${differ[0]}]`;
}

describe("init({ threads }) in Chromium", () => {
  let context: BrowserContext | null = null;
  let page: Page;
  let problems: string[] = [];

  let browser: Browser;

  beforeEach(async () => {
    const launched = await started;
    if (launched instanceof Error) throw launched;
    browser = launched;
    problems = [];
  });

  afterEach(async () => {
    await context?.close();
    context = null;
    expect(problems, "errors reported by the page").toEqual([]);
  });

  async function open(server: StaticServer): Promise<void> {
    context = await browser.newContext();
    page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console.error: ${m.text()} (at ${m.location().url})`);
    });
    await page.goto(server.origin + FIXTURE);
    await page.waitForFunction(() => (window as unknown as FixtureWindow).fixtureReady === true, undefined,
      { timeout: 10_000 });
  }

  async function run(initOptions: ThreadsInput["initOptions"], where: "page" | "worker" = "page"): Promise<ThreadsResult> {
    try {
      return await page.evaluate(([input, inWorker]) => {
        const w = window as unknown as FixtureWindow;
        return inWorker ? w.runThreadsInWorker(input) : w.runThreads(input);
      }, [{ initOptions, x, repeats: REPEATS }, where === "worker"] as const);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\npage problems:\n${problems.join("\n")}`);
    }
  }

  it.each(["simd", "relaxed-simd"] as const)(
    "a cross-origin-isolated page runs '%s' on 2 threads and predicts on its main thread what Node does on one, bit for bit",
    async (variant) => {
      await open(isolated!);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      // The premise: the main thread may not block, so a pool that waited there instead of spinning would throw.
      expect(await page.evaluate(() => {
        try {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0);
          return "waited";
        } catch (e) {
          return e instanceof TypeError ? "TypeError" : String(e);
        }
      })).toBe("TypeError");
      const workers: string[] = [];
      page.on("worker", (w) => workers.push(w.url().replace(isolated!.origin, "")));
      const result = await run({ backend: variant, threads: 2 });
      for (const caps of [result.initReturned, result.capabilities]) {
        expect(caps).toMatchObject({ backend: variant, threads: 2, binary: `${variant}-threads` });
        expect(caps.reason).toMatch(/runs on 2 threads \(the calling one and 1 worker\)/);
      }
      // The pool's worker, then its watcher (the same script): it sees a worker end through the worker's Web Lock.
      expect(workers, "the pool's Web Workers").toEqual(["/dist/wasm/threads-worker-browser.js", "/dist/wasm/threads-worker-browser.js"]);
      const node = await inNode(variant);
      result.predictions.forEach((bits, i) => expect(differences(bits, node), `prediction ${i}`).toBe(""));
    });

  it("in a worker of that page (where the caller blocks instead of spinning), 2 threads predict the same", async () => {
    await open(isolated!);
    const result = await run({ backend: "simd", threads: 2 }, "worker");
    expect(result.capabilities).toMatchObject({ backend: "simd", threads: 2, binary: "simd-threads" });
    const node = await inNode("simd");
    result.predictions.forEach((bits, i) => expect(differences(bits, node), `prediction ${i}`).toBe(""));
  });

  it('"auto" takes navigator.hardwareConcurrency, at most 8', async () => {
    await open(isolated!);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const result = await run({ backend: "simd", threads: "auto" });
    expect(result.initReturned.threads).toBe(Math.min(8, cores));
  });

  it("a page without COOP / COEP runs on one thread, says why, and predicts the same", async () => {
    await open(plain!);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const result = await run({ backend: "simd", threads: 2 });
    expect(result.capabilities).toMatchObject({ backend: "simd", threads: 1, binary: "simd-inference" });
    expect(result.capabilities.reason).toMatch(/one thread, not 2: the page is not cross-origin isolated .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
    const node = await inNode("simd");
    result.predictions.forEach((bits, i) => expect(differences(bits, node), `prediction ${i}`).toBe(""));
  });
});
