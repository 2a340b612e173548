// Browsers fetch the binary that sits next to the bundle
// (dist/wasm/<variant>.wasm); bundlers that understand `new URL(..., import.meta.url)`
// copy it along. A Response lets init() compile while the bytes stream in.
import { BackendError } from "../errors.js";
import { fetchWasm } from "../backend/registry.js";
import { detectRuntime, wasmLoadHint } from "./hints.js";
import type { WasmVariant } from "./variant.js";

export async function fetchWasmNextToBundle(variant: WasmVariant): Promise<Response> {
  // A missing binary is most often a bundler that did not copy wasm/: say
  // which URL was tried and what fixes it for the bundler at hand.
  const bundleUrl = (import.meta as { url?: string }).url;
  const hint = wasmLoadHint({ runtime: detectRuntime(globalThis), bundleUrl });
  let url: URL;
  try {
    url = new URL(`./wasm/${variant}.wasm`, bundleUrl);
  } catch {
    throw new BackendError(`init: cannot locate the '${variant}' wasm build: this bundle has no import.meta.url. ${hint}`);
  }
  const response = await fetchWasm(url, `the '${variant}' wasm build from ${url.href}`, hint);
  // A dev server's SPA fallback answers a missing file with its index.html and 200.
  if ((response.headers.get("Content-Type") ?? "").startsWith("text/html")) {
    throw new BackendError(`init: fetching the '${variant}' wasm build from ${url.href} returned an HTML page, ` +
      `not the binary (the file is not there). ${hint}`);
  }
  return response;
}
