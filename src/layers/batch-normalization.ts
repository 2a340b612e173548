// BatchNormalization with Keras semantics. Training normalises with the
// batch's own mean and (biased) variance, y = gamma (x - mean) / sqrt(var +
// eps) + beta, and, once the step is known good, moves the moving statistics
// toward the batch's: moving = moving - (moving - batch) * (1 - momentum),
// tfjs-layers' order of operations. Inference uses the moving statistics,
// which is one per-channel affine map (folded into a preceding Conv2D or
// Dense by the model where it can). gamma and beta are trainable; the moving
// statistics are not, so they get no gradient and no optimizer state.
//
// Keras' order and names: gamma, beta, moving_mean, moving_variance (gamma
// absent with scale: false, beta with center: false).

import { ActivationId } from "../../assembly/shared/ids.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, sizeOf } from "../shape.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { boolOption, Layer, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam } from "./layer.js";

/** Options of {@link BatchNormalization} (tfjs-layers names and defaults). */
export interface BatchNormalizationConfig extends LayerConfig {
  /** The features axis, counting the batch axis as 0 as Keras does (default -1: channels). */
  axis?: number;
  /** Weight of the old value in the moving statistics (default 0.99). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-3). */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
}

/** The keys {@link BatchNormalizationConfig} accepts. */
export const BATCH_NORMALIZATION_KEYS = configKeys<BatchNormalizationConfig>()(
  ["axis", "momentum", "epsilon", "center", "scale", "name", "seed"]);

/** Floats of one per-channel vector, rounded up so every vector starts 16-byte aligned. */
const vectorFloats = (channels: number): number => Math.ceil(channels / 4) * 4;

/**
 * Normalises each feature (channel) over the batch while training, and with
 * the moving statistics at inference.
 * @example
 * let x = new Conv2D({ filters: 16, kernelSize: 3, padding: "same", useBias: false }).apply(inp);
 * x = new BatchNormalization().apply(x);
 * x = new ReLU().apply(x);
 * @throws {ConfigError} for a momentum outside [0, 1], a non-positive
 *   epsilon or a non-integer axis; at apply, {@link ShapeError} when the axis
 *   is out of range or the batch axis.
 */
export class BatchNormalization extends Layer {
  readonly className = "BatchNormalization";
  readonly namePrefix = "batch_normalization";
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private channels = 0;
  private outer = 0;
  private inner = 0;
  private readonly list: LayerParam[] = [];
  private gamma: LayerParam | null = null;
  private beta: LayerParam | null = null;
  private movingMean: LayerParam | null = null;
  private movingVariance: LayerParam | null = null;
  /** The inference map from the moving statistics: scale, then shift. */
  private affine = 0;

