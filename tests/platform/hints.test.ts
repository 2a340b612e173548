// Which fix the error names when the wasm binary cannot be found or fetched:
// the choice (src/platform/hints.ts) is pure given the runtime and the
// bundle's URL, so each case is checked here without its runtime or bundler.
// tests/bundlers/ sees the messages end to end, from real bundles.
import { describe, expect, it } from "vitest";
import { detectRuntime, wasmLoadHint } from "../../src/platform/hints.js";

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

  it("a browser bundle elsewhere (esbuild esm, Rollup, hand-deployed): copy dist/wasm/ next to it, or a file loader", () => {
    const hint = wasmLoadHint({ runtime: "browser", bundleUrl: "https://example.test/assets/app-3f2a.js" });
    expect(hint).toContain("Copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle");
    expect(hint).toMatch(/esbuild and Rollup/);
    expect(hint).toContain("cp -r node_modules/simdcnn/dist/wasm <outdir>/");
    expect(hint).toContain("--loader:.wasm=file");
  });

  it("Node (esbuild --platform=node and friends): the binary next to the bundle, external, or init({ wasm })", () => {
    const hint = wasmLoadHint({ runtime: "node", bundleUrl: "file:///app/out/server.js", code: "ENOENT" });
    expect(hint).toContain("esbuild --platform=node");
    expect(hint).toContain("next to the bundle");
    expect(hint).toContain("--external:simdcnn");
    expect(hint).toContain("init({ wasm })");
  });

  it("Node without import.meta.url (bundled to cjs) nor simdcnn installed: install it, external or init({ wasm })", () => {
    const hint = wasmLoadHint({ runtime: "node", bundleUrl: "" });
    expect(hint).toContain("install simdcnn there");
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
