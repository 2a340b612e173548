// Sequential: a stack of layers built once. Every buffer a forward pass needs
// (the input copy, one output per layer, the conv scratch) is planned up
// front for a batch capacity; predict allocates nothing in the arena unless
// a larger batch arrives, which re-plans once. Flatten and Dropout are views:
// their output aliases their input's buffer. Training (compile / fit /
// trainOnBatch / evaluate) runs on its own planned buffers in src/train/.

import { currentBackend, getBackend, type Backend } from "./backend/registry.js";
import { BackendError, ConfigError, DisposedError, ShapeError } from "./errors.js";
import { parseSeed } from "./layers/init.js";
import { Layer, type ForwardArgs } from "./layers/layer.js";
import { F32_BYTES } from "./memory.js";
import { formatShape, isPositiveInt, sizeOf } from "./shape.js";
import { planForward, type ForwardPlan } from "./plan.js";
import { formatSummary, type SummaryRow } from "./summary.js";
import { Tensor, type ViewOwner } from "./tensor.js";
import { fitLoop, fitSettings, splitTail, type FitOptions, type History } from "./train/fit.js";
import {
  emptyTotals, Trainer, type CompileOptions, type LabelInput, type ModelView, type TrainInput,
} from "./train/trainer.js";

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

/** What {@link Sequential.evaluate} and {@link Sequential.trainOnBatch} return. */
export interface EvaluateResult {
  /** Mean loss. */
  loss: number;
  /** Fraction right (NaN when compiled with `metrics: []`). */
  accuracy: number;
}

/** One layer's output, as returned by {@link Sequential.featureMaps}. */
export interface FeatureMap {
  /** Layer name, e.g. "conv2d_1". */
  layer: string;
  className: string;
  /** [batch, ...layer output shape]. */
  shape: number[];
  /** A copy of the layer's output (channels-last); valid for good. */
  data: Float32Array;
}

/** What {@link Sequential.predict} accepts: a Tensor [batch, ...inputShape] or whole samples, flat. */
export type PredictInput = Tensor | Float32Array | readonly number[];

let modelCounter = 0;

