// Model (functional) and Sequential (a model built from a chain): a graph of
// layers built once. Every buffer a forward pass needs is planned up front
// for a batch capacity (src/graph/program.ts: liveness-based reuse, views
// and in-place element-wise layers), so predict allocates nothing in the
// arena unless a larger batch arrives, which re-plans once. Training
// (compile / fit / trainOnBatch / evaluate) runs its own program, planned by
// the same code, from src/train/.

import { currentBackend, getBackend, type Backend } from "./backend/registry.js";
import { loadedTrainer, prepareTraining } from "./backend/training-half.js";
import { BackendError, ConfigError, DisposedError, ShapeError } from "./errors.js";
import { Program, type PlannedBytes } from "./graph/program.js";
import { checkSampleShape, SymbolicTensor } from "./graph/symbolic.js";
import { orderGraph, tensorList, type Topology } from "./graph/topology.js";
import { parseSeed } from "./layers/init.js";
import { InputLayer } from "./layers/input-layer.js";
import { checkConfigKeys, configKeys } from "./layers/config-keys.js";
import { checkWeightArrays, Layer, type LayerParam } from "./layers/layer.js";
import { F32_BYTES } from "./memory.js";
import { formatShape, isPositiveInt, sizeOf } from "./shape.js";
import { formatSummary, type SummaryRow } from "./summary.js";
import type { SavedModel, SaveOptions } from "./io/format.js";
import type { SavedFiles } from "./io/files.js";
import type { SavedTrainer } from "./io/training-config.js";
import type { Optimizer } from "./train/optimizer.js";
import { Tensor, type ViewOwner } from "./tensor.js";
import { fitSettings, splitTail, type FitOptions, type History } from "./train/fit.js";
import { validateCompile, type CompileOptions } from "./train/compile.js";
import type { LabelInput, ModelView, Trainer, TrainInput } from "./train/trainer.js";

export type { SummaryRow };

/** Options of {@link Sequential}. */
export interface SequentialOptions {
  /** Shape of one sample, without the batch dim, e.g. [28, 28, 1] (height, width, channels). */
  inputShape: number[];
  /** Model name (default `sequential_<n>`). */
  name?: string;
  /** Batch size to plan buffers for up front (default 1); larger batches re-plan once. */
  batchSize?: number;
  /**
   * Seed of every layer's random numbers (initial weights, dropout masks)
   * that has no `seed` of its own, an integer in [0, 2^32). Without it the
   * weights still come from a fixed seed per layer name.
   */
  seed?: number;
}

/** Options of {@link Model}. */
export interface ModelConfig<O extends SymbolicTensor | readonly SymbolicTensor[]> {
  /** The model's input(s), made by `input()`. */
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  /** The model's output(s): a tensor (predict returns a Tensor) or an array (predict returns a Tensor[]). */
  outputs: O;
  /** Model name (default `model_<n>`). */
  name?: string;
  /** Batch size to plan buffers for up front (default 1); larger batches re-plan once. */
  batchSize?: number;
  /** As {@link SequentialOptions.seed}. */
  seed?: number;
}

const SEQUENTIAL_KEYS = configKeys<SequentialOptions>()(["inputShape", "name", "batchSize", "seed"]);
const MODEL_KEYS = configKeys<ModelConfig<SymbolicTensor>>()(["inputs", "outputs", "name", "batchSize", "seed"]);

/** What {@link Model.evaluate} and {@link Model.trainOnBatch} return. */
export interface EvaluateResult {
  /** Mean loss. */
  loss: number;
  /** Fraction right (NaN when compiled with `metrics: []`). */
  accuracy: number;
}

/** One layer call's output, as returned by {@link Model.featureMaps}. */
export interface FeatureMap {
  /** Layer name, e.g. "conv2d_1". */
  layer: string;
  className: string;
  /** [batch, ...layer output shape]. */
  shape: number[];
  /** A copy of the layer's output (channels-last); valid for good. */
  data: Float32Array;
}

/** Bytes a model holds in linear memory, by kind (see {@link Model.memory}). */
export interface ModelMemory {
  /** Weights, trainable and not, and their packed copies. */
  weights: number;
  /** Activation buffers of the inference plan, after reuse. */
  activations: number;
  /** Training (after compile and a first step): activation buffers of the training plan. */
  trainingActivations: number;
  /** Training: weight gradients plus the planned activation gradients. */
  gradients: number;
  /** Training: the optimizer's state (momentum, Adam's moments). */
  optimizerState: number;
  /** Kernel scratch (inference and training plans). */
  scratch: number;
  /** Training: per-layer state (dropout masks, batch statistics) and the label buffer. */
  trainingState: number;
  /** The batch size the inference buffers are planned for. */
  batchCapacity: number;
}

