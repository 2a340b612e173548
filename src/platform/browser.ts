// Browsers fetch the binary that sits next to the bundle
// (dist/wasm/<variant>.wasm); bundlers that understand `new URL(..., import.meta.url)`
// copy it along. A Response lets init() compile while the bytes stream in.
import type { WasmVariant } from "./variant.js";

export function fetchWasmNextToBundle(variant: WasmVariant): Promise<Response> {
  return fetch(new URL(`./wasm/${variant}.wasm`, import.meta.url));
}
