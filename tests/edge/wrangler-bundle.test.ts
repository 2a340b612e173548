// The edge entries as a Worker gets them: plain-worker.mjs imports "simdcnn"
// by name and calls a plain `await init()`. It is bundled the way wrangler
// bundles a Worker (esbuild, the "workerd" export condition first, every
// `.wasm` import left external under a content-hash name and uploaded as a
// module of wasm type: wrangler's CompiledWasm rule), then served by the real
// workerd. Its results must equal Node's to the bit (same relaxed-SIMD binary
// on the same CPU).
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

/** What one describe block bundles and serves. */
interface Target {
  title: string;
  /** esbuild's conditions, in the bundler's order. */
  conditions: string[];
  /** The dist file the bundle must come from, and the suffix of its wasm imports. */
  entry: string;
  suffix: string;
}

const TARGETS: Target[] = [
  // wrangler's own conditions.
  { title: "a Worker bundled as wrangler bundles it", conditions: ["workerd", "worker", "browser"],
    entry: "workerd.js", suffix: "" },
  // Vercel's bundler is not at hand: esbuild with the edge-light condition
  // checks that entry's `?module` imports and code path, served by workerd
  // (which, like Vercel's edge runtime, refuses to compile bytes).
  { title: "the edge-light entry (Vercel's condition) in workerd", conditions: ["edge-light", "worker", "browser"],
    entry: "edge-light.js", suffix: "?module" },
];

/** wrangler's CompiledWasm rule: `*.wasm` and `*.wasm?module` imports become wasm modules named `<sha1>-<file>`. */
function compiledWasm(modules: Map<string, string>, imports: Set<string>): Plugin {
  return {
    name: "compiled-wasm",
    setup(b) {
      b.onResolve({ filter: /\.wasm(\?module)?$/ }, (args) => {
        const file = resolve(args.resolveDir, args.path.replace(/\?module$/, ""));
        const name = `${createHash("sha1").update(readFileSync(file)).digest("hex")}-${basename(file)}`;
        modules.set(name, file);
        imports.add(`${basename(args.importer)} imports ${args.path}`);
        return { path: `./${name}`, external: true };
      });
    },
  };
}

for (const target of TARGETS) {
  describe(`${target.title}, calling plain \`await init()\``, () => {
    let server: WorkerdServer | undefined;
    let project = "";
    const wasmModules = new Map<string, string>();
    const imports = new Set<string>();

    async function ask<T>(path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${server!.url}${path}`, {
        method: "POST", body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000),
      });
      const answer = JSON.parse(await response.text()) as T & { error?: { name: string; message: string; stack: string } };
      if (answer.error !== undefined) {
        throw new Error(`inside workerd ${path} threw ${answer.error.name}: ${answer.error.message}\n` +
          `${answer.error.stack}\n--- workerd output ---\n${server!.logs()}`);
      }
      return answer;
    }

    beforeAll(async () => {
      // A user's project: the worker, and simdcnn installed in node_modules (a link to this package).
      project = mkdtempSync(join(tmpdir(), "simdcnn-wrangler-"));
      mkdirSync(join(project, "node_modules"));
      symlinkSync(ROOT, join(project, "node_modules", "simdcnn"), "dir");
      for (const f of ["plain-worker.mjs", "scenario.mjs"]) copyFileSync(join(HERE, f), join(project, f));
      await build({
        entryPoints: [join(project, "plain-worker.mjs")],
        outfile: join(project, "out", "worker.js"),
        bundle: true,
        format: "esm",
        platform: "neutral",
        conditions: target.conditions,
        mainFields: ["browser", "module", "main"],
        minify: true,
        plugins: [compiledWasm(wasmModules, imports)],
        logLevel: "silent",
      });
      const modules: WorkerModule[] = [
        ["worker.js", join(project, "out", "worker.js"), "esModule"],
        ...[...wasmModules].map(([name, file]): WorkerModule => [name, file, "wasm"]),
      ];
      server = await startWorkerd(modules);
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      if (project !== "") rmSync(project, { recursive: true, force: true });
    });

    it(`bundles dist/${target.entry}, which imports the relaxed-SIMD and SIMD binaries as wasm modules`, () => {
      expect([...imports].sort()).toEqual([
        `${target.entry} imports ./wasm/relaxed-simd.wasm${target.suffix}`,
        `${target.entry} imports ./wasm/simd.wasm${target.suffix}`,
      ]);
      expect([...wasmModules.values()].map((f) => f.slice(ROOT.length)).sort())
        .toEqual(["dist/wasm/relaxed-simd.wasm", "dist/wasm/simd.wasm"]);
      // What a Worker pays: the minified JS plus the two modules, gzipped (as Cloudflare counts its size limit).
      const jsBytes = readFileSync(join(project, "out", "worker.js"));
      const js = gzipSync(jsBytes, { level: 9 }).length;
      const wasm = [...wasmModules.values()].map((f) => [basename(f), readFileSync(f).length,
        gzipSync(readFileSync(f), { level: 9 }).length] as const);
      const total = js + wasm.reduce((s, [, , gz]) => s + gz, 0);
      console.log(`${target.entry} worker: ${jsBytes.length} bytes of minified JS (${js} gzipped) + ` +
        `${wasm.map(([name, raw, gz]) => `${name} ${raw} (${gz} gzipped)`).join(" + ")} = ${total} bytes gzipped`);
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
      const { capabilities: _edge, ...edgeValues } = edge;
      const { capabilities: _node, ...nodeValues } = node;
      expect(edgeValues).toEqual(nodeValues);
      // Not agreement on nothing: training moved the weights.
      expect(edge.afterFit).not.toEqual(edge.initial);
    });
  });
}
