// loadModel's body: a TensorFlow.js LayersModel (model.json + weights) -> a
// Model. A chunk of its own, imported by loadModel (load.ts) on first use.
// Order matters: the manifest (sizes, dtypes, the limit), then the bytes
// handed in, then the topology (layers made and applied symbolically), then
// weights matched by name and decoded; only when all of that holds is the
// model built, so a bad file allocates nothing in the arena. Should writing
// the weights still fail, the model is disposed before the error leaves.

import type { SymbolicTensor } from "../graph/symbolic.js";
import type { Model } from "../model.js";
import { F32_BYTES } from "../memory.js";
import { DEFAULT_MAX_BYTES, type LoadOptions } from "./format.js";
import { describeJson, fail, isObject, own, readInt, readObject } from "./json-read.js";
import { readTopology } from "./topology-read.js";
import { ConfigError, ModelFormatError } from "../errors.js";
import { fetchModel, isModelSource } from "./files.js";
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

/** {@link loadModel} (io/load.ts), imported on its first call. @internal */
export async function readModel(first: unknown, second?: unknown, third?: unknown):
  Promise<Model<SymbolicTensor | SymbolicTensor[]>> {
  if (!isModelSource(first, second)) return buildModel(first, second, third);
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
    return await buildModel(fetched.json, shards.map((s) => s.bytes), limits, shards.map((s) => s.label));
  } catch (e) {
    return prefix(e);
  }
}

/**
 * The model of the files: everything is checked and built synchronously,
 * but for a compiled model's training code, which a page loads on its first
 * compile (a model whose file says it is compiled can train once loadModel
 * resolves, or loadModel rejects with why it cannot).
 */
async function buildModel(modelJson: unknown, weights: unknown, options?: unknown,
                          shardLabels?: readonly string[]): Promise<Model<SymbolicTensor | SymbolicTensor[]>> {
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
      let compiling: Promise<void>;
      try {
        compiling = model.compile(compileOptions);
      } catch (e) {
        if (e instanceof ConfigError) fail(trainingPath, e.message.replace(/^.*?: compile:? ?/, ""));
        throw e;
      }
      await compiling;
      restoreOptimizer(model.trainerForSave()!, manifest.entries.filter((e) => e.optimizer), bytes);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
