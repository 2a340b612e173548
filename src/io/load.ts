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
import { ConfigError, ModelFormatError } from "../errors.js";
import { fetchModel, isModelSource, type ModelSource } from "./files.js";
import { readTrainingConfig, restoreOptimizer } from "./training-config.js";
import { decodeEntry, joinShards, matchWeights, readManifest, type Manifest } from "./weights-manifest.js";

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
 * one per shard in manifest order); or from where the files are: a URL or
 * path of model.json (its shards are read from next to it), the File
 * objects of model.json and its shards, or `"indexeddb://<name>"` for a model
 * that `save("indexeddb://<name>")` (or tfjs' `model.save`) stored in the
 * browser's IndexedDB. Reads what tfjs-layers' `model.save`,
 * the TensorFlow.js converter (Keras 2, `model_config` wrapper) and Keras 3
 * write: Sequential and functional models, weights matched by name, float32
 * or quantized (uint8, uint16, float16) weights. When model.json has a
 * `trainingConfig`, the model comes back compiled that way, with the
 * optimizer's state when the file holds it (`save({ includeOptimizer: true })`),
 * so `fit` continues exactly where the saved model stopped.
 * @example
 * await init();
 * const model = await loadModel("https://example.com/model/model.json"); // browsers, workers, Node
 * const local = await loadModel("model/model.json");   // Node: from disk (also "file://model/model.json")
 * const picked = await loadModel(input.files);         // <input type="file" multiple>: model.json + shards
 * const kept = await loadModel("indexeddb://my-model"); // browsers and workers
 * @example
 * const { modelJson, weights } = await model.save();
 * const copy = await loadModel(modelJson, weights);
 * @throws {ModelFormatError} (as a rejection) for anything malformed, unsupported or
 *   inconsistent, naming the file and the place in it (`modelTopology.config.layers[3].config.kernel_size`),
 *   or a shard model.json lists that is not there; also when the declared weights exceed
 *   `maxWeightBytes` (default 512 MiB) or one sample's activations exceed `maxActivationBytes`,
 *   checked before anything is allocated.
 * @throws {Error} when model.json itself cannot be read or fetched, or IndexedDB holds no model of
 *   that name (the message names the path, URL or name).
 * @throws {ConfigError} for `indexeddb://` where there is no IndexedDB (Node), and for
 *   `downloads://`, which only saves (load the downloaded files instead).
 * @throws {BackendError} before `init()`; {@link OutOfMemoryError} when the model does not fit in memory.
 */
export async function loadModel(source: ModelSource, options?: LoadOptions): Promise<Model<SymbolicTensor | SymbolicTensor[]>>;
export async function loadModel(modelJson: unknown, weights: WeightData, options?: LoadOptions):
  Promise<Model<SymbolicTensor | SymbolicTensor[]>>;
export async function loadModel(first: unknown, second?: unknown, third?: unknown):
  Promise<Model<SymbolicTensor | SymbolicTensor[]>> {
  if (!isModelSource(first, second)) return loadModelNow(first, second, third);
  const limits = readOptions(second);
  const fetched = await fetchModel(first);
  const prefix = (e: unknown): never => {
    if (e instanceof ModelFormatError && !e.message.startsWith(fetched.label)) {
      throw new ModelFormatError(`${fetched.label}: ${e.message}`);
    }
    throw e;
  };
  let manifest: Manifest;
  try {
    const json = parseModelJson(fetched.json);
    manifest = readManifest(own(json, "weightsManifest"), "weightsManifest", limits.maxWeightBytes);
  } catch (e) {
    return prefix(e);
  }
  const shards = await fetched.shards(manifest.paths);
  try {
    return loadModelNow(fetched.json, shards.map((s) => s.bytes), limits, shards.map((s) => s.label));
  } catch (e) {
    return prefix(e);
  }
}

/** The synchronous body of {@link loadModel}. @internal */
export function loadModelNow(modelJson: unknown, weights: unknown, options?: unknown,
                             shardLabels?: readonly string[]): Model<SymbolicTensor | SymbolicTensor[]> {
  const limits = readOptions(options);
  const json = parseModelJson(modelJson);
  const manifest = readManifest(own(json, "weightsManifest"), "weightsManifest", limits.maxWeightBytes);
  const bytes = joinShards(weights, manifest, shardLabels);
  const trainingValue = own(json, "trainingConfig") ?? own(json, "training_config");
  const trainingPath = own(json, "trainingConfig") !== undefined ? "trainingConfig" : "training_config";
  const compileOptions = trainingValue === undefined || trainingValue === null ? null
    : readTrainingConfig(trainingValue, trainingPath);
  const graph = readTopology(own(json, "modelTopology"), "modelTopology", manifest.entries);
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
    if (compileOptions !== null) {
      try {
        model.compile(compileOptions);
      } catch (e) {
        if (e instanceof ConfigError) fail(trainingPath, e.message.replace(/^.*?: compile:? ?/, ""));
        throw e;
      }
      restoreOptimizer(model.trainerForSave()!, manifest.entries.filter((e) => e.optimizer), bytes);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
