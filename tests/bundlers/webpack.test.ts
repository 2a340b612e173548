// webpack 5 with no configuration beyond entry and output: it follows
// `new URL("./wasm/x.wasm", import.meta.url)` (asset modules), emits the
// three binaries with hashed names and rewrites the URLs to them, and splits
// the library's lazy imports into chunks of its own. Production mode, so
// its minifier runs over the library too.
import { join } from "node:path";
import { promisify } from "node:util";
import webpack from "webpack";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScenarioInput } from "../browser/scenario.js";
import { bundlerSuite, expectAsNode, expectThreadedAsNode, runOutput, writePage, type AppOutcome }
  from "./harness.js";

const suite = bundlerSuite();
let emitted: string[] = [];

beforeAll(async () => {
  const dir = suite.app.dir;
  const compiler = webpack({
    mode: "production", context: dir, entry: "./main.js", output: { path: join(dir, "out") }, devtool: false,
  });
  const stats = await promisify(compiler.run.bind(compiler))();
  await promisify(compiler.close.bind(compiler))();
  expect(stats?.hasErrors(), stats?.toString("errors-only")).toBe(false);
  emitted = Object.keys(stats!.compilation.assets).sort();
  writePage(join(dir, "out"), "main.js", "classic");
});

const open = (input?: ScenarioInput): Promise<AppOutcome> => runOutput(suite, "out", input);

describe("webpack 5 (no configuration)", () => {
  it("emits the binaries (scalar, the SIMD builds' inference and training halves, the two threaded ones) and a chunk per lazy import", () => {
    expect(emitted.filter((f) => f.endsWith(".wasm")), "binaries emitted").toHaveLength(7);
    expect(emitted.filter((f) => f.endsWith(".js") && f !== "main.js").length, "lazy chunks").toBeGreaterThanOrEqual(6);
  });

  it("await init() fetches the relaxed SIMD halves webpack emitted (the training one on compile), and predicts and trains as Node does", async () => {
    const outcome = await open();
    await expectAsNode(outcome, suite.input, "relaxed-simd");
    const fetched = outcome.requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname.slice(1));
    expect(fetched).toHaveLength(2);
    for (const f of fetched) expect(emitted).toContain(f);
  });

  it("init({ backend: 'js' }) loads the plain-JS backend's chunk and computes what Node does", async () => {
    await expectAsNode(await open({ ...suite.input, initOptions: { backend: "js" } }), suite.input, "js");
  });

  it("init({ threads: 2 }) on a COOP/COEP page: the emitted worker chunk and threaded binary, 2 threads, Node's numbers", async () => {
    const outcome = await expectThreadedAsNode(suite, "out", "relaxed-simd");
    const fetched = outcome.requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname.slice(1));
    // The single-thread build init() tries first, then the threaded one: both emitted by webpack.
    expect(fetched).toHaveLength(2);
    for (const f of fetched) expect(emitted).toContain(f);
  });
});
