// What every bundler test does: install the packed tarball into a fresh app
// (tests/support/tarball.ts, offline), bundle app/main.js (or node-main.js)
// with the bundler's own API from this repository's node_modules (the
// bundler resolves "simdcnn" from the app, so it sees only what a user
// installs), open the output in Chromium and run the shared scenario
// (tests/browser/scenario.js: init, predict, trainOnBatch, fit), then
// compare with Node on the same binary: same bits, since it is the same
// wasm on the same inputs.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import * as simdcnn from "simdcnn";
import type { WasmVariant } from "simdcnn";
import { ramp } from "../api/models.js";
import { buildModel, INPUT_SHAPE, runScenario, type ScenarioInput, type ScenarioResult } from "../browser/scenario.js";
import * as threadsScenario from "../browser/threads-scenario.js";
import type { ThreadsInput, ThreadsResult } from "../browser/threads-scenario.js";
import { serveStatic } from "../browser/static-server.js";
import { launchChromium } from "../support/chromium.js";
import { ROOT, installTarball, type ConsumerProject } from "../support/tarball.js";

const HERE = join(ROOT, "tests", "bundlers");

/** What a bundler test file shares: one app, one Chromium, one scenario input. */
export interface BundlerSuite {
  /** A fresh app with simdcnn installed from the tarball, and the files of app/ with scenario.js. */
  app: ConsumerProject;
  browser: Browser;
  input: ScenarioInput;
}

/**
 * Registers the file's hooks: beforeAll sets up the app, the browser and
 * the input (the fields are set once it ran), afterAll closes and removes
 * what was set up. A failed set-up fails every test with its error (a
 * failing beforeAll alone would only skip them).
 */
export function bundlerSuite(): BundlerSuite {
  const suite = {} as BundlerSuite;
  let setupError: unknown;
  beforeAll(async () => {
    const [app, browser, input] = await Promise.allSettled([
      installTarball({
        "main.js": join(HERE, "app", "main.js"),
        "main-one-binary.js": join(HERE, "app", "main-one-binary.js"),
        "node-main.js": join(HERE, "app", "node-main.js"),
        "scenario.js": join(ROOT, "tests", "browser", "scenario.js"),
        "threads-scenario.js": join(ROOT, "tests", "browser", "threads-scenario.js"),
      }),
      launchChromium(),
      scenarioInput(),
    ]);
    // Kept even when another part failed, so that afterAll cleans it up.
    if (app.status === "fulfilled") suite.app = app.value;
    if (browser.status === "fulfilled") suite.browser = browser.value;
    if (input.status === "fulfilled") suite.input = input.value;
    setupError = [app, browser, input].find((r) => r.status === "rejected")?.reason;
  });
  beforeEach(() => {
    if (setupError !== undefined) throw setupError;
  });
  afterAll(async () => {
    try {
      await suite.browser?.close();
    } finally {
      suite.app?.remove();
    }
  });
  return suite;
}

/**
 * Writes `dir`/index.html loading `src`: as a module script, or as a
 * classic one (webpack's and esbuild's iife output). The empty icon keeps
 * Chromium from asking for /favicon.ico, whose 404 would be logged.
 */
export function writePage(dir: string, src: string, type: "module" | "classic" = "module"): void {
  writeFileSync(join(dir, "index.html"), `<!doctype html>\n<link rel="icon" href="data:,">\n` +
    `<script ${type === "module" ? 'type="module" ' : ""}src="${src}"></script>\n`);
}

/**
 * Runs, in the app, the `cp -r ...` line of the first sh block under
 * `heading` in docs/bundlers.md: the copy step that doc gives for the
 * bundlers that emit no assets, exactly as written there.
 */
export async function runDocumentedCopy(suite: BundlerSuite, heading: string): Promise<string> {
  const doc = readFileSync(join(ROOT, "docs", "bundlers.md"), "utf8");
  const at = doc.indexOf(`\n${heading}\n`);
  const block = at < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(doc.slice(at))?.[1];
  const command = block?.split("\n").map((l) => /\bcp -r .*/.exec(l)?.[0]).find((c) => c !== undefined);
  if (command === undefined) throw new Error(`docs/bundlers.md has no \`cp -r\` line in an sh block under ${heading}`);
  await promisify(execFile)("sh", ["-c", command], { cwd: suite.app.dir });
  return command;
}

/** The headers that make a page cross-origin isolated: only such a page has SharedArrayBuffer, so threads. */
/**
 * What a page bundled with dist/wasm/ copied beside it requests from wasm/:
 * on one thread the inference half at init() and the training half at the
 * scenario's compile; with threads the inference half, then the threaded
 * binary and the worker script (a pool worker's and the watcher's).
 */
