// Loads the wasm binaries from dist/wasm (built by `npm run build:wasm`) for
// the kernel tests. Every binary must load: a missing or invalid binary fails
// the tests loudly instead of skipping them, since we always run on Node >= 20
// where all three variants can run.

import { existsSync, readFileSync } from "node:fs";
import v8 from "node:v8";
import type { Kernels } from "../../src/backend/kernels.js";

export type WasmVariant = "relaxed-simd" | "simd" | "scalar";

export const WASM_VARIANTS: readonly WasmVariant[] = ["relaxed-simd", "simd", "scalar"];

/** Node 20 needs this V8 flag (set before compiling) to accept relaxed SIMD; Node 22+ has it on by default. */
const RELAXED_SIMD_FLAG = "--experimental-wasm-relaxed-simd";

export function wasmPath(variant: WasmVariant): URL {
  return new URL(`../../dist/wasm/${variant}.wasm`, import.meta.url);
}

/** Reads a binary and checks this runtime accepts it, enabling relaxed SIMD on Node 20 if needed. */
export function readWasmBytes(variant: WasmVariant): Uint8Array {
  const path = wasmPath(variant);
  if (!existsSync(path)) {
    throw new Error(`${path.pathname} is missing: run \`npm run build:wasm\` before the kernel tests`);
  }
  const bytes = new Uint8Array(readFileSync(path));
  if (!WebAssembly.validate(bytes) && variant === "relaxed-simd") {
    // Only set the flag when needed: Node 22 no longer knows it and prints an error.
    v8.setFlagsFromString(RELAXED_SIMD_FLAG);
  }
  if (!WebAssembly.validate(bytes)) {
    throw new Error(`${variant}.wasm does not validate on Node ${process.version}` +
      (variant === "relaxed-simd" ? ` even with ${RELAXED_SIMD_FLAG}` : ""));
  }
  return bytes;
}

/** Instantiates one binary through the production entry point, src/backend/wasm.ts. */
export async function loadWasmKernels(variant: WasmVariant): Promise<Kernels> {
  const bytes = readWasmBytes(variant);
  // Imported lazily so the JS-oracle tests in the same file still run while
  // wasm.ts is missing or broken.
  const { createWasmKernels } = await import("../../src/backend/wasm.js");
  return createWasmKernels(bytes, variant);
}
