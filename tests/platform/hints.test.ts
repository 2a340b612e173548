// Which fix the error names when the wasm binary cannot be found or fetched:
// the choice (src/platform/hints.ts) is pure given the runtime and the
// bundle's URL, so each case is checked here without its runtime or bundler;
// the last test runs a real esbuild --platform=node bundle to see the Node
// message end to end.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { detectRuntime, wasmLoadHint } from "../../src/platform/hints.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("detectRuntime", () => {
  it("tells Vercel's edge-light by its EdgeRuntime global, before anything else", () => {
    expect(detectRuntime({ EdgeRuntime: "edge-runtime", navigator: { userAgent: "x" }, process: { versions: { node: "20" } } }))
      .toBe("edge-light");
  });
  it("tells workerd by navigator.userAgent, even with nodejs_compat's process", () => {
    expect(detectRuntime({ navigator: { userAgent: "Cloudflare-Workers" }, process: { versions: { node: "22.0.0" } } }))
      .toBe("workerd");
  });
  it("tells Node by process.versions.node, and calls anything else a browser", () => {
    expect(detectRuntime(globalThis)).toBe("node");
    expect(detectRuntime({ navigator: { userAgent: "Mozilla/5.0" } })).toBe("browser");
    expect(detectRuntime(undefined)).toBe("browser");
  });
});

describe("wasmLoadHint", () => {
  it("Vite's dev server (the bundle under node_modules/.vite/deps/): optimizeDeps.exclude", () => {
    const hint = wasmLoadHint({ runtime: "browser", bundleUrl: "http://localhost:5173/node_modules/.vite/deps/simdcnn.js?v=1a2b" });
    expect(hint).toContain('optimizeDeps: { exclude: ["simdcnn"] }');
  });

  it("a browser bundle without import.meta.url (esbuild iife/cjs): esm format and copy, or a file loader", () => {
    const hint = wasmLoadHint({ runtime: "browser", bundleUrl: undefined });
    expect(hint).toContain("--format=esm");
    expect(hint).toContain("--loader:.wasm=file");
    expect(hint).toContain("init({ wasm })");
    expect(hint).not.toContain("optimizeDeps");
  });

  it("a browser bundle elsewhere (esbuild esm, hand-deployed): copy dist/wasm/ next to it, or a file loader", () => {
    const hint = wasmLoadHint({ runtime: "browser", bundleUrl: "https://example.test/assets/app-3f2a.js" });
    expect(hint).toContain("Copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle");
    expect(hint).toContain("--loader:.wasm=file");
  });

  it("Node (esbuild --platform=node and friends): the binary next to the bundle, external, or init({ wasm })", () => {
    const hint = wasmLoadHint({ runtime: "node", bundleUrl: "file:///app/out/server.js", code: "ENOENT" });
    expect(hint).toContain("esbuild --platform=node");
    expect(hint).toContain("next to the bundle");
    expect(hint).toContain("--external:simdcnn");
    expect(hint).toContain("init({ wasm })");
  });

  it("Node without import.meta.url (bundled to cjs): external or init({ wasm })", () => {
    const hint = wasmLoadHint({ runtime: "node", bundleUrl: "" });
    expect(hint).toContain("--external:simdcnn");
    expect(hint).toContain("init({ wasm })");
  });

  for (const runtime of ["workerd", "edge-light"] as const) {
    it(`${runtime} given another entry: the workerd / edge-light entries`, () => {
      const hint = wasmLoadHint({ runtime, bundleUrl: "file:///bundle/worker.js" });
      expect(hint).toContain('"workerd" condition');
      expect(hint).toContain('"edge-light"');
      expect(hint).toContain("init({ wasm: module })");
    });
  }
});

describe("the Node message end to end", () => {
  it("an esbuild --platform=node bundle without dist/wasm/ next to it names the fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "simdcnn-esbuild-node-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(ROOT, join(dir, "node_modules", "simdcnn"), "dir");
      writeFileSync(join(dir, "app.mjs"), `import { init } from "simdcnn";
init({ backend: "scalar" }).then(() => console.log("loaded"), (e) => console.log(e.name + ": " + e.message));\n`);
      await build({ entryPoints: [join(dir, "app.mjs")], outfile: join(dir, "out", "app.mjs"), bundle: true,
        platform: "node", format: "esm", logLevel: "silent" });
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, "out", "app.mjs")], { cwd: dir });
      expect(stdout).toContain("BackendError: init: loading the 'scalar' wasm build failed: ENOENT");
      expect(stdout).toContain(join(dir, "out", "wasm", "scalar.wasm"));
      expect(stdout).toContain("copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
