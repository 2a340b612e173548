// Training-kernel backends for the tests: the JS oracle and each wasm binary,
// each as a (forward Kernels, TrainingKernels) pair over one memory.
//
// The wasm binaries are instantiated here (not through createWasmKernels) so
// SIMDCNN_WASM_DIR can swap the bytes; both halves still go through the
// production adapter, createWasmKernelsFromInstance (`Kernels` includes the
// training kernels).
// SIMDCNN_WASM_DIR, if set, points at another directory of the three
// binaries (a development build); by default dist/wasm is used.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createJsKernels } from "../../src/backend/js.js";
import { createJsTrainingKernels } from "../../src/backend/js-train.js";
import type { Kernels } from "../../src/backend/kernels.js";
import type { TrainingKernels } from "../../src/backend/kernels-train.js";
import { readWasmBytes, type WasmVariant } from "./backends.js";

export { WASM_VARIANTS, type WasmVariant } from "./backends.js";

export interface TrainingBackend {
  name: string;
  kernels: Kernels;
  train: TrainingKernels;
}

export function createJsTrainingBackend(): TrainingBackend {
  const kernels = createJsKernels();
  return { name: "js", kernels, train: createJsTrainingKernels(kernels.memory) };
}

export async function loadWasmTrainingBackend(variant: WasmVariant): Promise<TrainingBackend> {
  // Always read dist/ first: it validates and enables relaxed SIMD on Node 20.
  const dir = process.env.SIMDCNN_WASM_DIR;
  const checked = readWasmBytes(variant);
  const bytes = new Uint8Array(dir ? readFileSync(join(dir, `${variant}.wasm`)) : checked);
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const { createWasmKernelsFromInstance } = await import("../../src/backend/wasm.js");
  const kernels = createWasmKernelsFromInstance(instance, variant);
  return { name: variant, kernels, train: kernels };
}
