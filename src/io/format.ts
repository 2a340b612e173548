// The TensorFlow.js LayersModel format, as simdcnn reads and writes it: the
// model.json object (topology in Keras JSON plus the weights manifest), the
// weights manifest entries (tfjs-core's io types), and the loader's limits.

import type { TrainingConfig } from "./training-config.js";
export type { TrainingConfig };

/** simdcnn's version, written as `generatedBy` (a test keeps it equal to package.json's). */
export const LIBRARY_VERSION = "0.1.0";

/** How one weight is stored when quantized (tfjs-core: value = q * scale + min; float16 as IEEE half). */
export interface WeightQuantization {
  dtype: "uint8" | "uint16" | "float16";
  scale?: number;
  min?: number;
  original_dtype?: "float32";
}

/** One weight of a weights manifest group. */
export interface WeightSpec {
  /** `layer/weight`, e.g. `conv2d_1/kernel` (Keras may add `:0` or a name-scope prefix). */
  name: string;
  shape: number[];
  /** int32 only for tfjs' optimizer step count (`iter`, group "optimizer"). */
  dtype: "float32" | "int32";
  quantization?: WeightQuantization;
  /** tfjs marks optimizer state `optimizer`: restored when model.json has a trainingConfig, else skipped. */
  group?: string;
}

/** A weights manifest group: shard file names and the weights stored in them, in order. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** A TensorFlow.js `model.json` of format "layers-model". */
export interface ModelJson {
  format: "layers-model";
  generatedBy: string;
  convertedBy: string | null;
  /** Keras JSON: `{ class_name, config, keras_version, backend }` (or the converter's `{ model_config, ... }`). */
  modelTopology: Record<string, unknown>;
  weightsManifest: WeightsManifestGroup[];
  /**
   * How the model was compiled, as tfjs-layers writes it (`loss`, `metrics`,
   * `optimizer_config: { class_name, config }`); written when the model was
   * compiled, and read back by {@link loadModel}, which compiles the model the same way.
   */
  trainingConfig?: TrainingConfig;
}

/** Options of {@link Model.save}. */
export interface SaveOptions {
  /**
   * Also store the optimizer's state (Adam's moments and step count, SGD's
   * momentum) as tfjs does, in weights of group "optimizer" after the
   * model's, so that training continues after a reload exactly where it
   * stopped (default false, as tfjs).
   */
  includeOptimizer?: boolean;
}

/** What {@link Model.save} returns: the model.json object and the weights it describes. */
export interface SavedModel {
  modelJson: ModelJson;
  /** Little-endian float32 values, concatenated in manifest order (what `weights.bin` holds). */
  weights: ArrayBuffer;
}

/** The bytes of a weights file: one buffer, or one per shard, in manifest order. */
export type WeightData = ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[];

/** Options of {@link loadModel}. */
export interface LoadOptions {
  /**
   * Largest model, in bytes of float32 weights, the loader accepts (default
   * 512 MiB). A file declaring more is refused before anything is allocated.
   */
  maxWeightBytes?: number;
  /** Largest sum of layer outputs for one sample, in float32 bytes (default 512 MiB); refused before allocation. */
  maxActivationBytes?: number;
  /** Batch size to plan buffers for up front (default 1). */
  batchSize?: number;
}

/** Default {@link LoadOptions.maxWeightBytes} and {@link LoadOptions.maxActivationBytes}: 512 MiB. */
export const DEFAULT_MAX_BYTES = 512 * 2 ** 20;
