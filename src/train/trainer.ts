// The training engine behind `compile` / `fit` / `trainOnBatch` / `evaluate`
// (compile.ts checks the options first). A page imports it on a model's
// first compile, with the training kernels (src/backend/training-half.ts).
// Everything a step touches is planned up front:
// - at compile: one gradient buffer per trainable weight and the optimizer
//   state (non-trainable weights, such as BatchNorm's moving statistics,
//   get neither);
// - per batch capacity (re-planned only when a larger batch arrives): a
//   training Program (src/graph/program.ts) with the inputs and labels,
//   every activation backward needs, the gradients (reused by liveness),
//   the layer states and the scratch. The fused softmax/sigmoid +
//   cross-entropy is the Program's rewrite of the output node.
// A step therefore allocates nothing in the arena.
//
// A step checks the loss (and the gradients) BEFORE the optimizer touches a
// weight, so a diverged step throws with the weights as they were.

import type { TrainingKernels } from "../backend/kernels-train.js";
import type { Backend } from "../backend/registry.js";
import { BackendError, ShapeError, TrainingDivergedError } from "../errors.js";
import { Program, type PlannedBytes } from "../graph/program.js";
import type { Topology } from "../graph/topology.js";
import { trainingKernelsOf, type Layer, type LayerParam } from "../layers/layer.js";
import { F32_BYTES } from "../memory.js";
import { BlockList } from "../plan.js";
import { formatShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Validated } from "./compile.js";
import { runLoss, type BoundLoss } from "./losses.js";
import { countCorrect } from "./metrics.js";
import type { Optimizer, OptimizerParam } from "./optimizer.js";

/** What the model tells its trainer about itself. */
export interface ModelView {
  readonly backend: Backend;
  readonly topology: Topology;
  /** Every layer once, in the model's (Keras) order. */
  readonly layers: readonly Layer[];
  /** "Sequential 'sequential_1'", for messages. */
  readonly label: string;
}

/** Inputs and labels of a fit / evaluate call, as accepted by the API. */
export type TrainInput = Tensor | Float32Array | readonly number[];
/** Labels: dense rows (one-hot / targets) or, for sparseCategoricalCrossentropy, class indices. */
export type LabelInput = Tensor | Float32Array | Int32Array | readonly number[];

/** A data set checked against the model: flat samples (one array per model input) and flat label rows, in JS memory. */
export interface Dataset {
  xs: Float32Array[];
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

/** One compiled training setup of a model. */
export class Trainer {
  readonly loss: BoundLoss;
  readonly optimizer: Optimizer;
  /** Whether the accuracy metric is reported. */
  readonly accuracy: boolean;
  /** Optimizer updates applied so far (Adam's t). */
  iterations = 0;
  private readonly train: TrainingKernels;
  private readonly params: { layer: Layer; param: LayerParam; opt: OptimizerParam }[] = [];
  private readonly trainable: Layer[];
  private readonly blocks: BlockList;
  private program: Program | null = null;
  private readonly inputShapes: readonly (readonly number[])[];
  private readonly outputShape: readonly number[];
  /** Floats per sample of each input. */
  private readonly inSizes: readonly number[];
  private readonly outSize: number;
  /** Last dim of the output: classes (softmax rows) or outputs per row. */
  private readonly cols: number;
  private readonly labelsPerSample: number;
  private readonly paramFloats: number;
  /** Where the loaded batch came from, to name a sample in a divergence message. */
  private loaded: { order: Int32Array | null; start: number } = { order: null, start: 0 };

