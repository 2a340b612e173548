// loadModel: a TensorFlow.js LayersModel (model.json + weights) -> a Model.
// Order matters: the manifest (sizes, dtypes, the limit), then the bytes
// handed in, then the topology (layers made and applied symbolically), then
// weights matched by name and decoded; only when all of that holds is the
// model built, so a bad file allocates nothing in the arena. Should writing
// the weights still fail, the model is disposed before the error leaves.

import type { SymbolicTensor } from "../graph/symbolic.js";
import type { Model } from "../model.js";
import { F32_BYTES } from "../memory.js";
import { DEFAULT_MAX_BYTES, type LoadOptions, type WeightData } from "./format.js";
import { describeJson, fail, isObject, own, readInt, readObject } from "./json-read.js";
import { readTopology } from "./topology-read.js";
import { decodeEntry, joinShards, matchWeights, readManifest } from "./weights-manifest.js";

const LOAD_OPTION_KEYS = ["maxWeightBytes", "maxActivationBytes", "batchSize"];

function readOptions(options: unknown): Required<LoadOptions> {
  if (options === undefined) return { maxWeightBytes: DEFAULT_MAX_BYTES, maxActivationBytes: DEFAULT_MAX_BYTES, batchSize: 1 };
  const o = readObject(options, "options");
  for (const key of Object.keys(o)) {
    if (!LOAD_OPTION_KEYS.includes(key)) fail("options", `unknown option '${key}' (accepted: ${LOAD_OPTION_KEYS.join(", ")})`);
  }
  const get = (key: string, fallback: number, min: number): number =>
    own(o, key) === undefined ? fallback : readInt(own(o, key), `options.${key}`, min, Number.MAX_SAFE_INTEGER);
  return {
    maxWeightBytes: get("maxWeightBytes", DEFAULT_MAX_BYTES, 0),
    maxActivationBytes: get("maxActivationBytes", DEFAULT_MAX_BYTES, 0),
    batchSize: get("batchSize", 1, 1),
  };
}

function parseModelJson(modelJson: unknown): Record<string, unknown> {
  if (typeof modelJson === "string") {
    try {
      modelJson = JSON.parse(modelJson) as unknown;
    } catch (e) {
      fail("model.json", `is not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(modelJson)) fail("model.json", `expected an object, got ${describeJson(modelJson)}`);
  const format = own(modelJson, "format");
  if (format !== undefined && format !== null && format !== "layers-model") {
    fail("format", `expected "layers-model", got ${describeJson(format)}` +
      (format === "graph-model" ? " (a converted TensorFlow graph, not a Keras model)" : ""));
  }
  return modelJson;
}

/**
 * Builds a model from a TensorFlow.js LayersModel: the `model.json` object
 * (or its text) and the weight bytes its manifest describes (one buffer, or
 * one per shard in manifest order). Reads what tfjs-layers' `model.save`,
 * the TensorFlow.js converter (Keras 2, `model_config` wrapper) and Keras 3
 * write: Sequential and functional models, weights matched by name, float32
 * or quantized (uint8, uint16, float16) weights.
 * @example
 * await init();
 * const json = JSON.parse(await readFile("model/model.json", "utf8"));
 * const model = await loadModel(json, await readFile("model/group1-shard1of1.bin"));
 * model.predict(image);
 * @example
 * const { modelJson, weights } = await model.save();
 * const copy = await loadModel(modelJson, weights);
 * @throws {ModelFormatError} (as a rejection) for anything malformed, unsupported or
 *   inconsistent, naming the place in the file (`modelTopology.config.layers[3].config.kernel_size`);
 *   also when the declared weights exceed `maxWeightBytes` (default 512 MiB) or one sample's
 *   activations exceed `maxActivationBytes`, checked before anything is allocated.
 * @throws {BackendError} before `init()`; {@link OutOfMemoryError} when the model does not fit in memory.
 */
export async function loadModel(modelJson: unknown, weights: WeightData, options?: LoadOptions):
  Promise<Model<SymbolicTensor | SymbolicTensor[]>> {
  return loadModelNow(modelJson, weights, options);
}

/** The synchronous body of {@link loadModel}. @internal */
export function loadModelNow(modelJson: unknown, weights: unknown, options?: unknown): Model<SymbolicTensor | SymbolicTensor[]> {
  const limits = readOptions(options);
  const json = parseModelJson(modelJson);
  const manifest = readManifest(own(json, "weightsManifest"), "weightsManifest", limits.maxWeightBytes);
  const bytes = joinShards(weights, manifest);
  const graph = readTopology(own(json, "modelTopology"), "modelTopology");
  if (graph.activationFloats * F32_BYTES > limits.maxActivationBytes) {
    fail("modelTopology", `one sample's layer outputs take ${graph.activationFloats * F32_BYTES} bytes, more than the ` +
      `limit of ${limits.maxActivationBytes} (raise it with loadModel(..., { maxActivationBytes }))`);
  }
  const entries = matchWeights(manifest, graph.wanted);
  const values = new Map<string, Float32Array>();
  graph.wanted.forEach((w, i) => {
    const entry = entries[i]!;
    const v = decodeEntry(bytes, entry);
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) fail(entry.path, `${w.key} holds ${v[bad]} at index ${bad}`);
    values.set(w.key, v);
  });
  const model = graph.build(limits.batchSize);
  try {
    for (const layer of model.layers) {
      const params = layer.weights();
      if (params.length === 0) continue;
      layer.setWeights(params.map((p) => {
        const v = values.get(`${layer.name}/${p.name}`);
        if (v === undefined) throw new Error(`loadModel: internal error: no value for ${layer.name}/${p.name}`);
        return v;
      }));
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
