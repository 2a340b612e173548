// The workerd entry as a Cloudflare Worker gets it: plain-worker.mjs imports
// "simdcnn" by name and calls a plain `await init()`. It is bundled the way
// wrangler bundles a Worker (esbuild, the "workerd" export condition first,
// every `.wasm` import left external under a content-hash name and uploaded
// as a module of wasm type, wrangler's CompiledWasm rule), then served by the
// real workerd. Its predictions must equal Node's to the bit (same
// relaxed-SIMD binary on the same CPU).
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import * as simdcnn from "simdcnn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedFrom } from "../support/rng.js";
import { runScenario, type ScenarioResult } from "./scenario.mjs";
import { startWorkerd, type WorkerModule, type WorkerdServer } from "./workerd-server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HERE = fileURLToPath(new URL(".", import.meta.url));
const SEED = seedFrom("tests/edge/wrangler-bundle");
const KiB = 1024;

let server: WorkerdServer | undefined;
let project = "";
const wasmModules = new Map<string, string>();
let bundleBytes = 0;

/** wrangler's CompiledWasm rule: `*.wasm` and `*.wasm?module` imports become wasm modules named `<sha1>-<file>`. */
const compiledWasm: Plugin = {
  name: "compiled-wasm",
  setup(b) {
    b.onResolve({ filter: /\.wasm(\?module)?$/ }, (args) => {
      const file = resolve(args.resolveDir, args.path.replace(/\?module$/, ""));
      const name = `${createHash("sha1").update(readFileSync(file)).digest("hex")}-${basename(file)}`;
      wasmModules.set(name, file);
      return { path: `./${name}`, external: true };
    });
  },
};

async function ask<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server!.url}${path}`, {
    method: "POST", body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000),
  });
  const answer = JSON.parse(await response.text()) as T & { error?: { name: string; message: string; stack: string } };
  if (answer.error !== undefined) {
    throw new Error(`inside workerd ${path} threw ${answer.error.name}: ${answer.error.message}\n${answer.error.stack}\n` +
      `--- workerd output ---\n${server!.logs()}`);
  }
  return answer;
}

describe("a Worker bundled as wrangler bundles it, calling plain `await init()`", () => {
  beforeAll(async () => {
    // A user's project: the worker, and simdcnn installed in node_modules (a link to this package).
    project = mkdtempSync(join(tmpdir(), "simdcnn-wrangler-"));
    mkdirSync(join(project, "node_modules"));
    symlinkSync(ROOT, join(project, "node_modules", "simdcnn"), "dir");
    for (const f of ["plain-worker.mjs", "scenario.mjs"]) copyFileSync(join(HERE, f), join(project, f));
    const outfile = join(project, "out", "worker.js");
    await build({
      entryPoints: [join(project, "plain-worker.mjs")],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      minify: true,
      plugins: [compiledWasm],
      logLevel: "silent",
    });
    bundleBytes = readFileSync(outfile).length;
    const modules: WorkerModule[] = [
      ["worker.js", outfile, "esModule"],
      ...[...wasmModules].map(([name, file]): WorkerModule => [name, file, "wasm"]),
    ];
    server = await startWorkerd(modules);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (project !== "") rmSync(project, { recursive: true, force: true });
  });

  it("resolves the workerd entry, which imports the relaxed-SIMD and SIMD binaries as wasm modules", () => {
    const files = [...wasmModules.values()].map((f) => basename(f)).sort();
    expect(files).toEqual(["relaxed-simd.wasm", "simd.wasm"]);
    // What a Worker pays: the minified JS plus the two modules (gzip, as Cloudflare counts the size limit).
    const js = gzipSync(readFileSync(join(project, "out", "worker.js")), { level: 9 }).length;
    const wasm = [...wasmModules.values()].map((f) => gzipSync(readFileSync(f), { level: 9 }).length);
    const total = js + wasm.reduce((s, n) => s + n, 0);
    console.log(`worker bundle: ${bundleBytes} bytes minified JS (${js} gzipped) + wasm ` +
      `${[...wasmModules.values()].map((f, i) => `${basename(f)} ${readFileSync(f).length} (${wasm[i]} gzipped)`).join(", ")}` +
      ` = ${total} bytes gzipped`);
    expect(total).toBeLessThan(96 * KiB);
  });

  it("`await init()` picks relaxed SIMD in workerd", async () => {
    const { capabilities } = await ask<{ capabilities: simdcnn.Capabilities }>("/init");
    expect(capabilities).toMatchObject({ backend: "relaxed-simd", simd: true, relaxedSimd: true });
  });

  it("predict, trainOnBatch and fit answer over HTTP with Node's bits", async () => {
    const { result: edge } = await ask<{ result: ScenarioResult }>("/run", { seed: SEED });
    const node = await runScenario(simdcnn, { nodeRelaxedSimdFlag: true }, SEED);
    expect(node.capabilities.backend, "Node must run the same build to compare bits").toBe("relaxed-simd");
    expect(edge.capabilities.backend).toBe("relaxed-simd");
    const { capabilities: _e, ...edgeValues } = edge;
    const { capabilities: _n, ...nodeValues } = node;
    expect(edgeValues).toEqual(nodeValues);
    // Not agreement on nothing: the prediction is a real softmax batch.
    expect(edge.predicted.length).toBeGreaterThan(0);
    expect(edge.afterFit).not.toEqual(edge.initial);
  });
});