/** What {@link Model.predict} accepts per input: a Tensor [batch, ...inputShape] or whole samples, flat. */
export type PredictInput = Tensor | Float32Array | readonly number[];

/** What predict returns: one Tensor for a model made with one output tensor, an array when made with an array. */
export type PredictOutput<O> = O extends readonly SymbolicTensor[] ? Tensor[] : Tensor;

/** How a subclass tells the model what it is (not marked internal: the public constructor names it). */
interface ModelKind {
  readonly className: "Model" | "Sequential";
  readonly prefix: string;
}

const counters = new Map<string, number>();

/**
 * A graph of layers (Keras' functional API): one or several inputs made by
 * `input()`, layers applied with `layer.apply()`, one or several outputs.
 * Layers applied twice share their weights.
 * @example
 * await init();
 * const inp = input({ shape: [32, 32, 3] });
 * const a = new Conv2D({ filters: 16, padding: "same", activation: "relu" }).apply(inp);
 * const b = new Conv2D({ filters: 16, padding: "same" }).apply(a);
 * const out = new Dense({ units: 10, activation: "softmax" }).apply(
 *   new GlobalAvgPool2D().apply(new Add().apply([a, b])));
 * const model = new Model({ inputs: inp, outputs: out });
 * model.predict(new Float32Array(32 * 32 * 3)).shape; // [1, 10]
 * @throws {BackendError} before `init()`.
 * @throws {ConfigError} for inputs not made by `input()`, an output that
 *   needs a tensor no input leads to, a layer already used by another
 *   model, or duplicate layer names.
 * @throws {OutOfMemoryError} when the weights or buffers do not fit.
 */
export class Model<O extends SymbolicTensor | readonly SymbolicTensor[] = SymbolicTensor> {
  /** Model name, e.g. "model_1". */
  readonly name: string;
  /** The layers, named and built, in Keras order (a functional model's input layers first). */
  readonly layers: readonly Layer[];
  /** The model's symbolic inputs and outputs. */
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** The Keras class name: "Model" or "Sequential". */
  readonly className: string;
  /** @internal */
  protected readonly topology: Topology;
  private readonly backend: Backend;
  private readonly outputIsArray: boolean;
  /** Floats per input sample, per input. */
  private readonly inSizes: readonly number[];
  /** Frozen [batch, ...outputShape] per output of the last predict, reused while the batch stays the same. */
  private predictShapes: (readonly number[])[] = [];
  private plan: Program;
  /** Planned on the first featureMaps call: no rewrites, so every layer's own output is there to copy. */
  private featurePlan: Program | null = null;
  /** Bumped on every predict / re-plan / dispose: older output views go stale. */
  private readonly guard: { generation: number; readonly label: string };
  private disposed = false;
  private trainer: Trainer | null = null;
  /** A compile waiting for the training code (a page's first compile); a later compile or dispose supersedes it. */
  private compiling: Promise<void> | null = null;
  /** Why the last compile failed to finish (its rejection), for the training calls that follow it. */
  private compileFailure: unknown = null;
  private training = false;
  /**
   * Set to true (e.g. from an `onBatchEnd` / `onEpochEnd` callback) to end
   * `fit` after the current batch. `fit` resets it when it starts.
   */
  stopTraining = false;

  constructor(config: ModelConfig<O>, kind: ModelKind = { className: "Model", prefix: "model" }) {
    if (typeof config !== "object" || config === null) {
      throw new ConfigError(`${kind.className}: options { inputs, outputs } are required`);
    }
    checkConfigKeys(config, MODEL_KEYS, kind.className);
    this.className = kind.className;
    this.name = config.name ?? `${kind.prefix}_${nextCount(kind.prefix)}`;
    const label = `${kind.className} '${this.name}'`;
    this.guard = { generation: 0, label };
    const capacity = config.batchSize ?? 1;
    if (!isPositiveInt(capacity)) {
      throw new ConfigError(`${label}: batchSize must be a positive integer, got ${JSON.stringify(config.batchSize)}`);
    }
    const seed = parseSeed(config.seed, label);
    const inputs = tensorList(config.inputs, "inputs", label);
    const outputs = tensorList(config.outputs, "outputs", label);
    this.outputIsArray = Array.isArray(config.outputs);
    this.backend = getBackend();
    const topology = orderGraph(inputs, outputs, label);
    topology.layers.forEach((layer) => {
      if (layer.owner !== null || layer.built) {
        throw new ConfigError(`${label}: ${layer.describe()} already belongs to another model; make a new layer instead`);
      }
    });
    nameLayers(topology.layers, label);
    this.topology = topology;
    this.inputs = topology.inputs;
    this.outputs = topology.outputs;
    this.inSizes = topology.inputs.map((t) => sizeOf(t.shape));
    const computing = topology.layers.filter((layer) => !(layer instanceof InputLayer));
    this.layers = Object.freeze(kind.className === "Sequential" ? computing : [...topology.layers]);
    try {
      for (const layer of topology.layers) {
        layer.modelSeed = seed;
        layer.build(this.backend);
      }
      this.plan = this.makePlan(capacity);
    } catch (e) {
      for (const layer of topology.layers) if (layer.built) layer.dispose();
      throw e;
    }
    for (const layer of topology.layers) layer.owner = this;
    this.backend.retain?.();
  }

