// simdcnn in a real browser: Chromium (tests/support/chromium.ts: Debian's
// when installed, else the one @sparticuz/chromium ships in npm) loads dist/browser.js as an ES
// module from a local HTTP server and runs the same scenario (scenario.js)
// that Node runs on the same wasm binary. Same binary, same inputs: the
// results must agree to the bit for every variant, so a browser-only bug
// (the loader, the streaming path, fit's event-loop yield, another V8)
// cannot hide. The model-file tests (storage-scenario.js, worker.js) save
// to indexeddb:// and downloads:// in the page, load back from IndexedDB,
// an <input type=file> and URLs (also in a module worker), and check the
// IndexedDB records against tfjs' own bundles.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as simdcnn from "simdcnn";
import type { Capabilities, WasmVariant } from "simdcnn";
import { ramp } from "../api/models.js";
import { buildModel, CLASSES, INPUT_SHAPE, runScenario, type Library, type ScenarioInput, type ScenarioResult }
  from "./scenario.js";
import type * as Storage from "./storage-scenario.js";
import { serveStatic, type StaticServer } from "./static-server.js";
import { launchChromium } from "../support/chromium.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const HERE = fileURLToPath(new URL("./", import.meta.url));
/** tfjs' UMD bundles, for the pages that check our IndexedDB records against tfjs itself. */
const TFJS = fileURLToPath(new URL("../../node_modules/@tensorflow/", import.meta.url));
const FIXTURE = "/tests/browser/fixture.html";

/** What fixture.html puts on `window`, plus the record kept by `spyOnStreaming`. */
interface FixtureWindow {
  simdcnn: Library;
  runScenario(input: ScenarioInput): Promise<ScenarioResult>;
  storage: typeof Storage;
  /** tfjs, once a test has added its bundles to the page. */
  tf?: unknown;
  fixtureReady?: true;
  streamedUrls: string[];
}

const SAMPLE = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
const TRAIN_SAMPLES = 4;

/** The scenario's data, without initOptions; beforeAll fills in the weights. */
const data: Omit<ScenarioInput, "initOptions"> = {
  weights: [],
  x: Array.from(ramp(TRAIN_SAMPLES * SAMPLE, 11)),
  labels: [0, 2, 1, 2],
  predictCount: 2,
  steps: 3,
  epochs: 2,
};

let server: StaticServer | null = null;
/** The scenario's model with data.weights, saved by Node as model.json + shard and served under /models/scenario/. */
let modelsDir: string | null = null;
let browser: Browser | null = null;
/** Why Chromium could not start: each browser test fails with it (a failing beforeAll would only skip them). */
let browserError: Error | null = null;

beforeAll(async () => {
  // Deterministic weights of the model's sizes, small enough to keep softmax away from saturation.
  await simdcnn.init({ backend: "js" });
  const model = buildModel(simdcnn);
  data.weights = model.getWeights().map((w, i) => Array.from(ramp(w.length, 100 + i), (v) => v * 0.3));
  model.setWeights(data.weights.map((w) => Float32Array.from(w)));
  modelsDir = await mkdtemp(join(tmpdir(), "simdcnn-browser-models-"));
  await model.save(`file://${join(modelsDir, "scenario")}`);
  model.dispose();

  server = await serveStatic({ "/dist/": DIST, "/tests/browser/": HERE, "/tfjs/": TFJS, "/models/": modelsDir });
  try {
    if (!existsSync(`${DIST}browser.js`)) {
      throw new Error(`${DIST}browser.js is missing: run \`npm run build\` (npm test does it when stale)`);
    }
    browser = await launchChromium();
  } catch (e) {
    browserError = e instanceof Error ? e : new Error(String(e));
  }
});

afterAll(async () => {
  // The server closes even if closing the browser throws (which still fails the run).
  try {
    await browser?.close();
  } finally {
    await server?.close();
    if (modelsDir !== null) await rm(modelsDir, { recursive: true, force: true });
  }
});

const nodeResults = new Map<WasmVariant, ScenarioResult>();

