// Browsers fetch the binary that sits next to the bundle
// (dist/wasm/<variant>.wasm); bundlers that understand `new URL(..., import.meta.url)`
// copy it along. A Response lets init() compile while the bytes stream in.
import { BackendError } from "../errors.js";
import { fetchWasm } from "../backend/registry.js";
import type { WasmVariant } from "./variant.js";

/**
 * What fixes a failed load for the bundler at hand. hints.ts is all
 * messages, so it is imported only on failure (a lazy chunk of the browser
 * build); should that import fail too, the error goes without a hint.
 */
async function loadHint(bundleUrl: string | undefined): Promise<string> {
  try {
    const { detectRuntime, wasmLoadHint } = await import("./hints.js");
    return ` ${wasmLoadHint({ runtime: detectRuntime(globalThis), bundleUrl })}`;
  } catch {
    return "";
  }
}

export async function fetchWasmNextToBundle(variant: WasmVariant): Promise<Response> {
  // A missing binary is most often a bundler that did not copy wasm/: say
  // which URL was tried and what fixes it for the bundler at hand.
  const bundleUrl = (import.meta as { url?: string }).url;
  let url: URL;
  try {
    url = new URL(`./wasm/${variant}.wasm`, bundleUrl);
  } catch {
    throw new BackendError(`init: cannot locate the '${variant}' wasm build: this bundle has no import.meta.url.` +
      await loadHint(bundleUrl));
  }
  let response: Response;
  try {
    response = await fetchWasm(url, `the '${variant}' wasm build from ${url.href}`);
  } catch (e) {
    if (e instanceof BackendError) throw new BackendError(e.message + await loadHint(bundleUrl));
    throw e;
  }
  // A dev server's SPA fallback answers a missing file with its index.html and 200.
  if ((response.headers.get("Content-Type") ?? "").startsWith("text/html")) {
    throw new BackendError(`init: fetching the '${variant}' wasm build from ${url.href} returned an HTML page, ` +
      `not the binary (the file is not there).${await loadHint(bundleUrl)}`);
  }
  return response;
}
