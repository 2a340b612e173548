// What init() says when the platform loader cannot produce a binary (the
// node entry's readFile on a dist/ that lost wasm/, a failing fetch):
// always a BackendError naming the build, whatever the loader threw. Runs
// on the sources, which expose the loader hook the bundles keep private.
import { afterAll, describe, expect, it } from "vitest";
import { capabilities, init, setWasmLoader, type WasmLoader } from "../../src/backend/registry.js";
import { BackendError } from "../../src/errors.js";
import { loadWasmFromDisk } from "../../src/platform/node.js";

describe("init() when the platform loader fails", () => {
  afterAll(() => setWasmLoader(null));

  it("a plain Error from the loader (ENOENT) becomes a BackendError naming the build and the cause", async () => {
    const enoent: WasmLoader = (variant) =>
      Promise.reject(Object.assign(new Error(`ENOENT: no such file or directory, open '/x/wasm/${variant}.wasm'`), { code: "ENOENT" }));
    setWasmLoader(enoent);
    await init({ backend: "js" });
    const attempt = init({ backend: "scalar" });
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(init({ backend: "scalar" })).rejects.toThrow(/loading the 'scalar' wasm build failed: ENOENT: .*scalar\.wasm/);
    expect(capabilities().backend, "a failed init() keeps the previous backend").toBe("js");
  });

  it("a BackendError from the loader passes through unchanged", async () => {
    const own = new BackendError("init: fetching the 'simd' wasm build from https://x/simd.wasm failed: HTTP 404");
    setWasmLoader(() => Promise.reject(own));
    await expect(init({ backend: "simd" })).rejects.toBe(own);
  });

  it("the node loader, missing wasm/ beside itself, finds the installed package's binary instead", async () => {
    // src/platform/node.ts reads ./wasm/<variant>.wasm next to itself: run
    // from the sources that is src/platform/wasm/, which does not exist, as
    // for a bundle that left dist/wasm/ behind. Like such a bundle, it then
    // resolves simdcnn/wasm/<variant>.wasm from where it is: here this
    // repository's own dist/. (Where that fails too, the BackendError and its
    // hint are checked end to end in tests/bundlers/esbuild.test.ts.)
    setWasmLoader(loadWasmFromDisk);
    await expect(init({ backend: "scalar" })).resolves.toMatchObject({ backend: "scalar" });
  });
});