  /** Shape of one sample of the (first) input (no batch dim). */
  get inputShape(): number[] {
    return [...this.inputs[0]!.shape];
  }

  /** Shape of one sample of the (first) output (no batch dim). */
  get outputShape(): number[] {
    return [...this.outputs[0]!.shape];
  }

  /** The batch size buffers are currently planned for. */
  get batchCapacity(): number {
    return this.plan.capacity;
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * The layer named `name`.
   * @example
   * model.getLayer("batch_normalization_1").getWeights(); // gamma, beta, moving_mean, moving_variance
   * @throws {ConfigError} when no layer has that name (the message lists the names).
   */
  getLayer(name: string): Layer {
    const layer = this.layers.find((l) => l.name === name);
    if (layer === undefined) {
      throw new ConfigError(`${this.guard.label}: no layer named ${JSON.stringify(name)}; ` +
        `the layers are ${this.layers.map((l) => `'${l.name}'`).join(", ")}`);
    }
    return layer;
  }

  /**
   * Runs the model on a batch. `x` is a Tensor of shape [batch, ...inputShape]
   * or a flat Float32Array (or number[]) holding whole samples, channels-last;
   * for a model with several inputs, an array with one of those per input.
   * The result is a view of the model's output buffer: valid until the next
   * predict (then it throws DisposedError); `toArray()` copies the values out.
   * @example
   * const y = model.predict(new Float32Array(2 * 784)); // batch of 2 MNIST images
   * y.shape;     // [2, 10]
   * y.toArray(); // Float32Array(20), a copy
   * @throws {ShapeError} when the length is not a positive multiple of the
   *   per-sample size, the tensor shape is not [batch, ...inputShape], or
   *   the inputs disagree on the batch size.
   * @throws {DisposedError} after `dispose()`, or when `x` was disposed.
   * @throws {BackendError} when `init()` switched backend since the model was built.
   * @throws {OutOfMemoryError} when a larger batch needs more memory than can be had.
   */
  predict(x: PredictInput | readonly PredictInput[]): PredictOutput<O> {
    const batch = this.run(x, false);
    const plan = this.plan;
    if (this.predictShapes[0]?.[0] !== batch) {
      // Frozen shapes reused while the batch does not change: housekeeping, not a speed-up.
      this.predictShapes = this.outputs.map((t) => Object.freeze([batch, ...t.shape]));
    }
    const tensors = plan.outputs.map((ptr, i) =>
      new Tensor(this.backend, ptr, this.predictShapes[i]!, this.guard as ViewOwner));
    return (this.outputIsArray ? tensors : tensors[0]!) as PredictOutput<O>;
  }

  /**
   * Runs the model and returns a copy of every layer call's output (the
   * feature maps each convolution extracted, the pooled maps, the dense
   * outputs), in the order they run.
   * @example
   * for (const m of model.featureMaps(image)) console.log(m.layer, m.shape);
   * // conv2d_1 [1,24,24,6] ... dense_2 [1,10]
   * @throws the same errors as {@link Model.predict}.
   */
  featureMaps(x: PredictInput | readonly PredictInput[]): FeatureMap[] {
    const maps: FeatureMap[] = [];
    this.run(x, true, (batch) => (i, ptr) => {
      const node = this.topology.nodes[i]!;
      const shape = [batch, ...node.output.shape];
      const start = ptr / F32_BYTES;
      maps.push({
        layer: node.layer.name!, className: node.layer.className, shape,
        data: this.backend.arena.f32().slice(start, start + sizeOf(shape)),
      });
    });
    return maps;
  }

  /**
   * The model as a Keras-like table: layer (type), output shape, params
   * (and "Connected to" for a functional model); then the totals.
   * @example
   * console.log(model.summary());
   * // conv2d_1 (Conv2D)      [null,24,24,6]      156
   * @throws {DisposedError} after `dispose()`.
   */
  summary(): string {
    const rows = this.summaryRows();
    const total = this.countParams();
    const trainable = this.layers.reduce((n, layer) => n + layer.countTrainableParams(), 0);
    return formatSummary(this.name, rows, { total, trainable, connected: this.className !== "Sequential" });
  }

  /**
   * The rows of {@link Model.summary}, as data.
   * @example
   * model.summaryRows()[0]; // { name: "conv2d_1", className: "Conv2D", outputShape: [null, 24, 24, 6], params: 156, connectedTo: [] }
   * @throws {DisposedError} after `dispose()`.
   */
  summaryRows(): SummaryRow[] {
    this.assertNotDisposed("summary");
    const inGraph = new Set(this.topology.nodes);
    return this.layers.flatMap((layer) => {
      const nodes = layer instanceof InputLayer ? layer.nodes : layer.nodes.filter((n) => inGraph.has(n));
      return nodes.map((node, k) => ({
        name: layer.name!, className: layer.className, outputShape: [null, ...node.output.shape],
        params: k === 0 ? layer.countParams() : 0,
        connectedTo: node.inputs.map((t) => `${t.node.layer.name}[${t.node.layer.nodes.indexOf(t.node)}][0]`),
      }));
    });
  }

  /**
   * Number of weights in all layers, trainable and not (Keras' "Total params").
   * @example
   * model.countParams(); // 61706 for LeNet-5
   * @throws {DisposedError} after `dispose()`.
   */
  countParams(): number {
    this.assertNotDisposed("countParams");
    return this.layers.reduce((n, layer) => n + layer.countParams(), 0);
  }

  /**
   * Bytes the model holds in linear memory, by kind: what the planner
   * planned for the current batch capacity.
   * @example
   * model.memory().activations; // bytes of the inference activations, after reuse
   * @throws {DisposedError} after `dispose()`.
   */
  memory(): ModelMemory {
    this.assertNotDisposed("memory");
    const weights = this.layers.reduce((n, layer) => n + (layer.countParams() + layer.packedFloats()) * F32_BYTES, 0);
    const train: PlannedBytes & { params: number; optimizer: number } | null = this.trainer?.plannedBytes() ?? null;
    return {
      weights,
      activations: this.plan.bytes.activations,
      trainingActivations: train?.activations ?? 0,
      gradients: train === null ? 0 : train.gradients + train.params,
      optimizerState: train?.optimizer ?? 0,
      scratch: this.plan.bytes.scratch + (train?.scratch ?? 0),
      trainingState: train?.state ?? 0,
      batchCapacity: this.plan.capacity,
    };
  }

  /**
   * Copies of all weights in Keras order: per layer in `model.layers`
   * order, the layer's weights (kernel then bias; BatchNormalization's
   * gamma, beta, moving_mean, moving_variance). Works even after `init()`
   * switched backend, so weights can move to a model rebuilt on the new backend.
   * @example
   * const weights = model.getWeights(); // [conv kernel [5,5,1,6], conv bias [6], ...]
   * @throws {DisposedError} after `dispose()`.
   */
  getWeights(): Float32Array[] {
    this.assertNotDisposed("getWeights");
    const f32 = this.backend.arena.f32();
    return this.allWeights().map(({ param }) => f32.slice(param.value / F32_BYTES, param.value / F32_BYTES + param.size));
  }

  /**
   * Replaces all weights (Keras order, as `getWeights` and tfjs'
   * `model.getWeights()`). Everything is checked before anything is
   * written, so a failed call leaves the model as it was.
   * @example
   * model.setWeights(tfModel.getWeights().map((w) => w.dataSync() as Float32Array));
   * @throws {ConfigError} when the number of arrays is wrong.
   * @throws {ShapeError} when an array has the wrong length (the message
   *   names the layer, the weight and its shape).
   * @throws {DisposedError} after `dispose()`; {@link BackendError} after a backend switch.
   */
  setWeights(weights: readonly (Float32Array | readonly number[])[]): void {
    this.assertUsable("setWeights");
    const params = this.allWeights();
    if (!Array.isArray(weights) || weights.length !== params.length) {
      const expected = params.map(({ layer, param }) => `${layer.name}/${param.name}`).join(", ");
      throw new ConfigError(`${this.guard.label}: setWeights expects ${params.length} arrays (${expected}), ` +
        `got ${Array.isArray(weights) ? weights.length : String(weights)}`);
    }
    checkWeightArrays(params, weights, `${this.guard.label}: setWeights`, 0);
    const f32 = this.backend.arena.f32();
    params.forEach(({ param }, i) => f32.set(weights[i]!, param.value / F32_BYTES));
    for (const layer of this.layers) {
      layer.weightsVersion++;
      layer.weightsChanged();
    }
  }

  /**
   * The model as a TensorFlow.js LayersModel: `modelJson` is a model.json
   * object (Keras JSON topology and a weights manifest naming one shard),
   * `weights` its little-endian float32 bytes. tfjs-layers loads it
   * (`tf.loadLayersModel`), and so does {@link loadModel}. A compiled model
   * also writes `trainingConfig` (optimizer, loss, metrics, as tfjs-layers
   * does); `{ includeOptimizer: true }` adds the optimizer's state (Adam's
   * moments and step count, SGD's momentum) as tfjs' "optimizer" weight
   * group, so training continues after a reload bit for bit. With a
   * destination it also stores the model, as tfjs does: `"file://<directory>"`
   * (Node's entry) writes `model.json` and `group1-shard1of1.bin` there,
   * tfjs-node's names; `"indexeddb://<name>"` (pages and workers) keeps it in
   * IndexedDB in tfjs' layout (`loadModel("indexeddb://<name>")` and
   * `tf.loadLayersModel` read it back); `"downloads://<name>"` (pages) downloads
   * `<name>.json` and `<name>.weights.bin`, which `loadModel([jsonFile, weightsFile])`
   * reads. `files` says where it went. A Conv2D or Dense ending in leakyRelu, which Keras
   * cannot say as an activation string, is written as the linear layer
   * followed by a LeakyReLU layer named `<name>_leaky_re_lu`.
   * @example
   * const { modelJson, weights } = await model.save();          // in memory, anywhere
   * await model.save("file://./my-model");                       // Node: my-model/model.json + group1-shard1of1.bin
   * await model.save("file://./ckpt", { includeOptimizer: true }); // resume training later
   * await model.save("indexeddb://my-model");                    // browser: loadModel("indexeddb://my-model")
   * await model.save("downloads://my-model");                    // page: my-model.json + my-model.weights.bin
   * @throws {DisposedError} (as a rejection) after `dispose()`; {@link ConfigError} for a
   *   layer class outside the layer registry (it has no Keras form), an unknown scheme, or a
   *   scheme this runtime lacks (file:// outside Node's entry, indexeddb:// without IndexedDB,
   *   downloads:// without a page's document); an Error naming the destination when writing fails.
   */
  async save(options?: SaveOptions): Promise<SavedModel>;
  async save(destination: string, options?: SaveOptions): Promise<SavedFiles>;
  async save(first?: string | SaveOptions, second?: SaveOptions): Promise<SavedModel | SavedFiles> {
    this.assertNotDisposed("save");
    const destination = typeof first === "string" ? first : undefined;
    const options = typeof first === "string" ? second : first;
    if (options !== undefined) checkConfigKeys(options, ["includeOptimizer"], `${this.guard.label}: save`);
    // The writer is imported on first use (docs/architecture.md, "The
    // package"), so the model is read first, as it is now: its weights, and
    // its optimizer's settings and state. A step, setWeights or dispose
    // before the import settles is not saved.
    // A page's first compile finishes when its training code has loaded (no
    // await otherwise: what is saved is the model as it is at this call).
    if (this.compiling !== null) await this.compiling.catch(() => undefined);
    const includeOptimizer = options?.includeOptimizer === true;
    const weights = this.getWeights();
    const compiled = this.trainer;
    const state = compiled !== null && includeOptimizer ? compiled.exportState() : null;
    const trainer: SavedTrainer | null = compiled === null ? null : {
      loss: compiled.loss,
      accuracy: compiled.accuracy,
      // A copy: a learning-rate schedule may change the optimizer's settings meanwhile.
      optimizer: Object.assign(Object.create(Object.getPrototypeOf(compiled.optimizer) as object) as Optimizer, compiled.optimizer),
      exportState: () => state!,
    };
    const model = { name: this.name, className: this.className, layers: this.layers, getWeights: () => weights };
    const { saveModel, weightsPathFor, writeModelFiles } = await import("./io/model-files.js");
    const saved = saveModel(model, this.topology, {
      trainer, includeOptimizer, weightsPath: weightsPathFor(destination),
    });
    if (destination === undefined) return saved;
    return { ...saved, files: await writeModelFiles(destination, saved) };
  }

  /** @internal The compiled trainer, for save and load. */
  trainerForSave(): Trainer | null {
    return this.trainer;
  }

  /**
   * Frees every buffer of the model in the arena. Further use throws
   * DisposedError; tensors it returned go stale. Calling it twice is
   * harmless; from a `fit` callback it ends that fit after the current batch.
   * @example
   * model.dispose();
   * @throws never
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.guard.generation++;
    this.trainer?.dispose();
    this.trainer = null;
    this.plan.dispose();
    this.featurePlan?.dispose();
    this.featurePlan = null;
    for (const layer of this.layers) layer.dispose();
    this.backend.release?.();
  }

  /**
   * Prepares the model for training: the optimizer, the loss and the
   * metrics. Plans the gradient and optimizer-state buffers once (compiling
   * again replaces them and resets the optimizer). Cross-entropies need the
   * matching output activation and then run fused on the logits.
   * @example
   * model.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
   * model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
   * @throws {ConfigError} for an unknown optimizer, loss or metric, or a
   *   cross-entropy whose last layer does not end in softmax (categorical,
   *   sparse) or sigmoid (binary); the model keeps any earlier compile.
   * @throws {DisposedError} after `dispose()`; {@link BackendError} after a backend switch.
   * @returns a promise that resolves when the model can train: at once,
   *   except on a page's first compile, which downloads the training
   *   kernels (wasm/<build>-training.wasm; a page that only predicts never
   *   does). Await it before `trainOnBatch` in a browser; `fit` waits by
   *   itself. It rejects with a {@link BackendError} if they cannot be loaded.
   */
  compile(options: CompileOptions): Promise<void> {
    this.assertUsable("compile");
    if (this.training) throw new ConfigError(`${this.guard.label}: cannot compile while fit() is running`);
    const validated = validateCompile(options, this.view());
    this.trainer?.dispose();
    this.trainer = null;
    this.compileFailure = null;
    const loaded = loadedTrainer(this.backend);
    if (loaded !== null) {
      this.compiling = null;
      this.trainer = new loaded.Trainer(this.view(), validated);
      return Promise.resolve();
    }
    const compiling: Promise<void> = prepareTraining(this.backend).then(({ Trainer }) => {
      if (this.compiling !== compiling || this.disposed) return;
      this.compiling = null;
      this.trainer = new Trainer(this.view(), validated);
    }).catch((e: unknown) => {
      if (this.compiling === compiling) this.compiling = null;
      this.compileFailure = e;
      throw e;
    });
    this.compiling = compiling;
    return compiling;
  }

  /**
   * Trains the model on `x` and `labels` for `epochs` passes of shuffled
   * mini-batches. Yields to the event loop after every batch (a page stays
   * responsive; a callback may set `model.stopTraining = true`).
   * Labels: rows shaped like the output (one-hot / targets), or class
   * indices (Float32Array, Int32Array or number[]) for
   * sparseCategoricalCrossentropy.
   * @example
   * model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
   * const history = await model.fit(images, digits, {
   *   epochs: 5, batchSize: 32, validationSplit: 0.1,
   *   onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss, logs.valAccuracy),
   * });
   * history.loss; // one mean loss per epoch
   * @throws {ConfigError} before `compile`, for bad options (batchSize < 1, ...), or while another fit runs.
   * @throws {ShapeError} when x or the labels have the wrong shape, length,
   *   class count or values (checked before any step).
   * @throws {TrainingDivergedError} when a loss or gradient becomes NaN or
   *   infinite; the message names the epoch and batch, and the weights are
   *   those from before that step.
   */
  async fit(x: TrainInput | readonly TrainInput[], labels: LabelInput, options: FitOptions = {}): Promise<History> {
    if (this.compiling !== null) await this.compiling;
    const trainer = this.requireTrainer("fit");
    if (this.training) throw new ConfigError(`${this.guard.label}: fit() is already running`);
    const where = `${this.guard.label}: fit`;
    const settings = fitSettings(options, where);
    let data = trainer.prepare(x, labels, "fit");
    let validation = null;
    if (settings.validationSplit > 0) [data, validation] = splitTail(data, settings.validationSplit, where);
    else if (options.validationData !== undefined) {
      const v = options.validationData;
      if (!Array.isArray(v) || v.length !== 2) throw new ConfigError(`${where}: validationData must be [x, labels]`);
      validation = trainer.prepare(v[0], v[1], "fit validationData");
    }
    this.training = true;
    this.stopTraining = false;
    try {
      // The loop is imported on first use (docs/architecture.md, "The package"); the data was copied above.
      const { fitLoop } = await import("./train/fit-loop.js");
      return await fitLoop(trainer, data, validation, settings, options, () => this.stopTraining, () => this.disposed);
    } finally {
      this.training = false;
    }
  }

  /**
   * One optimizer step on one batch (all of `x`); returns the batch's loss
   * and accuracy from before the update.
   * @example
   * const { loss } = model.trainOnBatch(xBatch, yBatch);
   * @throws the errors of {@link Model.fit} (a diverged step leaves the weights unchanged).
   */
  trainOnBatch(x: TrainInput | readonly TrainInput[], labels: LabelInput): EvaluateResult {
    return this.requireTrainer("trainOnBatch").trainOnBatch(x, labels);
  }

  /**
   * Loss and accuracy over a data set, in inference mode (dropout off), in
   * batches of `batchSize` (default 32).
   * @example
   * const { loss, accuracy } = model.evaluate(testImages, testDigits);
   * @throws {ConfigError} before `compile` or for a bad batchSize.
   * @throws {ShapeError} as {@link Model.fit}.
   */
  evaluate(x: TrainInput | readonly TrainInput[], labels: LabelInput, options: { batchSize?: number } = {}): EvaluateResult {
    const trainer = this.requireTrainer("evaluate");
    checkConfigKeys(options, ["batchSize"], `${this.guard.label}: evaluate`);
    const batchSize = options.batchSize ?? 32;
    if (!isPositiveInt(batchSize)) {
      throw new ConfigError(`${this.guard.label}: evaluate batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`);
    }
    const result = trainer.evaluate(trainer.prepare(x, labels, "evaluate"), batchSize);
    return { loss: result.loss, accuracy: trainer.accuracy ? result.accuracy : NaN };
  }

  private requireTrainer(op: string): Trainer {
    this.assertUsable(op);
    if (this.trainer !== null) return this.trainer;
    if (this.compiling !== null) {
      throw new BackendError(`${this.guard.label}: ${op}: the training code is still loading (a page's first ` +
        `compile fetches it); \`await model.compile(...)\` before ${op}() (fit() waits by itself)`);
    }
    if (this.compileFailure !== null) throw this.compileFailure;
    throw new ConfigError(`${this.guard.label}: call compile({ optimizer, loss }) before ${op}()`);
  }

  private view(): ModelView {
    return { backend: this.backend, topology: this.topology, layers: this.layers, label: this.guard.label };
  }

  /**
   * Validates x, plans for its batch, copies it in and runs every layer.
   * `watch(batch)` may return a callback that sees each node's output. Returns the batch.
   */
  private run(x: PredictInput | readonly PredictInput[], features: boolean,
              watch?: (batch: number) => (node: number, ptr: number) => void): number {
    this.assertUsable("predict");
    const xs = this.splitInputs(x);
    const batches = xs.map((v, i) => this.checkInput(v, i));
    const batch = batches[0]!;
    if (batches.some((b) => b !== batch)) {
      throw new ShapeError(`${this.guard.label}: predict inputs disagree on the batch size: ${batches.join(", ")}`);
    }
    this.ensureCapacity(batch);
    if (features && (this.featurePlan === null || this.featurePlan.capacity < batch)) {
      const next = new Program(this.backend, this.topology, batch, { training: false, fusedLoss: false });
      this.featurePlan?.dispose();
      this.featurePlan = next;
    }
    this.guard.generation++; // from here the output buffers change: earlier views go stale
    const plan = features ? this.featurePlan! : this.plan;
    const f32 = this.backend.arena.f32();
    xs.forEach((v, i) => {
      const at = plan.inputs[i]! / F32_BYTES;
      if (v instanceof Tensor) f32.copyWithin(at, v.ptr / F32_BYTES, v.ptr / F32_BYTES + batch * this.inSizes[i]!);
      else f32.set(v, at);
    });
    plan.forward(batch, false, watch?.(batch));
    return batch;
  }

  /** One input per model input: a lone value for a single-input model, an array of them otherwise. */
  private splitInputs(x: PredictInput | readonly PredictInput[]): readonly PredictInput[] {
    const n = this.inputs.length;
    const isList = Array.isArray(x) && x.length > 0 && typeof x[0] !== "number";
    if (n === 1) return isList && x.length === 1 ? (x as readonly PredictInput[]) : [x as PredictInput];
    if (!isList || x.length !== n) {
      throw new ShapeError(`${this.guard.label}: predict expects an array of ${n} inputs ` +
        `(${this.inputs.map((t) => formatShape(t.shape)).join(", ")}), got ${describeValue(x)}`);
    }
    return x as readonly PredictInput[];
  }

  private checkInput(x: PredictInput, index: number): number {
    const perSample = this.inSizes[index]!;
    const shape = this.inputs[index]!.shape;
    const label = this.inputs.length === 1 ? this.guard.label : `${this.guard.label}: input ${index}`;
    if (x instanceof Tensor) {
      x.assertUsable();
      if (x.backend !== this.backend) {
        throw new BackendError(`${label}: the input tensor lives in another backend's memory ` +
          `(made before the last init()); make it again with tensor()`);
      }
      const s = x.shape;
      const matches = s.length === shape.length + 1 && s[0]! >= 1 && shape.every((d, i) => s[i + 1] === d);
      if (!matches) {
        throw new ShapeError(`${label}: predict expects a tensor of shape [batch,${shape.join(",")}], ` +
          `got ${formatShape(s)}`);
      }
      return s[0]!;
    }
    if (!(x instanceof Float32Array) && !Array.isArray(x)) {
      throw new ShapeError(`${label}: predict expects a Tensor, a Float32Array or a number[], got ${describeValue(x)}`);
    }
    if (x.length === 0 || x.length % perSample !== 0) {
      throw new ShapeError(`${label}: predict input has ${x.length} floats, not a positive multiple of ` +
        `${perSample} (one ${formatShape(shape)} sample)`);
    }
    return x.length / perSample;
  }

  /** Re-plans for a larger batch. Allocates the new plan first, so a failure keeps the old one. */
  private ensureCapacity(batch: number): void {
    if (batch <= this.plan.capacity) return;
    const next = this.makePlan(batch);
    this.plan.dispose();
    this.plan = next;
    this.guard.generation++;
  }

  private makePlan(capacity: number): Program {
    return new Program(this.backend, this.topology, capacity, { training: false, fusedLoss: false, rewrite: true });
  }

  private allWeights(): { layer: Layer; param: LayerParam }[] {
    return this.layers.flatMap((layer) => layer.weights().map((param) => ({ layer, param })));
  }

  private assertNotDisposed(op: string): void {
    if (this.disposed) throw new DisposedError(`${this.guard.label}: cannot ${op}: the model was disposed`);
  }

  private assertUsable(op: string): void {
    this.assertNotDisposed(op);
    const live = currentBackend();
    if (live !== this.backend) {
      throw new BackendError(`${this.guard.label}: cannot ${op}: the model was built on the ` +
        `'${this.backend.kernels.name}' backend, but init() has since switched to ` +
        `'${live?.kernels.name ?? "none"}'; build the model again (getWeights/setWeights carry the weights)`);
    }
  }
}

/**
 * A linear stack of layers (channels-last, Keras semantics): a {@link Model}
 * whose graph is a chain.
 * @example
 * await init();
 * const model = new Sequential([
 *   new Conv2D({ filters: 6, kernelSize: 5, activation: "relu" }),
 *   new MaxPool2D({ poolSize: 2 }),
 *   new Flatten(),
 *   new Dense({ units: 10, activation: "softmax" }),
 * ], { inputShape: [28, 28, 1] });
 * const probs = model.predict(new Float32Array(28 * 28)).toArray();
 * @throws {BackendError} before `init()`.
 * @throws {ConfigError} for an empty layer list, a non-positive input size,
 *   a layer already used by another model, or duplicate layer names.
 * @throws {ShapeError} when a layer does not fit its input (e.g. a kernel
 *   larger than a 'valid' input).
 */
export class Sequential extends Model<SymbolicTensor> {
  constructor(layers: Layer[], options: SequentialOptions) {
    super(chain(layers, options), { className: "Sequential", prefix: "sequential" });
  }
}

/** Checks a Sequential's arguments, names its layers and applies them in a chain. */
function chain(layers: Layer[], options: SequentialOptions): ModelConfig<SymbolicTensor> {
  if (typeof options !== "object" || options === null) {
    throw new ConfigError("Sequential: options { inputShape } are required");
  }
  checkConfigKeys(options, SEQUENTIAL_KEYS, "Sequential");
  // The name is taken here, before the model exists, so that messages about the layers can name it.
  const name = options.name ?? `sequential_${nextCount("sequential")}`;
  const label = `Sequential '${name}'`;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new ConfigError(`${label}: expects a non-empty array of layers, got ${Array.isArray(layers) ? "[]" : String(layers)}`);
  }
  const inputShape = checkSampleShape(options.inputShape, "inputShape", label);
  layers.forEach((layer, i) => {
    if (!(layer instanceof Layer)) throw new ConfigError(`${label}: layers[${i}] is not a layer: ${String(layer)}`);
    if (layer.owner !== null || layer.built || layer.nodes.length > 0) {
      throw new ConfigError(`${label}: ${layer.describe()} (layers[${i}]) already belongs to another model; ` +
        `make a new layer instead`);
    }
  });
  if (new Set(layers).size !== layers.length) throw new ConfigError(`${label}: the same layer appears twice`);
  nameLayers(layers, label);
  const inp = new InputLayer({ shape: inputShape });
  let x = inp.output;
  for (const layer of layers) x = layer.apply(x);
  return { inputs: inp.output, outputs: x, name, batchSize: options.batchSize, seed: options.seed };
}

function nextCount(prefix: string): number {
  const n = (counters.get(prefix) ?? 0) + 1;
  counters.set(prefix, n);
  return n;
}

/** A value for an error message, never its contents (an input can be megabytes). */
function describeValue(x: unknown): string {
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${(x as unknown as ArrayLike<number>).length})`;
  if (x === null || typeof x !== "object") return String(x);
  return (x as object).constructor?.name ?? "an object";
}

/** Keras-style auto names: `<prefix>_<n>`, counting per prefix within the model, skipping taken names. */
function nameLayers(layers: readonly Layer[], label: string): void {
  const taken = new Set<string>();
  for (const layer of layers) {
    if (layer.name === undefined) continue;
    if (taken.has(layer.name)) throw new ConfigError(`${label}: two layers are named '${layer.name}'`);
    taken.add(layer.name);
  }
  const counters = new Map<string, number>();
  for (const layer of layers) {
    if (layer.name !== undefined) continue;
    let n = counters.get(layer.namePrefix) ?? 0;
    let name: string;
    do name = `${layer.namePrefix}_${++n}`; while (taken.has(name));
    counters.set(layer.namePrefix, n);
    taken.add(name);
    layer.name = name;
  }
}
