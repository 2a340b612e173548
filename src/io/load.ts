// loadModel: a TensorFlow.js LayersModel (model.json + weights) -> a Model.
// The reader (read-model.ts and the rest of src/io/: topology, manifest,
// training config, files; one chunk through model-files.ts) is imported on
// the first call: a page that only runs a model it builds or fetches no
// bytes of it (docs/architecture.md, "The package").

import type { SymbolicTensor } from "../graph/symbolic.js";
import type { Model } from "../model.js";
import type { LoadOptions, WeightData } from "./format.js";
import type { ModelSource } from "./files.js";

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
  const { readModel } = await import("./model-files.js");
  return readModel(first, second, third);
}