  constructor(config: BatchNormalizationConfig = {}) {
    checkConfigKeys(config, BATCH_NORMALIZATION_KEYS, "BatchNormalization");
    super(config);
    const where = "BatchNormalization";
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: config must be an object`);
    const axis = config.axis ?? -1;
    if (!Number.isInteger(axis)) throw new ConfigError(`${where}: axis must be an integer, got ${JSON.stringify(config.axis)}`);
    this.axis = axis;
    const momentum = config.momentum ?? 0.99;
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
      throw new ConfigError(`${where}: momentum must be a number in [0, 1], got ${JSON.stringify(config.momentum)}`);
    }
    this.momentum = momentum;
    const epsilon = config.epsilon ?? 1e-3;
    if (typeof epsilon !== "number" || !(epsilon > 0) || !Number.isFinite(epsilon)) {
      throw new ConfigError(`${where}: epsilon must be a positive number, got ${JSON.stringify(config.epsilon)}`);
    }
    this.epsilon = epsilon;
    this.center = boolOption(config.center, true, "center", where);
    this.scale = boolOption(config.scale, true, "scale", where);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    const rank = inputShape.length;
    const a = this.axis < 0 ? rank + this.axis : this.axis - 1;
    if (a < 0 || a >= rank) {
      throw new ShapeError(`${this.describe()}: axis ${this.axis} is ${this.axis === 0 ? "the batch axis" : "out of range"} ` +
        `for input [batch,${inputShape.join(",")}] (input ${formatShape(inputShape)})`);
    }
    this.channels = inputShape[a]!;
    this.outer = sizeOf(inputShape.slice(0, a));
    this.inner = sizeOf(inputShape.slice(a + 1));
    return [...inputShape];
  }

  /** True when the features are the last axis (channels-last): what a Conv2D or Dense can absorb. */
  get normalizesLastAxis(): boolean {
    return this.inner === 1;
  }

  protected override allocateParams(): void {
    const c = this.channels;
    const add = (name: string, trainable: boolean, fill: number): LayerParam => {
      const value = this.allocBlock(c);
      if (fill !== 0) {
        const { f32, at } = this.view(value);
        f32.fill(fill, at, at + c);
      }
      const param: LayerParam = { name, shape: [c], size: c, value, trainable, grad: 0 };
      this.list.push(param);
      return param;
    };
    if (this.scale) this.gamma = add("gamma", true, 1);
    if (this.center) this.beta = add("beta", true, 0);
    this.movingMean = add("moving_mean", false, 0);
    this.movingVariance = add("moving_variance", false, 1);
    this.affine = this.allocBlock(2 * vectorFloats(c));
    this.weightsChanged();
  }

  override weights(): LayerParam[] {
    return this.list;
  }

  override weightsChanged(): void {
    const { scale, shift } = this.inferenceAffine();
    const { f32, at } = this.view(this.affine);
    f32.set(scale, at);
    f32.set(shift, at + vectorFloats(this.channels));
  }

  /**
   * The inference map from the moving statistics, per channel:
   * scale = gamma / sqrt(moving_variance + epsilon), shift = beta - moving_mean * scale.
   * A preceding Conv2D or Dense folds it into its weights and bias.
   */
  inferenceAffine(): { scale: Float64Array; shift: Float64Array } {
    const c = this.channels;
    const { f32 } = this.view(0);
    const read = (p: LayerParam | null, i: number, fallback: number): number =>
      p === null ? fallback : f32[p.value / F32_BYTES + i]!;
    const scale = new Float64Array(c);
    const shift = new Float64Array(c);
    for (let i = 0; i < c; i++) {
      const s = read(this.gamma, i, 1) / Math.sqrt(read(this.movingVariance, i, 1) + this.epsilon);
      scale[i] = s;
      shift[i] = read(this.beta, i, 0) - read(this.movingMean, i, 0) * s;
    }
    return { scale, shift };
  }

  override get inPlace(): boolean {
    return true; // channelAffine allows y == x
  }

  /** Batch mean, batch variance, 1/sqrt(var + eps), and the training scale and shift, per channel. */
  override trainingStateFloats(): number {
    return 5 * vectorFloats(this.channels);
  }

  forward({ batch, x, y, training, state }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const [outer, c, inner] = [batch * this.outer, this.channels, this.inner];
    if (!training) {
      kernels.channelAffine(x, this.affine, this.affine + vectorFloats(c) * F32_BYTES, y, outer, c, inner,
        ActivationId.Linear, 0);
      return;
    }
    const v = vectorFloats(c) * F32_BYTES;
    const [mean, variance, invStd, scale, shift] = [state, state + v, state + 2 * v, state + 3 * v, state + 4 * v];
    kernels.channelMoments(x, outer, c, inner, mean, variance);
    const { f32 } = this.view(0);
    const [mi, vi, ii, si, ti] = [mean, variance, invStd, scale, shift].map((p) => p / F32_BYTES) as
      [number, number, number, number, number];
    for (let i = 0; i < c; i++) {
      const inv = 1 / Math.sqrt(f32[vi + i]! + this.epsilon);
      const g = this.gamma === null ? 1 : f32[this.gamma.value / F32_BYTES + i]!;
      const b = this.beta === null ? 0 : f32[this.beta.value / F32_BYTES + i]!;
      f32[ii + i] = inv;
      f32[si + i] = g * inv;
      f32[ti + i] = b - f32[mi + i]! * g * inv;
    }
    kernels.channelAffine(x, scale, shift, y, outer, c, inner, ActivationId.Linear, 0);
  }

  override backward({ batch, x, dy, dx, state }: BackwardArgs): void {
    const v = vectorFloats(this.channels) * F32_BYTES;
    this.requireBackend().kernels.batchNormBackward(x, dy, state, state + 2 * v, this.gamma?.value ?? 0, dx,
      this.gamma?.grad ?? 0, this.beta?.grad ?? 0, batch * this.outer, this.channels, this.inner);
  }

  /** Moves the moving statistics toward the last training batch's (tfjs-layers' order of f32 operations). */
  override commitStep(state: number): void {
    const { f32 } = this.view(0);
    const v = vectorFloats(this.channels);
    const decay = Math.fround(1 - this.momentum);
    const [mi, vi] = [state / F32_BYTES, state / F32_BYTES + v];
    const mm = this.movingMean!.value / F32_BYTES;
    const mv = this.movingVariance!.value / F32_BYTES;
    for (let i = 0; i < this.channels; i++) {
      f32[mm + i] = f32[mm + i]! - Math.fround(Math.fround(f32[mm + i]! - f32[mi + i]!) * decay);
      f32[mv + i] = f32[mv + i]! - Math.fround(Math.fround(f32[mv + i]! - f32[vi + i]!) * decay);
    }
    this.weightsVersion++;
    this.weightsChanged();
  }

  getConfig(): BatchNormalizationConfig & Record<string, unknown> {
    return {
      name: this.name, axis: this.axis, momentum: this.momentum, epsilon: this.epsilon,
      center: this.center, scale: this.scale,
    };
  }
}
