// Browsers fetch the binaries that sit next to the bundle (wasm-url.ts says
// where, in the form bundlers follow): the inference half at init(), the
// training half on a model's first compile. A Response lets init() compile while
// the bytes stream in.
import { BackendError } from "../errors.js";
import { fetchWasm } from "../backend/registry.js";
import type { WasmVariant } from "./variant.js";
import { inferenceWasmUrl, trainingWasmUrl } from "./wasm-url.js";

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

/** init()'s binary: the inference half of the split build (the whole scalar build for engines without SIMD). */
export function fetchWasmNextToBundle(variant: WasmVariant): Promise<Response> {
  return fetchNextToBundle(variant, "", inferenceWasmUrl);
}

/** The training half, fetched on a model's first compile (src/backend/training-half.ts). */
export function fetchTrainingNextToBundle(variant: WasmVariant): Promise<Response> {
  return fetchNextToBundle(variant, "training kernels of the ", trainingWasmUrl);
}

async function fetchNextToBundle(variant: WasmVariant, part: string, urlOf: (variant: WasmVariant) => URL):
    Promise<Response> {
  // A missing binary is most often a bundler that did not copy wasm/: say
  // which URL was tried and what fixes it for the bundler at hand.
  try {
    const url = urlOf(variant);
    const response = await fetchWasm(url, `the ${part}'${variant}' wasm build from ${url.href}`);
    // A dev server's SPA fallback answers a missing file with its index.html and 200.
    if (!(response.headers.get("Content-Type") ?? "").startsWith("text/html")) return response;
    throw new BackendError(`init: fetching the ${part}'${variant}' wasm build from ${url.href} returned an HTML page.`);
  } catch (e) {
    throw new BackendError((e instanceof BackendError ? e.message
      : `init: cannot locate the '${variant}' wasm build: this bundle has no import.meta.url.`) + await loadHint());
  }
}
