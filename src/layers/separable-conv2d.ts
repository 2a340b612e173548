// SeparableConv2D (Keras): a depthwise convolution (no bias, no activation)
// followed by a 1x1 "pointwise" convolution with the bias and the
// activation. It holds a DepthwiseConv2D of its own for the first half (the
// same kernels, geometry and checks) and runs the second half as one GEMM
// over the pixels, the depthwise output in between: at inference a band of
// rows at a time in the forward scratch, each consumed by the GEMM while it
// is in cache; in the node's training state while training (the pointwise
// weight gradient needs all of it). Weights in Keras order: depthwise_kernel
// [kh, kw, in, M], pointwise_kernel [1, 1, in*M, filters], bias [filters].

import { ConfigError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import {
  activateKept, activationBackward, fusedPart, keptFloats, parseActivation, softmaxRows, type ActivationName, type NamedActivation, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { DepthwiseConv2D, type DepthwiseConv2DConfig } from "./depthwise-conv2d.js";
import { FoldedWeights } from "./fold.js";
import { initialize, parseInitializer, type InitializerName } from "./init.js";
import { InputLayer } from "./input-layer.js";
import {
  boolOption, Layer, positiveInt,
  type AffineSource, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam,
} from "./layer.js";

/**
 * Bytes of depthwise output per inference band: half of a 48 KiB L1 data
 * cache, so the band the depthwise half writes is still there when the
 * pointwise GEMM reads it (and the scratch is a band, not the whole output).
 */
const BAND_BYTES = 24 * 1024;

/** Options of {@link SeparableConv2D} (tfjs-layers names). */
export interface SeparableConv2DConfig extends LayerConfig {
  /** Output channels of the pointwise convolution. */
  filters: number;
  /** Depthwise window, `n` or `[height, width]` (required, as in Keras). */
  kernelSize: number | [number, number];
  /** Depthwise step (default 1). */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same'. */
  padding?: DepthwiseConv2DConfig["padding"];
  /** Depthwise output channels per input channel (default 1). */
  depthMultiplier?: number;
  /** Depthwise tap spacing (default 1). */
  dilationRate?: number | [number, number];
  /** Applied after the pointwise convolution (default 'linear'). */
  activation?: ActivationName;
  /** Slope for x < 0 when `activation` is 'leakyRelu' (default 0.3). */
  alpha?: number;
  /** Add a bias per filter (default true). */
  useBias?: boolean;
  /** Depthwise kernel initializer (default 'glorotUniform'). */
  depthwiseInitializer?: InitializerName;
  /** Pointwise kernel initializer (default 'glorotUniform'). */
  pointwiseInitializer?: InitializerName;
  /** Bias initializer (default 'zeros'). */
  biasInitializer?: InitializerName;
}

/** The keys of {@link SeparableConv2DConfig}. */
export const SEPARABLE_CONV2D_KEYS = configKeys<SeparableConv2DConfig>()([
  "filters", "kernelSize", "strides", "padding", "depthMultiplier", "dilationRate", "activation", "alpha", "useBias",
  "depthwiseInitializer", "pointwiseInitializer", "biasInitializer", "name", "seed",
]);

/**
 * Depthwise then pointwise convolution (Xception, MobileNet v1 blocks).
 * @example
 * new SeparableConv2D({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" });
 * new SeparableConv2D({ filters: 16, kernelSize: 3, strides: 2, depthMultiplier: 2 });
 * @throws {ConfigError} for a non-positive size, strides and dilation both > 1, an unknown
 *   padding, activation or initializer. At build: {@link ShapeError} as DepthwiseConv2D.
 */
export class SeparableConv2D extends Layer {
  readonly className = "SeparableConv2D";
  readonly namePrefix = "separable_conv2d";
  readonly filters: number;
  readonly activation: NamedActivation;
  readonly useBias: boolean;
  readonly pointwiseInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  /** The depthwise half: its own kernels, geometry and checks. */
  private readonly depthwise: DepthwiseConv2D;
  /** Pixels per sample of the output, and channels between the halves (in * M). */
  private pixels = 0;
  private outHeight = 0;
  private outWidth = 0;
  private middle = 0;
  private pointwisePtr = 0;
  private biasPtr = 0;
  private packedPtr = 0;
  private packedSize = 0;
  private readonly ownParams: LayerParam[] = [];
  private fold: FoldedWeights | null = null;
  private readonly dwArgs: ForwardArgs = {
    batch: 0, x: 0, inputs: [], y: 0, scratch: 0, training: false, activation: null, folded: false, padding: null,
    residual: 0, state: 0,
  };
  private readonly dwBack: BackwardArgs = {
    batch: 0, x: 0, inputs: [], y: 0, dy: 0, dx: 0, dxs: [], accumulate: [], fusedActivation: false, scratch: 0, state: 0,
  };

  constructor(config: SeparableConv2DConfig) {
    checkConfigKeys(config, SEPARABLE_CONV2D_KEYS, "SeparableConv2D");
    super(config);
    const where = "SeparableConv2D";
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: a config object is required`);
    this.filters = positiveInt(config.filters, "filters", where);
    this.activation = parseActivation(config.activation, config.alpha, where);
    this.useBias = boolOption(config.useBias, true, "useBias", where);
    this.pointwiseInitializer = parseInitializer(config.pointwiseInitializer, "glorotUniform", `${where} pointwiseInitializer`);
    this.biasInitializer = parseInitializer(config.biasInitializer, "zeros", `${where} biasInitializer`);
    this.depthwise = new DepthwiseConv2D({
      kernelSize: config.kernelSize, strides: config.strides, padding: config.padding,
      depthMultiplier: config.depthMultiplier, dilationRate: config.dilationRate, useBias: false,
      depthwiseInitializer: config.depthwiseInitializer, seed: config.seed,
    });
  }

  get kernelSize(): [number, number] {
    return this.depthwise.kernelSize;
  }

  get strides(): [number, number] {
    return this.depthwise.strides;
  }

  get padding(): DepthwiseConv2D["padding"] {
    return this.depthwise.padding;
  }

  get depthMultiplier(): number {
    return this.depthwise.depthMultiplier;
  }

  get dilationRate(): [number, number] {
    return this.depthwise.dilationRate;
  }

  get depthwiseInitializer(): InitializerName {
    return this.depthwise.depthwiseInitializer;
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    // The depthwise half infers (and checks) its own shape on a private input of this shape.
    this.depthwise.name = this.name;
    const mid = this.depthwise.apply(new InputLayer({ shape: [...inputShape] }).output).shape;
    this.outHeight = mid[0]!;
    this.outWidth = mid[1]!;
    this.pixels = mid[0]! * mid[1]!;
    this.middle = mid[2]!;
    return [mid[0]!, mid[1]!, this.filters];
  }

  protected override allocateParams(): void {
    const kernels = this.requireBackend().kernels;
    this.depthwise.name = this.name;
    this.depthwise.modelSeed = this.modelSeed;
    this.depthwise.build(this.requireBackend());
    const size = this.middle * this.filters;
    this.pointwisePtr = this.allocBlock(size);
    this.ownParams.push({ name: "pointwise_kernel", shape: [1, 1, this.middle, this.filters], size,
      value: this.pointwisePtr, trainable: true, grad: 0 });
    if (this.useBias) {
      this.biasPtr = this.allocBlock(this.filters);
      this.ownParams.push({ name: "bias", shape: [this.filters], size: this.filters, value: this.biasPtr, trainable: true, grad: 0 });
    }
    this.packedSize = kernels.gemmPackedSize(this.middle, this.filters);
    this.packedPtr = this.allocBlock(this.packedSize);
    // Its own streams (seed + 2, + 3): the depthwise half draws from the layer's seed.
    const seed = this.randomSeed();
    const { f32 } = this.view(0);
    initialize(this.pointwiseInitializer, kernels, f32, this.pointwisePtr / F32_BYTES, size, this.middle, this.filters, seed + 2);
    if (this.useBias) {
      initialize(this.biasInitializer, kernels, f32, this.biasPtr / F32_BYTES, this.filters, this.middle, this.filters, seed + 3);
    }
    this.weightsChanged();
  }

  override weights(): LayerParam[] {
    return this.depthwise.built ? [...this.depthwise.weights(), ...this.ownParams] : [];
  }

  override weightsChanged(): void {
    this.requireBackend().kernels.gemmPackB(this.pointwisePtr, this.middle, this.filters, this.packedPtr);
  }

  override packedFloats(): number {
    return this.packedSize;
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  /** The depthwise output between the halves, [batch, pixels, in * M]. */
  private middleFloats(batch: number): number {
    return batch * this.pixels * this.middle;
  }

  override scratchFloats(): number {
    return this.bandRows() * this.outWidth * this.middle;
  }

  override trainingStateFloats(batch: number): number {
    return this.middleFloats(batch) + keptFloats(this.activation, batch * this.pixels * this.filters);
  }

  /** Where a training forward keeps swish's input: after the depthwise output in the state (0: not kept). */
  private kept(batch: number, state: number): number {
    return keptFloats(this.activation, 1) && state + this.middleFloats(batch) * F32_BYTES;
  }

  override trainingScratchFloats(batch: number): number {
    return this.middleFloats(batch);
  }

  forward({ batch, x, y, scratch, training, state, activation, folded }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    if (training) {
      // Backward reads the whole depthwise output: it stays in the training state.
      const dw = this.dwArgs;
      dw.batch = batch;
      dw.x = x;
      dw.y = state;
      this.depthwise.forward(dw);
    }
    const act = activation ?? this.activation;
    let packed = this.packedPtr;
    let bias = this.biasPtr;
    if (folded) {
      const f = this.fold!;
      f.refresh(kernels, this.weightsVersion, this.pointwisePtr, this.middle * this.filters, this.biasPtr, this.filters,
        (raw, out) => kernels.gemmPackB(raw, this.middle, this.filters, out));
      packed = f.packed;
      bias = f.bias;
    }
    const m = batch * this.pixels;
    if (training) {
      const keep = this.kept(batch, state);
      const fused = fusedPart(act, keep);
      kernels.gemm(state, packed, bias, keep || y, m, this.middle, this.filters, fused.id, fused.alpha);
      activateKept(kernels, act, keep, y, m * this.filters);
    } else {
      // A band of depthwise rows at a time, each consumed by the GEMM while it is in cache.
      const rows = this.bandRows();
      const rowFloats = this.outWidth * this.filters;
      for (let b = 0; b < batch; b++) {
        for (let r = 0; r < this.outHeight; r += rows) {
          const n = Math.min(rows, this.outHeight - r);
          this.depthwise.forwardRows(x, scratch, b, r, n);
          kernels.gemm(scratch, packed, bias, y + ((b * this.outHeight + r) * rowFloats) * F32_BYTES,
            n * this.outWidth, this.middle, this.filters, act.id, act.alpha);
        }
      }
    }
    if (act.softmax) softmaxRows(kernels, y, m, this.filters);
  }

  /** Depthwise output rows per inference band: BAND_BYTES of them, at least one. */
  private bandRows(): number {
    return Math.min(this.outHeight, Math.max(1, Math.floor(BAND_BYTES / (this.outWidth * this.middle * F32_BYTES))));
  }

  override get absorbsAffine(): boolean {
    return true;
  }

  override prepareFold(source: AffineSource): boolean {
    if (this.fold?.source === source) return true;
    this.fold = new FoldedWeights(source, this.allocBlock(this.middle * this.filters), this.allocBlock(this.packedSize),
      this.allocBlock(this.filters));
    return true;
  }

  override backward({ batch, x, y, dy, dx, fusedActivation, scratch, state }: BackwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const m = batch * this.pixels;
    if (!fusedActivation) activationBackward(kernels, this.activation, y, dy, dy, m, this.filters, this.kept(batch, state));
    const [pointwise, bias] = this.ownParams;
    kernels.gemmBackwardFilter(state, dy, pointwise!.grad, bias?.grad ?? 0, m, this.middle, this.filters);
    // d(depthwise output) in the scratch, then the depthwise half's own backward.
    kernels.gemmBackwardInput(dy, this.pointwisePtr, scratch, m, this.middle, this.filters);
    const b = this.dwBack;
    b.batch = batch;
    b.x = x;
    b.y = state;
    b.dy = scratch;
    b.dx = dx;
    this.depthwise.backward(b);
  }

  override dispose(): void {
    this.depthwise.dispose();
    super.dispose();
  }

  getConfig(): SeparableConv2DConfig & Record<string, unknown> {
    const dw = this.depthwise.getConfig();
    return {
      name: this.name, filters: this.filters, kernelSize: dw.kernelSize, strides: dw.strides, padding: dw.padding,
      depthMultiplier: dw.depthMultiplier, dilationRate: dw.dilationRate, activation: this.activation.name,
      alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined, useBias: this.useBias,
      depthwiseInitializer: dw.depthwiseInitializer, pointwiseInitializer: this.pointwiseInitializer,
      biasInitializer: this.biasInitializer, seed: this.seed,
    };
  }
}
