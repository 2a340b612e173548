// init({ wasm }) with a binary the caller hands in (what edge runtimes do).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BackendError, capabilities, Dense, init, Sequential } from "simdcnn";

// The raw binaries are package subpaths (simdcnn/wasm/<variant>.wasm).
const require = createRequire(import.meta.url);
const binary = async (variant: string): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await readFile(require.resolve(`simdcnn/wasm/${variant}.wasm`)));

function answer(): number[] {
  const model = new Sequential([new Dense({ units: 2 })], { inputShape: [3] });
  model.setWeights([[1, 2, 3, 4, 5, 6], [0.5, -0.5]]);
  return Array.from(model.predict([1, 1, 1]).toArray());
}

describe("init({ wasm })", () => {
  it("compiles bytes of the variant named by `backend`", async () => {
    await init({ wasm: await binary("scalar"), backend: "scalar" });
    expect(capabilities().backend).toBe("scalar");
    expect(answer()).toEqual([9.5, 11.5]);
  });

  it("uses a precompiled WebAssembly.Module as is (edge runtimes)", async () => {
    const module = new WebAssembly.Module(await binary("simd"));
    await init({ wasm: module, backend: "simd" });
    expect(capabilities().backend).toBe("simd");
    expect(answer()).toEqual([9.5, 11.5]);
  });

  it("accepts a Response", async () => {
    const response = new Response(await binary("simd"), { headers: { "content-type": "application/wasm" } });
    await init({ wasm: response, backend: "simd" });
    expect(answer()).toEqual([9.5, 11.5]);
  });

  it("bytes that are not wasm give a BackendError and keep the previous backend", async () => {
    await init({ backend: "js" });
    await expect(init({ wasm: new Uint8Array([1, 2, 3, 4]), backend: "scalar" })).rejects.toThrow(BackendError);
    await expect(init({ wasm: new Uint8Array([1, 2, 3, 4]), backend: "scalar" })).rejects.toThrow(/'scalar' wasm build/);
    expect(capabilities().backend).toBe("js");
  });

  it("reads a file: URL from disk on Node (its fetch has no file: scheme), as a URL or a string", async () => {
    const url = pathToFileURL(require.resolve("simdcnn/wasm/simd.wasm"));
    await init({ wasm: url, backend: "simd" });
    expect(capabilities().backend).toBe("simd");
    expect(answer()).toEqual([9.5, 11.5]);
    await init({ backend: "js" });
    await init({ wasm: url.href, backend: "simd" });
    expect(capabilities().backend).toBe("simd");
  });

  it("a file: URL that does not exist gives a BackendError naming it and keeps the previous backend", async () => {
    await init({ backend: "js" });
    const missing = pathToFileURL("/nonexistent/simdcnn/simd.wasm");
    await expect(init({ wasm: missing, backend: "simd" })).rejects.toThrow(BackendError);
    await expect(init({ wasm: missing, backend: "simd" })).rejects.toThrow(/reading the wasm binary file:\/\/\/nonexistent.*ENOENT/);
    expect(capabilities().backend).toBe("js");
  });

  it("a URL nothing answers gives a BackendError, not fetch's TypeError", async () => {
    await init({ backend: "js" });
    // Port 9 (discard) on the loopback: refused at once, no network needed.
    await expect(init({ wasm: "http://127.0.0.1:9/simd.wasm", backend: "simd" })).rejects.toThrow(BackendError);
    await expect(init({ wasm: "http://127.0.0.1:9/simd.wasm", backend: "simd" })).rejects.toThrow(/fetching the wasm binary http:\/\/127\.0\.0\.1:9\/simd\.wasm failed/);
    expect(capabilities().backend).toBe("js");
  });
});
