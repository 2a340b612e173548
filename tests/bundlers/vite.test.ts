// Vite, with no configuration: `vite build` follows
// `new URL("./wasm/x.wasm", import.meta.url)`, emits the binaries to
// assets/ and rewrites the URLs; the dev server pre-bundles simdcnn into
// node_modules/.vite/deps/ and (Vite 8) rewrites the same URLs to the files
// in node_modules/simdcnn/dist/wasm/, so no optimizeDeps.exclude is needed;
// the threads worker script comes from there too, and both builds start
// 2 threads on a cross-origin-isolated page.
import { build, createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ISOLATION, bundlerSuite, expectAsNode, expectThreadedAsNode, expectThreadedAsNodeAt, runInPage, runOutput, writePage,
} from "./harness.js";

const suite = bundlerSuite();

beforeAll(() => {
  // index.html is Vite's entry, for the dev server and the build alike.
  writePage(suite.app.dir, "/main.js");
});

const wasmPaths = (requests: string[]): string[] => requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname);

describe("vite build (no configuration)", () => {
  let emitted: string[] = [];

  beforeAll(async () => {
    const output = await build({ root: suite.app.dir, configFile: false, logLevel: "silent", build: { outDir: "out" } });
    emitted = (Array.isArray(output) ? output : [output]).flatMap((o) => "output" in o ? o.output.map((f) => f.fileName) : []);
  });

  it("emits the binaries (scalar, the SIMD builds' inference and training halves, the two threaded ones), the library's lazy chunks and its threads worker", () => {
    expect(emitted.filter((f) => f.endsWith(".wasm")).length, emitted.join(", ")).toBe(7);
    expect(emitted.some((f) => /^assets\/threads-worker-browser-[\w-]+\.js$/.test(f)), emitted.join(", ")).toBe(true);
    for (const chunk of ["js", "model-files", "fit-loop", "hints", "trainer"]) {
      expect(emitted.some((f) => f.startsWith(`assets/${chunk}-`)), `${chunk} chunk in ${emitted.join(", ")}`).toBe(true);
    }
  });

  it("await init() fetches the emitted relaxed SIMD inference half, compile its training half, and predicts and trains as Node does", async () => {
    const outcome = await runOutput(suite, "out");
    await expectAsNode(outcome, suite.input, "relaxed-simd");
    const [inference, training, ...more] = wasmPaths(outcome.requests);
    expect(more).toEqual([]);
    expect(emitted).toContain(inference!.slice(1));
    expect(emitted).toContain(training!.slice(1));
    expect(inference).toMatch(/^\/assets\/relaxed-simd-inference-[\w-]+\.wasm$/);
    expect(training).toMatch(/^\/assets\/relaxed-simd-training-[\w-]+\.wasm$/);
  });

  it("init({ threads: 2 }) on a COOP/COEP page: the emitted worker script and threaded binary, 2 threads, Node's numbers", async () => {
    const outcome = await expectThreadedAsNode(suite, "out", "relaxed-simd");
    const paths = outcome.requests.map((u) => new URL(u).pathname.slice(1));
    const threaded = paths.filter((p) => /^assets\/relaxed-simd-threads-[\w-]+\.wasm$/.test(p));
    const workers = paths.filter((p) => /^assets\/threads-worker-browser-[\w-]+\.js$/.test(p));
    expect(threaded, paths.join(", ")).toHaveLength(1);
    // The pool's worker and its watcher.
    expect(workers, paths.join(", ")).toHaveLength(2);
    for (const p of [...threaded, ...workers]) expect(emitted).toContain(p);
  });
});

describe("Vite's dev server (createServer, no configuration)", () => {
  let server: ViteDevServer | undefined;
  let origin = "";

  beforeAll(async () => {
    // Cross-origin isolated (COOP/COEP on every response), so that a page may also start threads.
    server = await createServer({
      root: suite.app.dir, configFile: false, logLevel: "silent",
      server: { host: "127.0.0.1", port: 0, hmr: false, headers: ISOLATION },
    });
    await server.listen();
    origin = server.resolvedUrls!.local[0]!.replace(/\/$/, "");
  });

  afterAll(async () => {
    await server?.close();
  });

  it("pre-bundles simdcnn, fetches the binary from node_modules/simdcnn/dist/wasm/, and matches Node", async () => {
    const outcome = await runInPage(suite.browser, `${origin}/`, suite.input);
    await expectAsNode(outcome, suite.input, "relaxed-simd");
    expect(outcome.requests.some((u) => new URL(u).pathname.startsWith("/node_modules/.vite/deps/simdcnn.js")),
      "simdcnn was pre-bundled").toBe(true);
    expect(wasmPaths(outcome.requests)).toEqual(["/node_modules/simdcnn/dist/wasm/relaxed-simd-inference.wasm",
      "/node_modules/simdcnn/dist/wasm/relaxed-simd-training.wasm"]);
  });

  it("init({ threads: 2 }): the worker script and the threaded binary from node_modules/simdcnn/dist/wasm/, 2 threads, Node's numbers", async () => {
    const outcome = await expectThreadedAsNodeAt(suite, `${origin}/`, "relaxed-simd");
    const paths = outcome.requests.map((u) => new URL(u).pathname);
    // The one-thread backend first (what a failed pool start falls back on), then the threaded build.
    expect(paths.filter((p) => p.endsWith(".wasm"))).toEqual(["/node_modules/simdcnn/dist/wasm/relaxed-simd-inference.wasm",
      "/node_modules/simdcnn/dist/wasm/relaxed-simd-threads.wasm"]);
    // The pool's worker and its watcher.
    expect(paths.filter((p) => p.endsWith("/threads-worker-browser.js")), paths.join(", ")).toHaveLength(2);
  });

  it("init({ backend: 'js' }) loads the plain-JS backend's chunk and computes what Node does", async () => {
    await expectAsNode(await runInPage(suite.browser, `${origin}/`, { ...suite.input, initOptions: { backend: "js" } }), suite.input, "js");
  });
});
