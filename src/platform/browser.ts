// Browsers fetch the binary that sits next to the bundle (wasm-url.ts says
// where, in the form bundlers follow). A Response lets init() compile while
// the bytes stream in.
import { BackendError } from "../errors.js";
import { fetchWasm } from "../backend/registry.js";
import type { WasmVariant } from "./variant.js";
import { wasmUrl } from "./wasm-url.js";

/**
 * What fixes a failed load for the bundler at hand. hints.ts is all
 * messages, so it is imported only on failure (a lazy chunk of the browser
 * build); should that import fail too, the error goes without a hint.
 */
async function loadHint(): Promise<string> {
  try {
    const { detectRuntime, wasmLoadHint } = await import("./hints.js");
    return ` ${wasmLoadHint({ runtime: detectRuntime(globalThis), bundleUrl: (import.meta as { url?: string }).url })}`;
  } catch {
    return "";
  }
}

export async function fetchWasmNextToBundle(variant: WasmVariant): Promise<Response> {
  // A missing binary is most often a bundler that did not copy wasm/: say
  // which URL was tried and what fixes it for the bundler at hand.
  try {
    const url = wasmUrl(variant);
    const response = await fetchWasm(url, `the '${variant}' wasm build from ${url.href}`);
    // A dev server's SPA fallback answers a missing file with its index.html and 200.
    if (!(response.headers.get("Content-Type") ?? "").startsWith("text/html")) return response;
    throw new BackendError(`init: fetching the '${variant}' wasm build from ${url.href} returned an HTML page.`);
  } catch (e) {
    throw new BackendError((e instanceof BackendError ? e.message
      : `init: cannot locate the '${variant}' wasm build: this bundle has no import.meta.url.`) + await loadHint());
  }
}