const COPIED_WASM_REQUESTS = ["/wasm/relaxed-simd-inference.wasm", "/wasm/relaxed-simd-training.wasm"];
const COPIED_THREADED_REQUESTS = [
  "/wasm/relaxed-simd-inference.wasm", "/wasm/relaxed-simd-threads.wasm",
  "/wasm/threads-worker-browser.js", "/wasm/threads-worker-browser.js",
];

/**
 * The tests of a bundler that emits no binary (esbuild, Rollup), whose app
 * is already bundled into `<app>/dist`: the missing copy is named in the
 * error (`bundler` the name the hint gives), then the copy docs/bundlers.md
 * shows under `heading` makes the app, on one thread and on two, and the
 * plain-JS backend compute what Node does.
 */
export function copiedWasmTests(suite: BundlerSuite, bundler: string, heading: string): void {
  it("without the binaries copied: init() fails naming the copy (from the lazy hints chunk)", async () => {
    const outcome = await runOutput(suite, "dist");
    expectBackendError(outcome, ["/wasm/relaxed-simd-inference.wasm failed: HTTP 404", bundler, "cp -r node_modules/simdcnn/dist/wasm <outdir>/"]);
    expect(problemsBut404(outcome, "/wasm/relaxed-simd-inference.wasm")).toEqual([]);
  });

  it("with node_modules/simdcnn/dist/wasm copied beside the bundle, as docs/bundlers.md says: same numbers as Node", async () => {
    expect(await runDocumentedCopy(suite, heading)).toBe("cp -r node_modules/simdcnn/dist/wasm dist/");
    const outcome = await runOutput(suite, "dist");
    await expectAsNode(outcome, suite.input, "relaxed-simd");
    expect(outcome.requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname)).toEqual(COPIED_WASM_REQUESTS);
  });

  it("with the same copy, init({ threads: 2 }) on a COOP/COEP page finds the worker script and threaded binary in wasm/", async () => {
    const outcome = await expectThreadedAsNode(suite, "dist", "relaxed-simd");
    expect(outcome.requests.map((u) => new URL(u).pathname).filter((p) => p.startsWith("/wasm/"))).toEqual(COPIED_THREADED_REQUESTS);
  });

  it("init({ backend: 'js' }) loads the plain-JS backend's lazy chunk and computes what Node does", async () => {
    await expectAsNode(await runOutput(suite, "dist", { ...suite.input, initOptions: { backend: "js" } }), suite.input, "js");
  });
}

export const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/**
 * Serves the app's folder `out` (a bundler's output, with its index.html) and runs the page there;
 * with `headers` on every response (ISOLATION for threads).
 */
export async function runOutput(suite: BundlerSuite, out: string, input: ScenarioInput = suite.input,
  headers: Record<string, string> = {}): Promise<AppOutcome> {
  const server = await serveStatic({ "/": join(suite.app.dir, out) }, { headers });
  try {
    return await runInPage(suite.browser, `${server.origin}/index.html`, input);
  } finally {
    await server.close();
  }
}

/** Page problems but Chromium's own log of the 404 for `path`, an expected one. */
export function problemsBut404(outcome: AppOutcome, path: string): string[] {
  return outcome.problems.filter((p) => !(p.includes("404") && p.includes(path)));
}

const SAMPLES = 4;

/** The scenario's input: the model's weights and data are fixed ramps; init() gets `initOptions`. */
async function scenarioInput(initOptions: ScenarioInput["initOptions"] = {}): Promise<ScenarioInput> {
  await simdcnn.init({ backend: "js" });
  const model = buildModel(simdcnn);
  // Small weights keep softmax away from saturation, so the outputs differ.
  const weights = model.getWeights().map((w, i) => Array.from(ramp(w.length, 100 + i), (v) => v * 0.3));
  model.dispose();
  const [h, w, c] = INPUT_SHAPE;
  return {
    initOptions, weights, x: Array.from(ramp(SAMPLES * h * w * c, 11)), labels: [0, 2, 1, 2],
    predictCount: 2, steps: 2, epochs: 1,
  };
}

/** What a page (or a Node bundle) reports: the scenario's result, or the error init() or the app threw. */
export interface AppOutcome {
  result?: ScenarioResult;
  error?: { name: string; message: string };
  /** Page errors and console errors, in order. */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/** Opens `url` in a new context, waits for the app, runs `run` there on `input`; page errors fail. */
async function evaluateApp<I, R>(browser: Browser, url: string, run: (input: I) => Promise<R>, input: I): Promise<R> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => "app" in globalThis, undefined, { timeout: 20_000 });
    const result = await page.evaluate(run as (i: unknown) => Promise<R>, input as unknown);
    expect(problems, "errors reported by the page").toEqual([]);
    return result;
  } finally {
    await context.close();
  }
}

