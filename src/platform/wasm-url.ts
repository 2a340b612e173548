// Where a binary sits relative to the bundle: dist/wasm/<file>.wasm next
// to dist/browser.js, dist/index.js and dist/index.cjs. Each URL is written
// out as a literal `new URL("./wasm/<variant>.wasm", import.meta.url)`: the
// form Vite (build and dev server), webpack 5 and Rollup's asset plugins
// recognise, so they emit the file with the bundle and rewrite the URL to
// it. A URL built from a template would hide the files from them.
// Only the entries' static imports use this module, so rollup keeps it in
// each entry's own file: moved into dist/chunks/, import.meta.url would
// point there, one folder too deep.
import type { WasmVariant } from "./variant.js";

/** @throws TypeError when the bundle has no import.meta.url (bundled to a script or CommonJS). */
export function wasmUrl(variant: WasmVariant): URL {
  return variant === "relaxed-simd" ? new URL("./wasm/relaxed-simd.wasm", import.meta.url)
    : variant === "simd" ? new URL("./wasm/simd.wasm", import.meta.url)
    : new URL("./wasm/scalar.wasm", import.meta.url);
}

/**
 * The browser's split build: the inference binary of `variant` (the scalar
 * build, small and for old engines only, stays whole) and the training half
 * fetched on a model's first compile. Literal URLs, as above.
 */
export function inferenceWasmUrl(variant: WasmVariant): URL {
  return variant === "relaxed-simd" ? new URL("./wasm/relaxed-simd-inference.wasm", import.meta.url)
    : variant === "simd" ? new URL("./wasm/simd-inference.wasm", import.meta.url)
    : new URL("./wasm/scalar.wasm", import.meta.url);
}

/** @throws TypeError as wasmUrl; RangeError for the scalar build, which has no training half. */
export function trainingWasmUrl(variant: WasmVariant): URL {
  if (variant === "scalar") throw new RangeError("the scalar wasm build is whole: it has no training half");
  return variant === "relaxed-simd" ? new URL("./wasm/relaxed-simd-training.wasm", import.meta.url)
    : new URL("./wasm/simd-training.wasm", import.meta.url);
}
