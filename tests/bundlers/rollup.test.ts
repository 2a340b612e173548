// Rollup with @rollup/plugin-node-resolve. Rollup itself emits no assets: it
// keeps `new URL("./wasm/x.wasm", import.meta.url)` as written, relative to
// the output chunk, so the binaries must be copied beside it: one `cp -r`
// after the build (docs/bundlers.md). Without it init() fails naming that
// fix. The library's lazy imports become Rollup's own chunks.
import { join } from "node:path";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { rollup } from "rollup";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScenarioInput } from "../browser/scenario.js";
import { bundlerSuite, COPIED_THREADED_REQUESTS, COPIED_WASM_REQUESTS, expectAsNode, expectBackendError, expectThreadedAsNode, problemsBut404, runDocumentedCopy, runOutput,
  writePage,
  type AppOutcome }
  from "./harness.js";

const suite = bundlerSuite();
let emitted: string[] = [];

beforeAll(async () => {
  const dir = suite.app.dir;
  const bundle = await rollup({ input: join(dir, "main.js"), plugins: [nodeResolve({ browser: true })], logLevel: "silent" });
  try {
    const { output } = await bundle.write({ dir: join(dir, "dist"), format: "es" });
    emitted = output.map((o) => o.fileName);
  } finally {
    await bundle.close();
  }
  writePage(join(dir, "dist"), "main.js");
});

const open = (input?: ScenarioInput): Promise<AppOutcome> => runOutput(suite, "dist", input);

describe("Rollup + @rollup/plugin-node-resolve", () => {
  it("keeps the library's lazy imports as chunks of its own, and emits no binary", () => {
    for (const chunk of ["js", "model-files", "fit-loop", "hints"]) {
      expect(emitted.some((f) => f.startsWith(`${chunk}-`)), `${chunk} chunk in ${emitted.join(", ")}`).toBe(true);
    }
    expect(emitted.filter((f) => f.endsWith(".wasm"))).toEqual([]);
  });

  it("without the binaries copied: init() fails naming the copy", async () => {
    const outcome = await open();
    expectBackendError(outcome, ["/wasm/relaxed-simd-inference.wasm failed: HTTP 404", "Rollup", "cp -r node_modules/simdcnn/dist/wasm <outdir>/"]);
    expect(problemsBut404(outcome, "/wasm/relaxed-simd-inference.wasm")).toEqual([]);
  });

  it("with node_modules/simdcnn/dist/wasm copied beside the bundle, as docs/bundlers.md says: same numbers as Node", async () => {
    expect(await runDocumentedCopy(suite, "## Rollup")).toBe("cp -r node_modules/simdcnn/dist/wasm dist/");
    const outcome = await open();
    await expectAsNode(outcome, suite.input, "relaxed-simd");
    expect(outcome.requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname)).toEqual(COPIED_WASM_REQUESTS);
  });

  it("with the same copy, init({ threads: 2 }) on a COOP/COEP page finds the worker script and threaded binary in wasm/", async () => {
    const outcome = await expectThreadedAsNode(suite, "dist", "relaxed-simd");
    expect(outcome.requests.map((u) => new URL(u).pathname).filter((p) => p.startsWith("/wasm/"))).toEqual(COPIED_THREADED_REQUESTS);
  });

  it("init({ backend: 'js' }) loads the plain-JS backend's chunk and computes what Node does", async () => {
    await expectAsNode(await open({ ...suite.input, initOptions: { backend: "js" } }), suite.input, "js");
  });
});