/** The scenario on Node with the same binary (relaxed SIMD behind V8's flag on Node 20). */
async function runInNode(variant: WasmVariant): Promise<ScenarioResult> {
  let result = nodeResults.get(variant);
  if (result === undefined) {
    result = await runScenario(simdcnn, {
      ...data,
      initOptions: { backend: variant, nodeRelaxedSimdFlag: variant === "relaxed-simd" },
    });
    expect(result.capabilities.backend, `Node ran ${variant}`).toBe(variant);
    nodeResults.set(variant, result);
  }
  return result;
}

function f32(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

/** Empty when two float32 bit-pattern arrays are identical; else one line saying where and by how much. */
function bitDifferences(label: string, browserBits: readonly number[], nodeBits: readonly number[]): string[] {
  if (browserBits.length !== nodeBits.length) {
    return [`${label}: ${browserBits.length} values in Chromium, ${nodeBits.length} in Node`];
  }
  let count = 0;
  let first = -1;
  let maxUlps = 0;
  for (let i = 0; i < nodeBits.length; i++) {
    if (browserBits[i] === nodeBits[i]) continue;
    count++;
    if (first < 0) first = i;
    // Same-sign float32 bit patterns are ordered: their difference counts the ulps between them.
    maxUlps = Math.max(maxUlps, Math.abs(browserBits[i]! - nodeBits[i]!));
  }
  return count === 0 ? [] : [`${label}: ${count} of ${nodeBits.length} differ, first [${first}] ` +
    `${f32(browserBits[first]!)} (Chromium) vs ${f32(nodeBits[first]!)} (Node), up to ${maxUlps} ulps`];
}

function numberDifferences(label: string, inBrowser: readonly number[], node: readonly number[]): string[] {
  const same = inBrowser.length === node.length && inBrowser.every((v, i) => Object.is(v, node[i]));
  return same ? [] : [`${label}: [${inBrowser.join(", ")}] (Chromium) vs [${node.join(", ")}] (Node)`];
}

function expectBitwiseEqual(inBrowser: ScenarioResult, node: ScenarioResult): void {
  const differences = [
    ...bitDifferences("predictions", inBrowser.predictions, node.predictions),
    ...numberDifferences("trainOnBatch losses", inBrowser.stepLosses, node.stepLosses),
    ...numberDifferences("fit losses", inBrowser.fitLosses, node.fitLosses),
    ...bitDifferences("predictions after training", inBrowser.trainedPredictions, node.trainedPredictions),
    ...(inBrowser.weights.length === node.weights.length
      ? inBrowser.weights.flatMap((w, i) => bitDifferences(`trained weights[${i}]`, w, node.weights[i]!))
      : [`${inBrowser.weights.length} weight arrays in Chromium, ${node.weights.length} in Node`]),
  ];
  expect(differences, "Chromium vs Node on the same binary").toEqual([]);
}

/** Two equally broken runs would agree too: the numbers must also look like a model that learns. */
function expectPlausible(result: ScenarioResult): void {
  const probs = result.predictions.map(f32);
  expect(probs).toHaveLength(data.predictCount * CLASSES);
  for (let row = 0; row < data.predictCount; row++) {
    const p = probs.slice(row * CLASSES, (row + 1) * CLASSES);
    for (const v of p) expect(v).toBeGreaterThan(0);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  }
  expect(probs.slice(0, CLASSES), "the two samples get different outputs").not.toEqual(probs.slice(CLASSES));
  const losses = [...result.stepLosses, ...result.fitLosses];
  expect(losses).toHaveLength(data.steps + data.epochs);
  for (const loss of losses) expect(Number.isFinite(loss) && loss > 0, `loss ${loss}`).toBe(true);
  expect(result.stepLosses[data.steps - 1]!).toBeLessThan(result.stepLosses[0]!);
  expect(result.trainedPredictions).not.toEqual(result.predictions);
  const initial = data.weights.map((w) => Array.from(new Uint32Array(Float32Array.from(w).buffer)));
  result.weights.forEach((w, i) => expect(w, `weights[${i}] were trained`).not.toEqual(initial[i]));
}

function expectCapabilities(caps: Capabilities, backend: WasmVariant): void {
  expect(caps).toMatchObject({ backend, simd: true, relaxedSimd: true, threads: 1 });
  expect(caps.reason).toMatch(/\w/);
}

describe("the test server", () => {
  /** Status and content type of a GET whose path is sent verbatim (fetch would resolve "..", even as %2e%2e). */
  function get(path: string): Promise<[number | undefined, string | undefined]> {
    return new Promise((ok, fail) => {
      const req = request(server!.origin + "/", { path }, (res) => {
        res.resume();
        res.on("end", () => ok([res.statusCode, res.headers["content-type"]]));
      });
      req.on("error", fail);
      req.end();
    });
  }

  it("serves dist/ and the fixtures with their content types, and 404s everything else", async () => {
    expect(await get("/dist/browser.js")).toEqual([200, "text/javascript; charset=utf-8"]);
    expect(await get("/dist/wasm/simd.wasm")).toEqual([200, "application/wasm"]);
    expect(await get(FIXTURE)).toEqual([200, "text/html; charset=utf-8"]);
    expect(await get("/tests/browser/scenario.js?v=1")).toEqual([200, "text/javascript; charset=utf-8"]);
    expect(await get("/models/scenario/model.json")).toEqual([200, "application/json"]);
    expect(await get("/models/scenario/group1-shard1of1.bin")).toEqual([200, "application/octet-stream"]);
    for (const path of ["/package.json", "/dist/", "/dist/types/src/index.d.ts", "/dist/wasm/none.wasm",
      "/dist/../package.json", "/dist/%2e%2e/package.json", "/dist/wasm/..%2f..%2fpackage.json",
      "/dist/../tests/browser/fixture.html", "/tests/browser/../../dist/browser.js",
      "/tests/browser/%2e%2e/%2e%2e/dist/browser.js", "/dist//etc/passwd.js", "/dist/%00.js", "/dist/%zz.js"]) {
      expect((await get(path))[0], path).toBe(404);
    }
  });
});

describe("dist/browser.js in Chromium", () => {
  let context: BrowserContext | null = null;
  let page: Page;
  /** pageerror events and console errors of the current page, in order. */
  let problems: string[] = [];

  beforeEach(async () => {
    if (browserError !== null) throw browserError;
    if (browser === null || server === null) throw new Error("beforeAll did not start the browser and the server");
    problems = [];
    context = await browser.newContext();
    page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console.error: ${m.text()} (at ${m.location().url})`);
    });
    await page.addInitScript(spyOnStreaming);
    await page.goto(server.origin + FIXTURE);
    await page.waitForFunction(() => (window as unknown as FixtureWindow).fixtureReady === true, undefined,
      { timeout: 10_000 }).catch((e: Error) => {
      throw new Error(`${FIXTURE} did not load dist/browser.js: ${e.message}\n${problems.join("\n")}`);
    });
  });

  afterEach(async () => {
    await context?.close();
    context = null;
    expect(problems, "errors reported by the page").toEqual([]);
  });

  /**
   * Runs in the page before its scripts: records the URL of every response
   * handed to WebAssembly.instantiateStreaming, so a test sees which binary
   * init() fetched and that it compiled while streaming (which takes the
   * server's application/wasm; the library buffers the bytes otherwise).
   */
  function spyOnStreaming(): void {
    const w = window as unknown as FixtureWindow;
    const original = WebAssembly.instantiateStreaming.bind(WebAssembly);
    w.streamedUrls = [];
    WebAssembly.instantiateStreaming = async (source, imports) => {
      const response = await source;
      w.streamedUrls.push(response.url);
      return original(response, imports);
    };
  }

  /** A page.evaluate call, with the page's own errors added to a failure. */
  async function inPage<R>(evaluate: () => Promise<R>): Promise<R> {
    try {
      return await evaluate();
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\npage problems:\n${problems.join("\n")}`);
    }
  }

  function runInChromium(initOptions: ScenarioInput["initOptions"]): Promise<ScenarioResult> {
    return inPage(() => page.evaluate((input) => (window as unknown as FixtureWindow).runScenario(input),
      { ...data, initOptions }));
  }

  function streamedUrls(): Promise<string[]> {
    return inPage(() => page.evaluate(() => (window as unknown as FixtureWindow).streamedUrls));
  }

  it("init() picks relaxed-simd, fetches it next to the bundle, and matches Node bit for bit", async () => {
    const inBrowser = await runInChromium({});
    expectCapabilities(inBrowser.initReturned, "relaxed-simd");
    expectCapabilities(inBrowser.capabilities, "relaxed-simd");
    expect(inBrowser.initReturned.binary).toBe("relaxed-simd-inference");
    // The inference half at init(), the training half at the scenario's compile.
    expect(await streamedUrls(), "binaries given to instantiateStreaming").toEqual(halves("relaxed-simd"));
    expectPlausible(inBrowser);
    expectBitwiseEqual(inBrowser, await runInNode("relaxed-simd"));
  });

  /** What a page that predicts, then trains, streams: the scalar build is whole, the others come in halves. */
  function halves(variant: WasmVariant): string[] {
    const url = (file: string): string => `${server!.origin}/dist/wasm/${file}.wasm`;
    return variant === "scalar" ? [url("scalar")] : [url(`${variant}-inference`), url(`${variant}-training`)];
  }

  it("a page that only predicts fetches neither the training half nor the Trainer; compile() does", async () => {
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url().replace(server!.origin, "").replace(/-[\w-]{8}\.js$/, "")));
    const outcome = await inPage(() => page.evaluate(async () => {
      const lib = (window as unknown as FixtureWindow).simdcnn;
      await lib.init({ backend: "simd" });
      const model = new lib.Sequential([new lib.Dense({ units: 2, activation: "softmax" })], { inputShape: [3] });
      const x = new Float32Array([1, 2, 3]);
      model.predict(x);
      await new Promise((ok) => setTimeout(ok, 100));
      const beforeCompile = lib.capabilities().binary;
      const compiled = model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
      let early = "";
      try {
        model.trainOnBatch(x, [1]);
      } catch (e) {
        early = `${(e as Error).name}: ${(e as Error).message}`;
      }
      await compiled;
      const loss = model.trainOnBatch(x, [1]).loss;
      model.dispose();
      return { beforeCompile, early, loss };
    }));
    expect(outcome.beforeCompile).toBe("simd-inference");
    expect(outcome.early).toMatch(/^BackendError: .*`await model.compile\(\.\.\.\)` before trainOnBatch\(\)/);
    expect(Number.isFinite(outcome.loss)).toBe(true);
    const fetched = requested.filter((u) => u.startsWith("/dist/wasm/") || u.startsWith("/dist/chunks/"));
    // The two on compile load side by side, in either order.
    expect(fetched[0]).toBe("/dist/wasm/simd-inference.wasm");
    expect(fetched.slice(1).sort()).toEqual(["/dist/chunks/trainer", "/dist/wasm/simd-training.wasm"]);
  });

  it.each(["relaxed-simd", "simd", "scalar"] as const)(
    "init({ backend: '%s' }) runs that binary and matches Node bit for bit", async (variant) => {
      const inBrowser = await runInChromium({ backend: variant });
      expectCapabilities(inBrowser.initReturned, variant);
      expectCapabilities(inBrowser.capabilities, variant);
      expect(await streamedUrls(), "binaries given to instantiateStreaming").toEqual(halves(variant));
      expectPlausible(inBrowser);
      expectBitwiseEqual(inBrowser, await runInNode(variant));
    });

  it("the first load fetches no lazy chunk but fit's loop; backend 'js', save and loadModel fetch theirs from dist/chunks/", async () => {
    // The split of dist/ (docs/architecture.md, "The package"): what a page
    // downloads for init() and a wasm model is browser.js and one binary;
    // training adds the Trainer's chunk and the training half.
    const requested: string[] = [];
    page.on("request", (r) => requested.push(r.url().replace(server!.origin, "")));
    const chunks = (): string[] => requested.filter((u) => u.startsWith("/dist/chunks/"));
    const first = await runInChromium({ backend: "simd" });
    expectPlausible(first);
    // The scenario predicts and trains: the Trainer and fit's loop are the chunks it needs.
    const named = (): string[] => chunks().map((u) => u.replace(/-[\w-]{8}\.js$/, "")).sort();
    expect(named(), "chunks fetched by init(), predict and fit").toEqual(["/dist/chunks/fit-loop", "/dist/chunks/trainer"]);
    requested.length = 0;
    const outcome = await inPage(() => page.evaluate(async () => {
      const lib = (window as unknown as FixtureWindow).simdcnn;
      await lib.init({ backend: "js" });
      const backend = lib.capabilities().backend;
      const model = new lib.Sequential([new lib.Dense({ units: 2 })], { inputShape: [3] });
      const { modelJson, weights } = await model.save();
      const copy = await lib.loadModel(modelJson, weights);
      const same = copy.getWeights().every((w, i) => w.every((v, j) => Object.is(v, model.getWeights()[i]![j])));
      model.dispose();
      copy.dispose();
      return { backend, same };
    }));
    expect(outcome).toEqual({ backend: "js", same: true });
    expect(named(), "chunks fetched on use")
      .toEqual(["/dist/chunks/files", "/dist/chunks/js", "/dist/chunks/model-files"]);
  });

  it("init({ wasm: url }) fetches the binary at that URL", async () => {
    // The query string marks the request as the caller's, not the default loader's.
    const url = "/dist/wasm/simd.wasm?from=init-option";
    const inBrowser = await runInChromium({ wasm: url, backend: "simd" });
    expectCapabilities(inBrowser.capabilities, "simd");
    expect(await streamedUrls(), "binaries given to instantiateStreaming").toEqual([server!.origin + url]);
    expectBitwiseEqual(inBrowser, await runInNode("simd"));
  });

  it("init({ wasm: url }) rejects a 404 with a BackendError naming the URL and the status", async () => {
    const url = "/dist/wasm/missing.wasm";
    const outcome = await inPage(() => page.evaluate(async (wasm) => {
      const lib = (window as unknown as FixtureWindow).simdcnn;
      await lib.init({ backend: "scalar" });
      try {
        await lib.init({ wasm, backend: "simd" });
        return { rejected: false, backendAfter: lib.capabilities().backend };
      } catch (e) {
        return {
          rejected: true,
          isBackendError: e instanceof lib.BackendError,
          isCnnError: e instanceof lib.CnnError,
          name: (e as Error).name,
          message: (e as Error).message,
          backendAfter: lib.capabilities().backend,
        };
      }
    }, url));
    // Chromium logs the failed request itself: that one error is expected, no other.
    const logged = problems.filter((p) => p.includes("404") && p.includes(server!.origin + url));
    problems = problems.filter((p) => !logged.includes(p));
    expect(logged, "Chromium's own log of the 404").toHaveLength(1);
    expect(outcome).toMatchObject({ rejected: true, isBackendError: true, isCnnError: true, name: "BackendError" });
    expect(outcome.message).toContain(url);
    expect(outcome.message).toMatch(/\b404\b/);
    expect(outcome.backendAfter, "a failed init() keeps the previous backend").toBe("scalar");
  });

  it("init() rejects a missing default binary with a BackendError naming the URL it tried", async () => {
    // As when a bundler did not copy dist/wasm/ next to the bundle.
    const url = `${server!.origin}/dist/wasm/relaxed-simd-inference.wasm`;
    await page.route(url, (route) => route.fulfill({ status: 404, body: "not found" }));
    const outcome = await inPage(() => page.evaluate(async () => {
      const lib = (window as unknown as FixtureWindow).simdcnn;
      try {
        await lib.init();
        return { rejected: false, message: "" };
      } catch (e) {
        return { rejected: true, isBackendError: e instanceof lib.BackendError, message: (e as Error).message };
      }
    }));
    const logged = problems.filter((p) => p.includes("404"));
    problems = problems.filter((p) => !logged.includes(p));
    expect(logged, "Chromium's own log of the 404").toHaveLength(1);
    expect(outcome).toMatchObject({ rejected: true, isBackendError: true });
    expect(outcome.message).toContain(`'relaxed-simd' wasm build from ${url} failed: HTTP 404`);
    expect(outcome.message).toContain("init({ wasm })");
    // The hint for a page served as is (not Vite's dev server): copy wasm/ next to the bundle.
    expect(outcome.message).toContain("Copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle");
  });

  describe("model files: indexeddb://, downloads:// and File input", () => {
    const input = (name: string): Storage.StorageInput => ({ ...data, name });
    const weightBytes = (): number => data.weights.reduce((n, w) => n + w.length, 0) * 4;

    async function addTfjs(): Promise<void> {
      for (const bundle of ["tfjs-core/dist/tf-core.min.js", "tfjs-backend-cpu/dist/tf-backend-cpu.min.js",
        "tfjs-layers/dist/tf-layers.min.js"]) {
        await page.addScriptTag({ url: `${server!.origin}/tfjs/${bundle}` });
      }
    }

    function expectClose(ours: number[], tfjs: number[], label: string): void {
      expect(ours.length, label).toBe(tfjs.length);
      expect(ours.length, label).toBeGreaterThan(0);
      ours.forEach((v, i) => expect(Math.abs(v - tfjs[i]!), `${label} [${i}]: ${v} vs ${tfjs[i]}`).toBeLessThan(1e-5));
    }

    it("save('indexeddb://…') stores tfjs' layout; loadModel('indexeddb://…') predicts the same, bit for bit", async () => {
      const r = await inPage(() => page.evaluate((i) => (window as unknown as FixtureWindow).storage
        .indexedDbRoundTrip((window as unknown as FixtureWindow).simdcnn, i), input("round-trip")));
      expect(r.files).toEqual(["indexeddb://round-trip"]);
      expect(r.loadedPredictions).toEqual(r.predictions);
      // The stored model is the scenario's: Node predicts the same with those weights.
      expect(r.predictions).toEqual((await runInNode("relaxed-simd")).predictions);
      expect(r.record).toMatchObject({
        version: 1, stores: ["model_info_store", "models_store"], keyPaths: ["modelPath", "modelPath"],
        modelKeys: ["modelArtifacts", "modelArtifactsInfo", "modelPath"],
        artifactKeys: ["convertedBy", "format", "generatedBy", "modelTopology", "weightData", "weightSpecs"],
        weightDataIsArrayBuffer: true, weightDataBytes: weightBytes(), topologyClass: "Sequential",
        infoKeys: ["modelArtifactsInfo", "modelPath"], dateSavedIsDate: true,
        sizes: { modelTopologyType: "JSON", weightDataBytes: weightBytes() },
      });
      expect(r.record.weightSpecNames).toHaveLength(data.weights.length);
      for (const n of r.record.weightSpecNames) expect(n).toMatch(/^\w+\/(kernel|bias)$/);
      expect(r.record.sizes.modelTopologyBytes).toBeGreaterThan(100);
      expect(r.record.sizes.weightSpecsBytes).toBeGreaterThan(100);

      const missing = await inPage(() => page.evaluate((name) => (window as unknown as FixtureWindow).storage
        .loadMissing((window as unknown as FixtureWindow).simdcnn, name), "never-saved"));
      expect(missing).toMatchObject({ rejected: true, name: "Error" });
      expect(missing.message).toContain("indexeddb://never-saved: IndexedDB holds no model of that name");
    });

    it("tfjs loads our indexeddb:// save, and we load tfjs' (a SeparableConv2D with depthMultiplier 2 among it)", async () => {
      await addTfjs();
      const ours = await inPage(() => page.evaluate((i) => {
        const w = window as unknown as FixtureWindow;
        return w.storage.tfjsLoadsOurs(w.simdcnn, w.tf, i);
      }, input("ours-for-tfjs")));
      expectClose(ours.ours, ours.tfjs, "ours saved, tfjs loaded");
      const theirs = await inPage(() => page.evaluate((i) => {
        const w = window as unknown as FixtureWindow;
        return w.storage.oursLoadsTfjs(w.simdcnn, w.tf, i);
      }, input("tfjs-for-ours")));
      expectClose(theirs.ours, theirs.tfjs, "tfjs saved, ours loaded");
    });

    it("a fit resumed from indexeddb:// (with the optimizer) equals the uninterrupted one, bit for bit", async () => {
      const r = await inPage(() => page.evaluate((i) => (window as unknown as FixtureWindow).storage
        .resumeThroughIndexedDb((window as unknown as FixtureWindow).simdcnn, i), input("checkpoint")));
      expect(r.straight).not.toEqual(r.beforeFit);
      expect(r.resumed).toEqual(r.straight);
      // Without the optimizer's state, Adam starts over and lands elsewhere.
      expect(r.restarted).not.toEqual(r.straight);
    });

    it("in a module worker: loadModel(url), fetched modelJson + shards, and indexeddb:// predict as Node does", async () => {
      const r = await inPage(() => page.evaluate((message) => new Promise<Record<string, unknown>>((resolve, reject) => {
        const worker = new Worker("/tests/browser/worker.js", { type: "module" });
        worker.onmessage = (e) => {
          worker.terminate();
          resolve(e.data as Record<string, unknown>);
        };
        worker.onerror = (e) => {
          worker.terminate();
          reject(new Error(`worker: ${e.message}`));
        };
        worker.postMessage(message);
      }), { modelUrl: "/models/scenario/model.json", x: data.x, predictCount: data.predictCount }));
      expect(r["error"]).toBeUndefined();
      const node = (await runInNode("relaxed-simd")).predictions;
      expect(r["byLoader"], "loadModel(url)").toEqual(node);
      expect(r["byHand"], "loadModel(modelJson, shards)").toEqual(node);
      expect(r["fromIndexedDb"], "indexeddb:// in a worker").toEqual(node);
      expect(r["downloads"]).toMatchObject({ name: "ConfigError" });
      expect((r["downloads"] as { message: string }).message).toMatch(/downloads:\/\/ scheme needs a page .*in a worker use "indexeddb:\/\/<name>"/);
    });

    it("save('downloads://…') downloads name.json and name.weights.bin, which load back from an <input type=file> and on Node", async () => {
      const name = "my-model";
      const caught = Promise.all([`${name}.json`, `${name}.weights.bin`].map((file) =>
        page.waitForEvent("download", { predicate: (d) => d.suggestedFilename() === file, timeout: 10_000 })));
      const saved = await inPage(() => page.evaluate((i) => (window as unknown as FixtureWindow).storage
        .saveDownloads((window as unknown as FixtureWindow).simdcnn, i), input(name)));
      const [jsonDownload, binDownload] = await caught;
      expect(await jsonDownload!.failure()).toBeNull();
      expect(await binDownload!.failure()).toBeNull();
      const json = await readFile(await jsonDownload!.path());
      const bin = await readFile(await binDownload!.path());
      expect(saved.files).toEqual([`${name}.json`, `${name}.weights.bin`]);
      expect(saved.manifestPaths).toEqual([[`./${name}.weights.bin`]]);
      const modelJson = JSON.parse(json.toString("utf8")) as { format: string; weightsManifest: { paths: string[] }[] };
      expect(modelJson.format).toBe("layers-model");
      expect(modelJson.weightsManifest.map((g) => g.paths)).toEqual([[`./${name}.weights.bin`]]);
      expect(bin.byteLength).toBe(weightBytes());

      // Picked back up in the page, as a user would.
      await page.setInputFiles("#model-files", [
        { name: `${name}.json`, mimeType: "application/json", buffer: json },
        { name: `${name}.weights.bin`, mimeType: "application/octet-stream", buffer: bin },
      ]);
      const picked = await inPage(() => page.evaluate((i) => (window as unknown as FixtureWindow).storage
        .loadPickedFiles((window as unknown as FixtureWindow).simdcnn, i), { x: data.x, predictCount: data.predictCount }));
      expect(picked.names).toEqual([`${name}.json`, `${name}.weights.bin`]);
      expect(picked.predictions).toEqual(saved.predictions);

      // And on Node, as File objects and as modelJson + weights, on the page's binary.
      await simdcnn.init({ backend: "relaxed-simd", nodeRelaxedSimdFlag: true });
      const xs = Float32Array.from(data.x).subarray(0, data.predictCount * SAMPLE);
      const bitsOf = (m: Awaited<ReturnType<typeof simdcnn.loadModel>>): number[] => {
        const y = m.predict(xs);
        return Array.from(new Uint32Array(Float32Array.from((Array.isArray(y) ? y[0]! : y).toArray()).buffer));
      };
      for (const loaded of [
        await simdcnn.loadModel([new File([bin], `${name}.weights.bin`), new File([json], `${name}.json`)]),
        await simdcnn.loadModel(json.toString("utf8"), new Uint8Array(bin)),
      ]) {
        expect(bitsOf(loaded)).toEqual(saved.predictions);
        loaded.dispose();
      }
    });
  });
});