/** Opens `url` in a new context, waits for the app, runs the scenario on `input`. */
export async function runInPage(browser: Browser, url: string, input: ScenarioInput): Promise<AppOutcome> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console.error: ${m.text()} (at ${m.location().url})`);
    });
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction(() => "app" in globalThis, undefined, { timeout: 20_000 }).catch((e: Error) => {
      throw new Error(`${url}: the app did not start: ${e.message}\n${problems.join("\n")}`);
    });
    const outcome = await page.evaluate((i) => (globalThis as unknown as { app: { run(i: ScenarioInput): Promise<ScenarioResult> } })
      .app.run(i).then((result) => ({ result }), (e: Error) => ({ error: { name: e.name, message: e.message } })), input);
    return { ...outcome, problems, requests };
  } finally {
    await context.close();
  }
}

const nodeResults = new Map<WasmVariant | "js", Promise<ScenarioResult>>();

/** The scenario in this Node process on `backend` (relaxed SIMD behind V8's flag on Node 20). */
function inNode(input: ScenarioInput, backend: WasmVariant | "js"): Promise<ScenarioResult> {
  let result = nodeResults.get(backend);
  if (result === undefined) {
    result = runScenario(simdcnn, { ...input, initOptions: { backend, nodeRelaxedSimdFlag: backend === "relaxed-simd" } });
    nodeResults.set(backend, result);
  }
  return result;
}

/** Everything the scenario computed, without what describes the runtime (capabilities' `reason`). */
function numbers(result: ScenarioResult): Omit<ScenarioResult, "capabilities" | "initReturned"> {
  const { capabilities: _c, initReturned: _i, ...rest } = result;
  return rest;
}

/**
 * The outcome ran the scenario on `backend` without a page error and
 * computed what Node computes, to the bit (the same binary, or the same
 * plain-JS code, on the same inputs).
 */
export async function expectAsNode(outcome: AppOutcome, input: ScenarioInput, backend: WasmVariant | "js"): Promise<void> {
  expect(outcome.error, "the app's error").toBeUndefined();
  expect(outcome.problems, "errors reported by the page").toEqual([]);
  const result = outcome.result!;
  expect(result.capabilities.backend).toBe(backend);
  // Two equally broken runs would agree too: the outputs must not be constant.
  expect(new Set(result.predictions).size, "distinct predictions").toBeGreaterThan(3);
  expect(numbers(result)).toEqual(numbers(await inNode(input, backend)));
}

/**
 * `out` served cross-origin isolated runs the scenario with init({ threads: 2 }) on 2 threads, on the
 * threaded build of `backend`, and computes what Node computes on one thread, bit for bit.
 * Returns the outcome, for the requests.
 */
export async function expectThreadedAsNode(suite: BundlerSuite, out: string, backend: WasmVariant): Promise<AppOutcome> {
  const server = await serveStatic({ "/": join(suite.app.dir, out) }, { headers: ISOLATION });
  try {
    return await expectThreadedAsNodeAt(suite, `${server.origin}/index.html`, backend);
  } finally {
    await server.close();
  }
}

/** As expectThreadedAsNode, for a page already served cross-origin isolated at `url` (a dev server). */
export async function expectThreadedAsNodeAt(suite: BundlerSuite, url: string, backend: WasmVariant): Promise<AppOutcome> {
  const outcome = await runInPage(suite.browser, url, { ...suite.input, initOptions: { threads: 2 } });
  await expectAsNode(outcome, suite.input, backend);
  expect(outcome.result!.capabilities).toMatchObject({ threads: 2, binary: `${backend}-threads` });
  // The scenario's layers are too small to split: the threads workload's are not.
  const { BATCH, INPUT_SHAPE: SHAPE } = threadsScenario;
  const x = Array.from(ramp(BATCH * SHAPE[0] * SHAPE[1] * SHAPE[2], 5));
  const threaded = await evaluateApp(suite.browser, url, (i) =>
    (globalThis as unknown as { app: { runThreads(i: ThreadsInput): Promise<ThreadsResult> } }).app.runThreads(i),
    { initOptions: { threads: 2 }, x, repeats: 2 });
  expect(threaded.capabilities).toMatchObject({ backend, threads: 2, binary: `${backend}-threads` });
  const node = await threadsScenario.runThreads(simdcnn,
    { initOptions: { backend, nodeRelaxedSimdFlag: backend === "relaxed-simd" }, x, repeats: 1 });
  expect(node.capabilities.threads).toBe(1);
  for (const bits of threaded.predictions) expect(bits).toEqual(node.predictions[0]);
  return outcome;
}

/** The app failed with a BackendError whose message contains every one of `parts`. */
export function expectBackendError(outcome: AppOutcome, parts: string[]): void {
  expect(outcome.result, "the app should have failed").toBeUndefined();
  expect(outcome.error?.name).toBe("BackendError");
  for (const part of parts) expect(outcome.error?.message).toContain(part);
}