/**
 * A linear stack of layers (channels-last, Keras semantics).
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
export class Sequential {
  /** Model name, e.g. "sequential_1". */
  readonly name: string;
  /** The layers, in order, built and named. */
  readonly layers: readonly Layer[];
  private readonly backend: Backend;
  private readonly inShape: readonly number[];
  /** Floats per input sample (product of inShape), computed once. */
  private readonly inSize: number;
  /** Frozen [batch, ...outputShape] of the last predict, reused while the batch stays the same. */
  private predictShape: readonly number[] = [];
  private readonly layerShapes: readonly (readonly number[])[];
  private plan: ForwardPlan;
  /** Bumped on every predict / re-plan / dispose: older output views go stale. */
  private readonly guard: { generation: number; readonly label: string };
  private disposed = false;
  /** Reused by every forward pass (one object, not one per layer per call). */
  private readonly args: ForwardArgs = { batch: 0, x: 0, y: 0, scratch: 0, training: false, logits: 0, state: 0 };
  private trainer: Trainer | null = null;
  private training = false;
  /**
   * Set to true (e.g. from an `onBatchEnd` / `onEpochEnd` callback) to end
   * `fit` after the current batch. `fit` resets it when it starts.
   */
  stopTraining = false;

  constructor(layers: Layer[], options: SequentialOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigError("Sequential: options { inputShape } are required");
    }
    this.name = options.name ?? `sequential_${++modelCounter}`;
    const label = `Sequential '${this.name}'`;
    this.guard = { generation: 0, label };
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new ConfigError(`${label}: expects a non-empty array of layers, got ${Array.isArray(layers) ? "[]" : String(layers)}`);
    }
    const inputShape = options.inputShape;
    if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every(isPositiveInt)) {
      throw new ConfigError(`${label}: inputShape must be a non-empty array of positive integers ` +
        `(e.g. [28, 28, 1]), got ${JSON.stringify(inputShape)}`);
    }
    const capacity = options.batchSize ?? 1;
    if (!isPositiveInt(capacity)) {
      throw new ConfigError(`${label}: batchSize must be a positive integer, got ${JSON.stringify(options.batchSize)}`);
    }
    layers.forEach((layer, i) => {
      if (!(layer instanceof Layer)) throw new ConfigError(`${label}: layers[${i}] is not a layer: ${String(layer)}`);
      if (layer.owner !== null || layer.built) {
        throw new ConfigError(`${label}: ${layer.describe()} (layers[${i}]) already belongs to another model; ` +
          `make a new layer instead`);
      }
    });
    if (new Set(layers).size !== layers.length) throw new ConfigError(`${label}: the same layer appears twice`);
    const seed = parseSeed(options.seed, label);
    this.backend = getBackend();
    this.inShape = Object.freeze([...inputShape]);
    this.inSize = sizeOf(this.inShape);
    nameLayers(layers, label);
    for (const layer of layers) layer.modelSeed = seed;

    const shapes: number[][] = [];
    let shape: number[] = [...inputShape];
    try {
      for (const layer of layers) {
        shape = layer.build(shape, this.backend);
        shapes.push(shape);
      }
      this.layerShapes = shapes;
      this.layers = Object.freeze([...layers]);
      this.plan = this.makePlan(capacity);
    } catch (e) {
      for (const layer of layers) if (layer.built) layer.dispose();
      throw e;
    }
    for (const layer of layers) layer.owner = this;
  }

  /** Shape of one input sample (no batch dim). */
  get inputShape(): number[] {
    return [...this.inShape];
  }

  /** Shape of one output sample (no batch dim). */
  get outputShape(): number[] {
    return [...this.layerShapes[this.layerShapes.length - 1]!];
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
   * Runs the model on a batch. `x` is a Tensor of shape [batch, ...inputShape]
   * or a flat Float32Array (or number[]) holding whole samples, channels-last.
   * The result is a view of the model's output buffer: valid until the next
   * predict (then it throws DisposedError); `toArray()` copies the values out.
   * @example
   * const y = model.predict(new Float32Array(2 * 784)); // batch of 2 MNIST images
   * y.shape;     // [2, 10]
   * y.toArray(); // Float32Array(20), a copy
   * @throws {ShapeError} when the length is not a positive multiple of the
   *   per-sample size, or the tensor shape is not [batch, ...inputShape].
   * @throws {DisposedError} after `dispose()`, or when `x` was disposed.
   * @throws {BackendError} when `init()` switched backend since the model was built.
   * @throws {OutOfMemoryError} when a larger batch needs more memory than can be had.
   */
  predict(x: PredictInput): Tensor {
    const batch = this.run(x);
    const last = this.plan.outputs[this.plan.outputs.length - 1]!;
    // The frozen shape is reused while the batch does not change (Tensor
    // keeps a frozen shape as it is): two array copies and a freeze fewer
    // per call. All JS together was ~4% of a LeNet batch-1 predict under
    // --cpu-prof (100k calls), so this is housekeeping, not a speed-up.
    let shape = this.predictShape;
    if (shape[0] !== batch) {
      shape = Object.freeze([batch, ...this.layerShapes[this.layerShapes.length - 1]!]);
      this.predictShape = shape;
    }
    return new Tensor(this.backend, last, shape, this.guard as ViewOwner);
  }

  /**
   * Runs the model and returns a copy of every layer's output (the feature
   * maps each convolution extracted, the pooled maps, the dense outputs).
   * @example
   * for (const m of model.featureMaps(image)) console.log(m.layer, m.shape);
   * // conv2d_1 [1,24,24,6] ... dense_2 [1,10]
   * @throws the same errors as {@link Sequential.predict}.
   */
  featureMaps(x: PredictInput): FeatureMap[] {
    const batch = this.run(x);
    const f32 = this.backend.arena.f32();
    return this.layers.map((layer, i) => {
      const shape = [batch, ...this.layerShapes[i]!];
      const start = this.plan.outputs[i]! / F32_BYTES;
      return { layer: layer.name!, className: layer.className, shape, data: f32.slice(start, start + sizeOf(shape)) };
    });
  }

  /**
   * The model as a Keras-like table: layer (type), output shape, params; then totals.
   * @example
   * console.log(model.summary());
   * // conv2d_1 (Conv2D)      [null,24,24,6]      156
   * @throws {DisposedError} after `dispose()`.
   */
  summary(): string {
    return formatSummary(this.name, this.summaryRows(), this.countParams());
  }

  /**
   * The rows of {@link Sequential.summary}, as data.
   * @example
   * model.summaryRows()[0]; // { name: "conv2d_1", className: "Conv2D", outputShape: [null, 24, 24, 6], params: 156 }
   * @throws {DisposedError} after `dispose()`.
   */
  summaryRows(): SummaryRow[] {
    this.assertNotDisposed("summary");
    return this.layers.map((layer, i) => ({
      name: layer.name!, className: layer.className, outputShape: [null, ...this.layerShapes[i]!], params: layer.countParams(),
    }));
  }

  /**
   * Number of weights in all layers.
   * @example
   * model.countParams(); // 61706 for LeNet-5
   * @throws {DisposedError} after `dispose()`.
   */
  countParams(): number {
    this.assertNotDisposed("countParams");
    return this.layers.reduce((n, layer) => n + layer.countParams(), 0);
  }

  /**
   * Copies of all weights in Keras order: per layer, kernel then bias.
   * Works even after `init()` switched backend, so weights can move to a
   * model rebuilt on the new backend.
   * @example
   * const weights = model.getWeights(); // [conv kernel [5,5,1,6], conv bias [6], ...]
   * @throws {DisposedError} after `dispose()`.
   */
  getWeights(): Float32Array[] {
    this.assertNotDisposed("getWeights");
    const f32 = this.backend.arena.f32();
    return this.params().map(({ param }) => f32.slice(param.value / F32_BYTES, param.value / F32_BYTES + param.size));
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
    const params = this.params();
    if (!Array.isArray(weights) || weights.length !== params.length) {
      const expected = params.map(({ layer, param }) => `${layer.name}/${param.name}`).join(", ");
      throw new ConfigError(`${this.guard.label}: setWeights expects ${params.length} arrays (${expected}), ` +
        `got ${Array.isArray(weights) ? weights.length : String(weights)}`);
    }
    params.forEach(({ layer, param }, i) => {
      const w = weights[i];
      const length = w instanceof Float32Array || Array.isArray(w) ? w.length : undefined;
      if (length !== param.size) {
        throw new ShapeError(`${this.guard.label}: setWeights array ${i} is ${layer.describe()} ${param.name} ` +
          `${formatShape(param.shape)} and needs ${param.size} values, got ` +
          `${length === undefined ? String(w) : length}`);
      }
    });
    const f32 = this.backend.arena.f32();
    params.forEach(({ param }, i) => f32.set(weights[i]!, param.value / F32_BYTES));
    for (const layer of this.layers) layer.weightsChanged();
  }

  /**
   * Frees every buffer of the model in the arena. Further use throws
   * DisposedError; tensors it returned go stale. Calling it twice is harmless.
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
    this.plan.blocks.freeAll();
    for (const layer of this.layers) layer.dispose();
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
   */
  compile(options: CompileOptions): void {
    this.assertUsable("compile");
    if (this.training) throw new ConfigError(`${this.guard.label}: cannot compile while fit() is running`);
    const validated = Trainer.validate(options, this.view());
    this.trainer?.dispose();
    this.trainer = null;
    this.trainer = new Trainer(this.view(), validated);
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
  async fit(x: TrainInput, labels: LabelInput, options: FitOptions = {}): Promise<History> {
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
      return await fitLoop(trainer, data, validation, settings, options, () => this.stopTraining || this.disposed);
    } finally {
      this.training = false;
    }
  }

  /**
   * One optimizer step on one batch (all of `x`); returns the batch's loss
   * and accuracy from before the update.
   * @example
   * const { loss } = model.trainOnBatch(xBatch, yBatch);
   * @throws the errors of {@link Sequential.fit} (a diverged step leaves the weights unchanged).
   */
  trainOnBatch(x: TrainInput, labels: LabelInput): EvaluateResult {
    const trainer = this.requireTrainer("trainOnBatch");
    const data = trainer.prepare(x, labels, "trainOnBatch");
    trainer.ensureCapacity(data.count);
    trainer.load(data, null, 0, data.count);
    const totals = emptyTotals();
    const loss = trainer.step(data.count, totals, () => "in trainOnBatch");
    return { loss, accuracy: trainer.accuracy ? totals.correct / Math.max(totals.total, 1) : NaN };
  }

  /**
   * Loss and accuracy over a data set, in inference mode (dropout off), in
   * batches of `batchSize` (default 32).
   * @example
   * const { loss, accuracy } = model.evaluate(testImages, testDigits);
   * @throws {ConfigError} before `compile` or for a bad batchSize.
   * @throws {ShapeError} as {@link Sequential.fit}.
   */
  evaluate(x: TrainInput, labels: LabelInput, options: { batchSize?: number } = {}): EvaluateResult {
    const trainer = this.requireTrainer("evaluate");
    const batchSize = options.batchSize ?? 32;
    if (!isPositiveInt(batchSize)) {
      throw new ConfigError(`${this.guard.label}: evaluate batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`);
    }
    const result = trainer.evaluate(trainer.prepare(x, labels, "evaluate"), batchSize);
    return { loss: result.loss, accuracy: trainer.accuracy ? result.accuracy : NaN };
  }

  private requireTrainer(op: string): Trainer {
    this.assertUsable(op);
    if (this.trainer === null) {
      throw new ConfigError(`${this.guard.label}: call compile({ optimizer, loss }) before ${op}()`);
    }
    return this.trainer;
  }

  private view(): ModelView {
    return {
      backend: this.backend, layers: this.layers, inputShape: this.inShape, layerShapes: this.layerShapes,
      label: this.guard.label,
    };
  }

  /** Validates x, plans for its batch, copies it in and runs every layer. Returns the batch. */
  private run(x: PredictInput): number {
    this.assertUsable("predict");
    const batch = this.checkInput(x);
    this.ensureCapacity(batch);
    this.guard.generation++; // from here the output buffer changes: earlier views go stale
    const plan = this.plan;
    const f32 = this.backend.arena.f32();
    const floats = batch * this.inSize;
    const at = plan.input / F32_BYTES;
    if (x instanceof Tensor) f32.copyWithin(at, x.ptr / F32_BYTES, x.ptr / F32_BYTES + floats);
    else f32.set(x, at);
    const args = this.args;
    args.batch = batch;
    args.x = plan.input;
    args.scratch = plan.scratch;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      args.y = plan.outputs[i]!;
      if (!layer.isIdentity) layer.forward(args);
      args.x = args.y;
    }
    return batch;
  }

  private checkInput(x: PredictInput): number {
    const perSample = this.inSize;
    const label = this.guard.label;
    if (x instanceof Tensor) {
      x.assertUsable();
      if (x.backend !== this.backend) {
        throw new BackendError(`${label}: the input tensor lives in another backend's memory ` +
          `(made before the last init()); make it again with tensor()`);
      }
      const s = x.shape;
      const matches = s.length === this.inShape.length + 1 && s[0]! >= 1 && this.inShape.every((d, i) => s[i + 1] === d);
      if (!matches) {
        throw new ShapeError(`${label}: predict expects a tensor of shape [batch,${this.inShape.join(",")}], ` +
          `got ${formatShape(s)}`);
      }
      return s[0]!;
    }
    if (!(x instanceof Float32Array) && !Array.isArray(x)) {
      throw new ShapeError(`${label}: predict expects a Tensor, a Float32Array or a number[], got ${String(x)}`);
    }
    if (x.length === 0 || x.length % perSample !== 0) {
      throw new ShapeError(`${label}: predict input has ${x.length} floats, not a positive multiple of ` +
        `${perSample} (one ${formatShape(this.inShape)} sample)`);
    }
    return x.length / perSample;
  }

  /** Re-plans for a larger batch. Allocates the new plan first, so a failure keeps the old one. */
  private ensureCapacity(batch: number): void {
    if (batch <= this.plan.capacity) return;
    const next = this.makePlan(batch);
    this.plan.blocks.freeAll();
    this.plan = next;
    this.guard.generation++;
  }

  private makePlan(capacity: number): ForwardPlan {
    return planForward(this.backend.arena, this.layers, this.inShape, this.layerShapes, capacity);
  }

  private params(): { layer: Layer; param: ReturnType<Layer["params"]>[number] }[] {
    return this.layers.flatMap((layer) => layer.params().map((param) => ({ layer, param })));
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

/** Keras-style auto names: `<prefix>_<n>`, counting per prefix within the model, skipping taken names. */
function nameLayers(layers: Layer[], label: string): void {
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
