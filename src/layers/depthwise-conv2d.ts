// DepthwiseConv2D (Keras): each input channel c convolved with its own
// `depthMultiplier` filters, output channel c*M + m, over NHWC input.
// Weights `depthwise_kernel` [kh, kw, inChannels, M] and `bias` [inChannels*M].
// The kernels read the raw kernel (nothing to pack: flattening its last two
// axes already gives the output channel), so a folded BatchNormalization is
// the same per-output-channel scaling as for Conv2D (fold.ts).

import type { WindowGeometry } from "../backend/kernels.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, type Padding } from "../shape.js";
import {
  LINEAR, activateKept, activationBackward, fusedPart, keptFloats, parseActivation, softmaxRows, type ActivationName, type NamedActivation, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { FoldedWeights, paddedGeometry, rowBand } from "./fold.js";
import { readWindowOptions, windowsOf } from "./window-options.js";
import { initialize, parseInitializer, type InitializerName } from "./init.js";
import {
  boolOption, Layer, positiveInt,
  type AffineSource, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam, type Padding2D,
} from "./layer.js";

/** Options of {@link DepthwiseConv2D} (tfjs-layers names). */
export interface DepthwiseConv2DConfig extends LayerConfig {
  /** Window size, `n` or `[height, width]` (required, as in Keras). */
  kernelSize: number | [number, number];
  /** Step, `n` or `[height, width]` (default 1). */
  strides?: number | [number, number];
  /** 'valid' (default, as Keras) or 'same' (TensorFlow: extra padding at the bottom/right). */
  padding?: Padding;
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  /** Spacing of the taps, `n` or `[height, width]` (default 1); with strides > 1 only 1, as Keras. */
  dilationRate?: number | [number, number];
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Slope for x < 0 when `activation` is 'leakyRelu' (default 0.3). */
  alpha?: number;
  /** Add a bias per output channel (default true). */
  useBias?: boolean;
  /** Kernel initializer by name (default 'glorotUniform', as Keras). */
  depthwiseInitializer?: InitializerName;
  /** Bias initializer by name (default 'zeros', as Keras). */
  biasInitializer?: InitializerName;
}

/** The keys of {@link DepthwiseConv2DConfig}, in the order error messages list them. */
export const DEPTHWISE_CONV2D_KEYS = configKeys<DepthwiseConv2DConfig>()([
  "kernelSize", "strides", "padding", "depthMultiplier", "dilationRate", "activation", "alpha", "useBias",
  "depthwiseInitializer", "biasInitializer", "name", "seed",
]);

/**
 * Depthwise 2-D convolution over channels-last images (MobileNet's 3x3 blocks).
 * @example
 * new DepthwiseConv2D({ kernelSize: 3, padding: "same" });                 // 32x32x16 -> 32x32x16
 * new DepthwiseConv2D({ kernelSize: 3, strides: 2, depthMultiplier: 2 });  // 33x33x8 -> 16x16x16
 * new DepthwiseConv2D({ kernelSize: 3, dilationRate: 2, padding: "same", activation: "relu" });
 * @throws {ConfigError} for a non-positive or non-integer size, strides and dilation both > 1, an
 *   unknown padding, activation or initializer, or a bad seed. At build: {@link ShapeError} when the
 *   input is not [height, width, channels] or a 'valid' (dilated) kernel is larger than the input.
 */
export class DepthwiseConv2D extends Layer {
  readonly className = "DepthwiseConv2D";
  readonly namePrefix = "depthwise_conv2d";
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly depthMultiplier: number;
  readonly dilationRate: [number, number];
  readonly activation: NamedActivation;
  readonly useBias: boolean;
  readonly depthwiseInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  private geometry: WindowGeometry | null = null;
  /** Inference with a ZeroPadding2D moved in (preparePadding): the geometry over the unpadded input. */
  private padded: WindowGeometry | null = null;
  /** forwardRows' geometry of one band of output rows. */
  private band: WindowGeometry | null = null;
  private kernelPtr = 0;
  private biasPtr = 0;
  private outChannels = 0;
  private readonly paramList: LayerParam[] = [];
  private fold: FoldedWeights | null = null;

  constructor(config: DepthwiseConv2DConfig) {
    checkConfigKeys(config, DEPTHWISE_CONV2D_KEYS, "DepthwiseConv2D");
    super(config);
    const where = "DepthwiseConv2D";
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: a config object is required`);
    ({ kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, dilationRate: this.dilationRate } =
      readWindowOptions(config, where));
    this.depthMultiplier = positiveInt(config.depthMultiplier ?? 1, "depthMultiplier", where);
    this.activation = parseActivation(config.activation, config.alpha, where);
    this.useBias = boolOption(config.useBias, true, "useBias", where);
    this.depthwiseInitializer = parseInitializer(config.depthwiseInitializer, "glorotUniform", `${where} depthwiseInitializer`);
    this.biasInitializer = parseInitializer(config.biasInitializer, "zeros", `${where} biasInitializer`);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    const [h, w, c] = inputShape as [number, number, number];
    const [rows, cols] = this.windows(h, w);
    if (rows.out <= 0 || cols.out <= 0) {
      const [kh, kw] = this.kernelSize;
      throw new ShapeError(`${this.describe()}: kernel ${kh}x${kw} (dilation ${this.dilationRate.join("x")}) is ` +
        `larger than the ${h}x${w} input with 'valid' padding (input ${formatShape(inputShape)}); use padding ` +
        `'same' or a smaller kernel`);
    }
    return [rows.out, cols.out, c * this.depthMultiplier];
  }

  private windows(h: number, w: number) {
    return windowsOf(this, h, w);
  }

  protected override allocateParams(inputShape: readonly number[], outputShape: readonly number[]): void {
    const [h, w, cin] = inputShape as [number, number, number];
    const [kh, kw] = this.kernelSize;
    const kernels = this.requireBackend().kernels;
    const m = this.depthMultiplier;
    const units = (this.outChannels = cin * m);
    const kernelSize = kh * kw * units;
    this.kernelPtr = this.allocBlock(kernelSize);
    this.paramList.push({ name: "depthwise_kernel", shape: [kh, kw, cin, m], size: kernelSize, value: this.kernelPtr, trainable: true, grad: 0 });
    if (this.useBias) {
      this.biasPtr = this.allocBlock(units);
      this.paramList.push({ name: "bias", shape: [units], size: units, value: this.biasPtr, trainable: true, grad: 0 });
    }
    const [rows, cols] = this.windows(h, w);
    this.geometry = {
      batch: 1, inHeight: h, inWidth: w, inChannels: cin,
      outHeight: outputShape[0]!, outWidth: outputShape[1]!,
      kernelHeight: kh, kernelWidth: kw, strideHeight: this.strides[0], strideWidth: this.strides[1],
      padTop: rows.padBefore, padLeft: cols.padBefore,
    };
    // tfjs-layers' computeFans on the [kh, kw, in, M] kernel: fanIn = kh*kw*in, fanOut = kh*kw*M.
    const [fanIn, fanOut] = [kh * kw * cin, kh * kw * m];
    const seed = this.randomSeed();
    const { f32, at } = this.view(this.kernelPtr);
    initialize(this.depthwiseInitializer, kernels, f32, at, kernelSize, fanIn, fanOut, seed);
    // The bias draws from its own stream (seed + 1) so changing it never shifts the kernel.
    if (this.useBias) initialize(this.biasInitializer, kernels, f32, this.biasPtr / F32_BYTES, units, fanIn, fanOut, seed + 1);
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  override trainingStateFloats(batch: number): number {
    const g = this.geometry!;
    return keptFloats(this.activation, batch * g.outHeight * g.outWidth * this.outChannels);
  }

  forward({ batch, x, y, activation, folded, padding, training, state }: ForwardArgs): void {
    const g = padding === null ? this.geometry! : this.padded!;
    g.batch = batch; // reuse the one geometry object: nothing allocated per call
    const kernels = this.requireBackend().kernels;
    const act = activation ?? this.activation;
    const keep = training ? state : 0;
    const fused = fusedPart(act, keep);
    let kernel = this.kernelPtr;
    let bias = this.biasPtr;
    if (folded) {
      const f = this.fold!;
      const [kh, kw] = this.kernelSize;
      // Nothing to pack: the folded raw block is what the kernel reads.
      f.refresh(kernels, this.weightsVersion, this.kernelPtr, kh * kw * this.outChannels, this.biasPtr,
        this.outChannels, () => {});
      kernel = f.packed;
      bias = f.bias;
    }
    const [dh, dw] = this.dilationRate;
    kernels.depthwiseConv2d(g, dh, dw, x, kernel, bias, keep || y, this.depthMultiplier, fused.id, fused.alpha);
    activateKept(kernels, act, keep, y, batch * g.outHeight * g.outWidth * this.outChannels);
    if (act.softmax) softmaxRows(kernels, y, batch * g.outHeight * g.outWidth, this.outChannels);
  }

  /**
   * Output rows [row0, row0 + rows) of image `image` of `x` into `y` (a band
   * [rows, outWidth, channels]), linear, with this layer's raw weights: the
   * depthwise half of SeparableConv2D at inference, one cache-sized band at a time.
   */
  forwardRows(x: number, y: number, image: number, row0: number, rows: number): void {
    const g = this.geometry!;
    const band = (this.band ??= { ...g });
    const first = rowBand(g, row0, rows, band);
    const [dh, dw] = this.dilationRate;
    const offset = (image * g.inHeight + first) * g.inWidth * g.inChannels * F32_BYTES;
    this.requireBackend().kernels.depthwiseConv2d(band, dh, dw, x + offset, this.kernelPtr, this.biasPtr, y,
      this.depthMultiplier, LINEAR.id, 0);
  }

  override get absorbsAffine(): boolean {
    return true;
  }

  override preparePadding(padding: Padding2D): boolean {
    this.padded = paddedGeometry(this.geometry!, padding);
    return true;
  }

  override prepareFold(source: AffineSource): boolean {
    if (this.fold?.source === source) return true;
    const [kh, kw] = this.kernelSize;
    const raw = this.allocBlock(kh * kw * this.outChannels);
    this.fold = new FoldedWeights(source, raw, raw, this.allocBlock(this.outChannels));
    return true;
  }

  override backward({ batch, x, y, dy, dx, fusedActivation, state }: BackwardArgs): void {
    const g = this.geometry!;
    g.batch = batch;
    const train = this.trainKernels();
    if (!fusedActivation) {
      activationBackward(this.requireBackend().kernels, this.activation, y, dy, dy, batch * g.outHeight * g.outWidth,
        this.outChannels, state);
    }
    const [dh, dw] = this.dilationRate;
    const [kernel, bias] = this.paramList;
    train.depthwiseConv2dBackwardFilter(g, dh, dw, x, dy, kernel!.grad, bias?.grad ?? 0, this.depthMultiplier);
    if (dx !== 0) train.depthwiseConv2dBackwardInput(g, dh, dw, dy, this.kernelPtr, dx, this.depthMultiplier);
  }

  override weights(): LayerParam[] {
    return this.paramList;
  }

  getConfig(): DepthwiseConv2DConfig & Record<string, unknown> {
    return {
      name: this.name, kernelSize: [...this.kernelSize], strides: [...this.strides], padding: this.padding,
      depthMultiplier: this.depthMultiplier, dilationRate: [...this.dilationRate], activation: this.activation.name,
      alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined, useBias: this.useBias,
      depthwiseInitializer: this.depthwiseInitializer, biasInitializer: this.biasInitializer, seed: this.seed,
    };
  }
}