  /** Plans the weight gradients and the optimizer state. @throws {OutOfMemoryError} */
  constructor(private readonly m: ModelView, v: Validated) {
    this.loss = v.loss;
    this.optimizer = v.optimizer;
    this.accuracy = v.accuracy;
    this.train = trainingKernelsOf(m.backend);
    this.blocks = new BlockList(m.backend.arena);
    this.inputShapes = m.topology.inputs.map((t) => t.shape);
    this.outputShape = m.topology.outputs[0]!.shape;
    this.inSizes = this.inputShapes.map(sizeOf);
    this.outSize = sizeOf(this.outputShape);
    this.cols = this.outputShape[this.outputShape.length - 1]!;
    this.labelsPerSample = v.loss.sparse ? this.outSize / this.cols : this.outSize;
    this.trainable = m.layers.filter((layer) => layer.weights().some((w) => w.trainable));
    let floats = 0;
    try {
      for (const layer of this.trainable) {
        for (const param of layer.weights()) {
          if (!param.trainable) continue;
          param.grad = this.blocks.alloc(param.size);
          const state = Array.from({ length: v.optimizer.slots }, () => this.blocks.alloc(param.size));
          floats += param.size;
          this.params.push({ layer, param, opt: { value: param.value, grad: param.grad, size: param.size, state } });
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.paramFloats = floats;
  }

  /**
   * The optimizer state as tfjs lays it out: per state slot (Adam: m then v;
   * momentum: the velocity), one array per trainable weight in training order.
   */
  exportState(): { iterations: number; slots: { name: string; shape: readonly number[]; values: Float32Array }[][] } {
    const f32 = this.m.backend.arena.f32();
    const slots = Array.from({ length: this.optimizer.slots }, (_s, k) => this.params.map(({ layer, param, opt }) => ({
      name: `${layer.name}/${param.name}`, shape: param.shape,
      values: f32.slice(opt.state[k]! / F32_BYTES, opt.state[k]! / F32_BYTES + param.size),
    })));
    return { iterations: this.iterations, slots };
  }

  /** The trainable weights the state is kept for, in training order (`layer/weight` and shape). */
  stateParams(): { name: string; shape: readonly number[] }[] {
    return this.params.map(({ layer, param }) => ({ name: `${layer.name}/${param.name}`, shape: param.shape }));
  }

  /** Writes state read back from a file (lengths checked by the caller) and the step count. */
  importState(iterations: number, slots: readonly (readonly Float32Array[])[]): void {
    const f32 = this.m.backend.arena.f32();
    slots.forEach((arrays, k) => arrays.forEach((values, i) => f32.set(values, this.params[i]!.opt.state[k]! / F32_BYTES)));
    this.iterations = iterations;
  }

  /** Frees every training buffer; weights lose their gradient pointers. */
  dispose(): void {
    this.program?.dispose();
    this.program = null;
    this.blocks.freeAll();
    for (const { param } of this.params) param.grad = 0;
  }

  /** Bytes planned for training: the program's, the weight gradients and the optimizer state. */
  plannedBytes(): PlannedBytes & { params: number; optimizer: number } {
    const p = this.program?.bytes ?? { activations: 0, gradients: 0, scratch: 0, state: 0 };
    return { ...p, params: this.paramFloats * F32_BYTES, optimizer: this.paramFloats * this.optimizer.slots * F32_BYTES };
  }

  /** Makes sure buffers for `batch` samples are planned (re-plans once for a larger batch). */
  ensureCapacity(batch: number): void {
    if (this.program !== null && this.program.capacity >= batch) return;
    const next = new Program(this.m.backend, this.m.topology, batch,
      { training: true, fusedLoss: this.loss.fused }, this.labelsPerSample);
    this.program?.dispose();
    this.program = next;
  }

  /**
   * Checks x and labels against the model and the loss and brings them into
   * JS memory as flat Float32Arrays (typed arrays of the right kind are used
   * as they are, not copied).
   * @throws {ShapeError} for a wrong length, shape, class count or label value.
   */
  prepare(x: TrainInput | readonly TrainInput[], labels: LabelInput, what: string): Dataset {
    const where = `${this.m.label}: ${what}`;
    const n = this.inputShapes.length;
    const isList = Array.isArray(x) && x.length > 0 && typeof x[0] !== "number";
    if (n > 1 && (!isList || x.length !== n)) {
      throw new ShapeError(`${where}: the model has ${n} inputs, so x must be an array of ${n} ` +
        `(${this.inputShapes.map(formatShape).join(", ")})`);
    }
    const given = n > 1 || (isList && x.length === 1) ? (x as readonly TrainInput[]) : [x as TrainInput];
    const xs = given.map((v, k) => this.checkInput(v, k, where));
    const count = xs[0]!.length / this.inSizes[0]!;
    xs.forEach((v, k) => {
      if (v.length / this.inSizes[k]! !== count) {
        throw new ShapeError(`${where}: the inputs disagree on the number of samples: ` +
          `${xs.map((a, i) => a.length / this.inSizes[i]!).join(", ")}`);
      }
    });
    const ys = labels instanceof Int32Array ? Float32Array.from(labels) : this.toFloats(labels, where, "labels");
    this.checkLabels(ys, count, where);
    return { xs, labels: ys, count };
  }

  /** Input `k` as flat floats, checked against its shape. */
  private checkInput(v: TrainInput, k: number, where: string): Float32Array {
    const shape = this.inputShapes[k]!;
    const name = this.inputShapes.length === 1 ? "x" : `x[${k}]`;
    const flat = this.toFloats(v, where, name);
    if (v instanceof Tensor && (v.shape.length !== shape.length + 1 || shape.some((d, i) => v.shape[i + 1] !== d))) {
      throw new ShapeError(`${where}: ${name} must have shape [batch,${shape.join(",")}], got ${formatShape(v.shape)}`);
    }
    const per = this.inSizes[k]!;
    if (flat.length === 0 || flat.length % per !== 0) {
      throw new ShapeError(`${where}: ${name} has ${flat.length} floats, not a positive multiple of ${per} ` +
        `(one ${formatShape(shape)} sample)`);
    }
    return flat;
  }

  /** Copies samples `order[start .. start + count)` (or `start ..` when order is null) into the planned batch. */
  load(data: Dataset, order: Int32Array | null, start: number, count: number): void {
    const plan = this.requirePlan();
    this.loaded = { order, start };
    const f32 = this.m.backend.arena.f32();
    const copy = (from: Float32Array, to: number, per: number): void => {
      if (order === null) {
        f32.set(from.subarray(start * per, (start + count) * per), to);
        return;
      }
      for (let j = 0; j < count; j++) {
        const s = order[start + j]!;
        f32.set(from.subarray(s * per, (s + 1) * per), to + j * per);
      }
    };
    data.xs.forEach((x, k) => copy(x, plan.inputs[k]! / F32_BYTES, this.inSizes[k]!));
    copy(data.labels, plan.labels / F32_BYTES, this.labelsPerSample);
  }

  /** Model.trainOnBatch: one step on all of `x`; the loss and accuracy from before the update. */
  trainOnBatch(x: TrainInput | readonly TrainInput[], labels: LabelInput): { loss: number; accuracy: number } {
    const data = this.prepare(x, labels, "trainOnBatch");
    this.ensureCapacity(data.count);
    this.load(data, null, 0, data.count);
    const totals = emptyTotals();
    const loss = this.step(data.count, totals, () => "in trainOnBatch");
    return { loss, accuracy: this.accuracy ? totals.correct / Math.max(totals.total, 1) : NaN };
  }

  /**
   * One optimizer step on the loaded batch; adds its results to `totals`.
   * `where` names the step for a divergence message ("at epoch 3, batch 17").
   * @throws {TrainingDivergedError} when the loss or a gradient is NaN or
   *   infinite; no weight has changed then.
   */
  step(batch: number, totals: BatchTotals, where: () => string): number {
    const plan = this.requirePlan();
    plan.forward(batch, true);
    const loss = this.lossAndCount(batch, totals);
    if (!Number.isFinite(loss)) {
      throw new TrainingDivergedError(`${this.m.label}: loss became ${loss} ${where()}; ${this.blame(batch)}` +
        `the weights are left as they were before this step`);
    }
    plan.backward(batch);
    this.checkGradients(batch, where);
    this.iterations++;
    for (const { opt } of this.params) this.optimizer.update(this.train, opt, this.iterations);
    plan.commitStep();
    for (const layer of this.trainable) {
      layer.weightsVersion++;
      layer.weightsChanged();
    }
    return loss;
  }

  /** Forward in inference mode and the loss of the loaded batch (no update); adds to `totals`. */
  evaluateBatch(batch: number, totals: BatchTotals): number {
    this.requirePlan().forward(batch, false);
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

  private lossAndCount(batch: number, totals: BatchTotals): number {
    const plan = this.program!;
    const rows = (batch * this.outSize) / this.cols;
    const y = plan.outputs[0]!;
    const loss = runLoss(this.train, this.loss, { logits: plan.lossInput, y: plan.lossInput, labels: plan.labels,
      grad: plan.lossGrad }, rows, this.cols);
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

  /**
   * When the loaded input batch holds NaN or Infinity, a sentence naming the
   * sample (its index in the data given to fit / trainOnBatch); else "".
   */
  private blame(batch: number): string {
    const plan = this.program!;
    for (let k = 0; k < this.inSizes.length; k++) {
      const per = this.inSizes[k]!;
      const i = this.m.backend.kernels.firstNonFinite(plan.inputs[k]!, batch * per);
      if (i < 0) continue;
      const v = this.m.backend.arena.f32()[plan.inputs[k]! / F32_BYTES + i]!;
      const j = Math.floor(i / per);
      const { order, start } = this.loaded;
      const sample = order === null ? start + j : order[start + j]!;
      const name = this.inSizes.length === 1 ? "x" : `x[${k}]`;
      return `the input is at fault: ${name} sample ${sample} holds ${v} (at offset ${i % per} of its ${per} values); `;
    }
    return "";
  }

  /** One kernel pass per gradient: NaN or Infinity anywhere stops the step before any update. */
  private checkGradients(batch: number, where: () => string): void {
    const kernels = this.m.backend.kernels;
    for (const { layer, param } of this.params) {
      if (kernels.firstNonFinite(param.grad, param.size) >= 0) {
        throw new TrainingDivergedError(`${this.m.label}: a gradient of ${layer.name}/${param.name} ${formatShape(param.shape)} ` +
          `became NaN or infinite ${where()}; ${this.blame(batch)}the weights are left as they were before this step`);
      }
    }
  }

  private checkLabels(ys: Float32Array, count: number, where: string): void {
    const loss = this.loss;
    const outShape = this.outputShape;
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

  private requirePlan(): Program {
    if (this.program === null) throw new Error("trainer: no plan (ensureCapacity first)");
    return this.program;
  }
}

/** Zeroed batch totals. */
export function emptyTotals(): BatchTotals {
  return { lossSum: 0, samples: 0, correct: 0, total: 0 };
}
