// Browsers fetch the binary that sits next to the bundle
// (dist/wasm/<variant>.wasm); bundlers that understand `new URL(..., import.meta.url)`
// copy it along. A Response lets init() compile while the bytes stream in.
import { fetchWasm } from "../backend/registry.js";
import type { WasmVariant } from "./variant.js";

export function fetchWasmNextToBundle(variant: WasmVariant): Promise<Response> {
  const url = new URL(`./wasm/${variant}.wasm`, import.meta.url);
  // A missing binary is most often a bundler that did not copy wasm/: say
  // which URL was tried, not only that compiling failed.
  return fetchWasm(url, `the '${variant}' wasm build from ${url.href}`,
    "(copy simdcnn's dist/wasm/ next to the bundle, or pass init({ wasm }))");
}
