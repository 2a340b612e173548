// Training-kernel backends for the tests: the JS oracle and each wasm binary,
// each as a (forward Kernels, TrainingKernels) pair over one memory.
//
// The wasm binaries are instantiated here (not through createWasmKernels) so
// the training exports can be bound from the same instance; the forward half
// still goes through the production adapter, createWasmKernelsFromInstance.
// SIMDCNN_WASM_DIR, if set, points at another directory of the three
// binaries (a development build); by default dist/wasm is used.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createJsKernels } from "../../src/backend/js.js";
import { createJsTrainingKernels } from "../../src/backend/js-train.js";
import type { Kernels } from "../../src/backend/kernels.js";
import type { TrainingKernels } from "../../src/backend/kernels-train.js";
import { bindWasmTrainingKernels } from "../../src/backend/wasm-train.js";
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
  const exports = instance.exports as Record<string, unknown>;
  let train: TrainingKernels;
  try {
    train = bindWasmTrainingKernels(exports, kernels.memory);
  } catch (error) {
    throw new Error(`${variant}.wasm has no training kernels: add \`export * from "./backward";\` to ` +
      `assembly/index.ts and run \`npm run build:wasm\` (${(error as Error).message})`);
  }
  return { name: variant, kernels, train };
}
