// The training engine behind `compile` / `fit` / `trainOnBatch` / `evaluate`.
// Everything a step touches is planned up front:
// - at compile: one gradient buffer per parameter and the optimizer state;
// - per batch capacity (re-planned only when a larger batch arrives): the
//   input and label rows, every layer's output (kept for backward; Dropout
//   gets its own buffer while training), the logits of a fused loss, the
//   layer states (dropout masks), the conv scratch, and two gradient
//   buffers the backward pass ping-pongs between (dy of layer i is dx of
//   layer i-1, so two buffers of the largest activation suffice).
// A step therefore allocates nothing in the arena.
//
// A step checks the loss (and the gradients) BEFORE the optimizer touches a
// weight, so a diverged step throws with the weights as they were.

import type { TrainingKernels } from "../backend/kernels-train.js";
import type { Backend } from "../backend/registry.js";
import { BackendError, ConfigError, ShapeError, TrainingDivergedError } from "../errors.js";
import {
  trainingKernelsOf, type BackwardArgs, type ForwardArgs, type Layer, type LayerParam,
} from "../layers/layer.js";
import { F32_BYTES } from "../memory.js";
import { BlockList } from "../plan.js";
import { formatShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { bindLoss, runLoss, type BoundLoss, type LossName } from "./losses.js";
import { countCorrect } from "./metrics.js";
import type { MetricName } from "./metrics.js";
import type { Optimizer, OptimizerParam } from "./optimizer.js";
import { parseOptimizer, type OptimizerName } from "./optimizers.js";

/** Options of `Sequential.compile`. */
export interface CompileOptions {
  /** An optimizer instance, or "sgd" / "adam" (Keras defaults). */
  optimizer: Optimizer | OptimizerName;
  /** The loss to minimise. */
  loss: LossName;
  /**
   * Metrics reported by fit/evaluate: ["accuracy"] (default for the
   * cross-entropies) or [] (default for meanSquaredError).
   */
  metrics?: MetricName[];
}

/** What the model tells its trainer about itself. */
export interface ModelView {
  readonly backend: Backend;
  readonly layers: readonly Layer[];
  readonly inputShape: readonly number[];
  /** Output shape of every layer (no batch dim). */
  readonly layerShapes: readonly (readonly number[])[];
  /** "Sequential 'sequential_1'", for messages. */
  readonly label: string;
}

/** Inputs and labels of a fit / evaluate call, as accepted by the API. */
export type TrainInput = Tensor | Float32Array | readonly number[];
/** Labels: dense rows (one-hot / targets) or, for sparseCategoricalCrossentropy, class indices. */
export type LabelInput = Tensor | Float32Array | Int32Array | readonly number[];

/** A data set checked against the model: flat samples and flat label rows, in JS memory. */
export interface Dataset {
  x: Float32Array;
  labels: Float32Array;
  count: number;
}

/** The summed results of one or more batches. */
export interface BatchTotals {
  /** Sum of (mean batch loss * batch size). */
  lossSum: number;
  samples: number;
  correct: number;
  total: number;
}

interface TrainPlan {
  capacity: number;
  input: number;
  labels: number;
  outputs: number[];
  logits: number;
  grads: [number, number];
  scratch: number;
  states: number[];
  blocks: BlockList;
}

interface Validated {
  loss: BoundLoss;
  optimizer: Optimizer;
  accuracy: boolean;
}

/** One compiled training setup of a model. */
export class Trainer {
  readonly loss: BoundLoss;
  readonly optimizer: Optimizer;
  /** Whether the accuracy metric is reported. */
  readonly accuracy: boolean;
  /** Optimizer updates applied so far (Adam's t). */
  iterations = 0;
  private readonly train: TrainingKernels;
  private readonly params: { param: LayerParam; opt: OptimizerParam }[] = [];
  private readonly trainable: Layer[];
  private readonly blocks: BlockList;
  private plan: TrainPlan | null = null;
  private readonly inSize: number;
  private readonly outSize: number;
  /** Last dim of the output: classes (softmax rows) or outputs per row. */
  private readonly cols: number;
  private readonly labelsPerSample: number;
  /** Index of the first layer that is not a view in training: it needs no input gradient. */
  private readonly firstActive: number;
  private readonly fArgs: ForwardArgs = { batch: 0, x: 0, y: 0, scratch: 0, training: false, logits: 0, state: 0 };
  private readonly bArgs: BackwardArgs = {
    batch: 0, x: 0, y: 0, dy: 0, dx: 0, preActivation: false, state: 0, scratch: 0,
  };

  /**
   * Checks compile options without touching the model, so a bad compile
   * leaves an earlier one in place.
   * @throws {ConfigError} for a bad optimizer, loss or metric.
   */
  static validate(options: CompileOptions, m: ModelView): Validated {
    const where = `${m.label}: compile`;
    if (typeof options !== "object" || options === null) {
      throw new ConfigError(`${where} expects { optimizer, loss, metrics }, got ${String(options)}`);
    }
    const optimizer = parseOptimizer(options.optimizer, where);
    const last = m.layers[m.layers.length - 1]!;
    const outShape = m.layerShapes[m.layerShapes.length - 1]!;
    const loss = bindLoss(options.loss, last.outputActivation, last.describe(), outShape[outShape.length - 1]!, where);
    const metrics = options.metrics ?? (loss.name === "meanSquaredError" ? [] : ["accuracy"]);
    if (!Array.isArray(metrics) || metrics.some((x) => x !== "accuracy" && x !== "acc")) {
      throw new ConfigError(`${where}: metrics must be an array of 'accuracy', got ${JSON.stringify(options.metrics)}`);
    }
    return { loss, optimizer, accuracy: metrics.length > 0 };
  }

  /** Plans the parameter gradients and the optimizer state. @throws {OutOfMemoryError} */
  constructor(private readonly m: ModelView, v: Validated) {
    this.loss = v.loss;
    this.optimizer = v.optimizer;
    this.accuracy = v.accuracy;
    this.train = trainingKernelsOf(m.backend);
    this.blocks = new BlockList(m.backend.arena);
    this.inSize = sizeOf(m.inputShape);
    const outShape = m.layerShapes[m.layerShapes.length - 1]!;
    this.outSize = sizeOf(outShape);
    this.cols = outShape[outShape.length - 1]!;
    this.labelsPerSample = v.loss.sparse ? this.outSize / this.cols : this.outSize;
    this.firstActive = m.layers.findIndex((layer) => !layer.isIdentityInTraining);
    this.trainable = m.layers.filter((layer) => layer.params().length > 0);
    try {
      for (const layer of m.layers) {
        for (const param of layer.params()) {
          param.grad = this.blocks.alloc(param.size);
          const state = Array.from({ length: v.optimizer.slots }, () => this.blocks.alloc(param.size));
          this.params.push({ param, opt: { value: param.value, grad: param.grad, size: param.size, state } });
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Frees every training buffer; parameters lose their gradient pointers. */
  dispose(): void {
    this.plan?.blocks.freeAll();
    this.plan = null;
    this.blocks.freeAll();
    for (const { param } of this.params) param.grad = 0;
  }

  /** Makes sure buffers for `batch` samples are planned (re-plans once for a larger batch). */
  ensureCapacity(batch: number): void {
    if (this.plan !== null && this.plan.capacity >= batch) return;
    const next = this.makePlan(batch);
    this.plan?.blocks.freeAll();
    this.plan = next;
  }

  /**
   * Checks x and labels against the model and the loss and brings them into
   * JS memory as flat Float32Arrays (typed arrays of the right kind are used
   * as they are, not copied).
   * @throws {ShapeError} for a wrong length, shape, class count or label value.
   */
  prepare(x: TrainInput, labels: LabelInput, what: string): Dataset {
    const where = `${this.m.label}: ${what}`;
    const xs = this.toFloats(x, where, "x");
    if (xs.length === 0 || xs.length % this.inSize !== 0) {
      throw new ShapeError(`${where}: x has ${xs.length} floats, not a positive multiple of ${this.inSize} ` +
        `(one ${formatShape(this.m.inputShape)} sample)`);
    }
    if (x instanceof Tensor && (x.shape.length !== this.m.inputShape.length + 1 ||
        this.m.inputShape.some((d, i) => x.shape[i + 1] !== d))) {
      throw new ShapeError(`${where}: x must have shape [batch,${this.m.inputShape.join(",")}], got ${formatShape(x.shape)}`);
    }
    const count = xs.length / this.inSize;
    const ys = labels instanceof Int32Array ? Float32Array.from(labels) : this.toFloats(labels, where, "labels");
    this.checkLabels(ys, count, where);
    return { x: xs, labels: ys, count };
  }

  /** Copies samples `order[start .. start + count)` (or `start ..` when order is null) into the planned batch. */
  load(data: Dataset, order: Int32Array | null, start: number, count: number): void {
    const plan = this.requirePlan();
    const f32 = this.m.backend.arena.f32();
    const [xi, li, per, lper] = [plan.input / F32_BYTES, plan.labels / F32_BYTES, this.inSize, this.labelsPerSample];
    if (order === null) {
      f32.set(data.x.subarray(start * per, (start + count) * per), xi);
      f32.set(data.labels.subarray(start * lper, (start + count) * lper), li);
      return;
    }
    for (let j = 0; j < count; j++) {
      const s = order[start + j]!;
      f32.set(data.x.subarray(s * per, (s + 1) * per), xi + j * per);
      f32.set(data.labels.subarray(s * lper, (s + 1) * lper), li + j * lper);
    }
  }

  /**
   * One optimizer step on the loaded batch; adds its results to `totals`.
   * `where` names the step for a divergence message ("at epoch 3, batch 17").
   * @throws {TrainingDivergedError} when the loss or a gradient is NaN or
   *   infinite; no weight has changed then.
   */
  step(batch: number, totals: BatchTotals, where: () => string): number {
    const plan = this.requirePlan();
    this.forward(batch, true);
    const loss = this.lossAndCount(batch, totals);
    if (!Number.isFinite(loss)) {
      throw new TrainingDivergedError(`${this.m.label}: loss became ${loss} ${where()}; the weights are left ` +
        `as they were before this step (lower the learning rate, or look for NaN/Infinity in the inputs)`);
    }
    this.backward(batch, plan);
    this.checkGradients(where);
    this.iterations++;
    for (const { opt } of this.params) this.optimizer.update(this.train, opt, this.iterations);
    for (const layer of this.trainable) layer.weightsChanged();
    return loss;
  }

  /** Forward in inference mode and the loss of the loaded batch (no update); adds to `totals`. */
  evaluateBatch(batch: number, totals: BatchTotals): number {
    this.requirePlan();
    this.forward(batch, false);
    return this.lossAndCount(batch, totals);
  }

  /** Loss and accuracy of a whole data set, in batches of `batchSize`. */
  evaluate(data: Dataset, batchSize: number): { loss: number; accuracy: number } {
    this.ensureCapacity(Math.min(batchSize, data.count));
    const totals = emptyTotals();
    for (let start = 0; start < data.count; start += batchSize) {
      const n = Math.min(batchSize, data.count - start);
      this.load(data, null, start, n);
      this.evaluateBatch(n, totals);
    }
    return { loss: totals.lossSum / totals.samples, accuracy: totals.correct / Math.max(totals.total, 1) };
  }

  private forward(batch: number, training: boolean): void {
    const plan = this.plan!;
    const args = this.fArgs;
    const layers = this.m.layers;
    args.batch = batch;
    args.x = plan.input;
    args.scratch = plan.scratch;
    args.training = training;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      args.y = plan.outputs[i]!;
      args.state = plan.states[i]!;
      args.logits = i === layers.length - 1 && this.loss.fused ? plan.logits : 0;
      if (!layer.isIdentityInTraining) layer.forward(args);
      args.x = args.y;
    }
  }

  private lossAndCount(batch: number, totals: BatchTotals): number {
    const plan = this.plan!;
    const rows = (batch * this.outSize) / this.cols;
    const y = plan.outputs[plan.outputs.length - 1]!;
    const loss = runLoss(this.train, this.loss, { logits: plan.logits, y, labels: plan.labels, grad: plan.grads[0] },
      rows, this.cols);
    totals.lossSum += loss * batch;
    totals.samples += batch;
    if (this.accuracy) {
      const f32 = this.m.backend.arena.f32();
      const c = countCorrect(this.loss.accuracy, f32, y / F32_BYTES, plan.labels / F32_BYTES, rows, this.cols);
      totals.correct += c.correct;
      totals.total += c.total;
    }
    return loss;
  }

  private backward(batch: number, plan: TrainPlan): void {
    const layers = this.m.layers;
    const args = this.bArgs;
    args.batch = batch;
    args.scratch = plan.scratch;
    let [dy, spare] = plan.grads;
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      if (layer.isIdentityInTraining) continue; // a view: its input gradient is its output gradient
      const dx = i === this.firstActive ? 0 : spare;
      args.x = i === 0 ? plan.input : plan.outputs[i - 1]!;
      args.y = plan.outputs[i]!;
      args.dy = dy;
      args.dx = dx;
      args.state = plan.states[i]!;
      args.preActivation = this.loss.fused && i === layers.length - 1;
      layer.backward(args);
      if (dx !== 0) [dy, spare] = [dx, dy];
    }
  }

  private checkGradients(where: () => string): void {
    const f32 = this.m.backend.arena.f32();
    for (const { param } of this.params) {
      const at = param.grad / F32_BYTES;
      let sum = 0;
      // A finite g gives g * 0 = 0; NaN and +-Infinity give NaN, which sticks.
      for (let i = 0; i < param.size; i++) sum += f32[at + i]! * 0;
      if (sum !== 0) {
        throw new TrainingDivergedError(`${this.m.label}: a gradient of ${param.name} ${formatShape(param.shape)} ` +
          `became NaN or infinite ${where()}; the weights are left as they were before this step`);
      }
    }
  }

  private checkLabels(ys: Float32Array, count: number, where: string): void {
    const loss = this.loss;
    const outShape = this.m.layerShapes[this.m.layerShapes.length - 1]!;
    if (ys.length !== count * this.labelsPerSample) {
      const expected = loss.sparse
        ? `${count * this.labelsPerSample} class indices (${this.labelsPerSample} per sample)`
        : `${count * this.outSize} values (${count} rows of ${formatShape(outShape)})`;
      const hint = !loss.sparse && loss.fused && loss.accuracy === "categorical" && ys.length === count * (this.outSize / this.cols)
        ? "; these look like class indices: use loss 'sparseCategoricalCrossentropy' or one-hot labels"
        : loss.sparse && ys.length === count * this.outSize ? "; these look like one-hot rows: use 'categoricalCrossentropy'" : "";
      throw new ShapeError(`${where}: ${loss.name} expects ${expected} for ${count} samples, got ${ys.length}${hint}`);
    }
    for (let i = 0; i < ys.length; i++) {
      const t = ys[i]!;
      if (loss.sparse ? !(Number.isInteger(t) && t >= 0 && t < this.cols) : !Number.isFinite(t)) {
        throw new ShapeError(`${where}: label ${i} is ${t}, ` + (loss.sparse
          ? `not a class index in [0, ${this.cols}) (the model has ${this.cols} classes)` : "not a finite number"));
      }
    }
  }

  private toFloats(v: TrainInput | LabelInput, where: string, what: string): Float32Array {
    if (v instanceof Tensor) {
      v.assertUsable();
      if (v.backend !== this.m.backend) {
        throw new BackendError(`${where}: ${what} lives in another backend's memory (made before the last init())`);
      }
      return v.toArray();
    }
    if (v instanceof Float32Array) return v;
    if (Array.isArray(v)) return Float32Array.from(v as readonly number[]);
    throw new ShapeError(`${where}: ${what} must be a Tensor, a Float32Array or a number[], got ${String(v)}`);
  }

  private makePlan(capacity: number): TrainPlan {
    const layers = this.m.layers;
    const shapes = this.m.layerShapes;
    return BlockList.plan(this.m.backend.arena, (blocks) => {
      const input = blocks.alloc(capacity * this.inSize);
      const labels = blocks.alloc(capacity * this.labelsPerSample);
      const outputs: number[] = [];
      let previous = input;
      let largest = this.outSize;
      layers.forEach((layer, i) => {
        const size = sizeOf(shapes[i]!);
        largest = Math.max(largest, size);
        previous = layer.isIdentityInTraining ? previous : blocks.alloc(capacity * size);
        outputs.push(previous);
      });
      const logits = this.loss.fused ? blocks.alloc(capacity * this.outSize) : 0;
      const grads: [number, number] = [blocks.alloc(capacity * largest), blocks.alloc(capacity * largest)];
      // One scratch for the forward and the backward pass (they never overlap).
      const scratchFloats = Math.max(0, ...layers.map((layer) =>
        Math.max(layer.scratchFloats(capacity), layer.trainingScratchFloats(capacity))));
      const scratch = scratchFloats > 0 ? blocks.alloc(scratchFloats) : 0;
      const states = layers.map((layer) => {
        const floats = layer.trainingStateFloats(capacity);
        return floats > 0 ? blocks.alloc(floats) : 0;
      });
      return { capacity, input, labels, outputs, logits, grads, scratch, states, blocks };
    });
  }

  private requirePlan(): TrainPlan {
    if (this.plan === null) throw new Error("trainer: no plan (ensureCapacity first)");
    return this.plan;
  }
}

/** Zeroed batch totals. */
export function emptyTotals(): BatchTotals {
  return { lossSum: 0, samples: 0, correct: 0, total: 0 };
}
