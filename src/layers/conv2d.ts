// Conv2D: y = act(conv(x, kernel) + bias) over NHWC input, Keras kernel
// layout [kh, kw, inChannels, filters]. The kernel is packed once at build
// (and after setWeights) because packing per call costs more than the math
// for small batches; bias and element-wise activation run in the conv
// epilogue, softmax as a row pass over channels afterwards.

import type { WindowGeometry } from "../backend/kernels.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { axisWindow, formatShape, type Padding } from "../shape.js";
import {
  activationBackward, parseActivation, softmaxRows, type ActivationName, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { initialize, parseInitializer, type InitializerName } from "./init.js";
import {
  boolOption, Layer, pair, paddingOption, positiveInt,
  type AffineSource, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam,
} from "./layer.js";
import { FoldedWeights } from "./fold.js";

/** Options of {@link Conv2D} (tfjs-layers names). */
export interface Conv2DConfig extends LayerConfig {
  /** Number of output channels. */
  filters: number;
  /** Window size, `n` or `[height, width]` (default 3). */
  kernelSize?: number | [number, number];
  /** Step, `n` or `[height, width]` (default 1). */
  strides?: number | [number, number];
  /** 'valid' (default, as Keras) or 'same' (TensorFlow: extra padding at the bottom/right). */
  padding?: Padding;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Slope for x < 0 when `activation` is 'leakyRelu' (default 0.3). */
  alpha?: number;
  /** Add a bias per filter (default true). */
  useBias?: boolean;
  /** Kernel initializer by name (default 'glorotUniform', as Keras). */
  kernelInitializer?: InitializerName;
  /** Bias initializer by name (default 'zeros', as Keras). */
  biasInitializer?: InitializerName;
}

/** The keys of {@link Conv2DConfig}, in the order error messages list them. */
export const CONV2D_KEYS = configKeys<Conv2DConfig>()([
  "filters", "kernelSize", "strides", "padding", "activation", "alpha", "useBias", "kernelInitializer", "biasInitializer",
  "name", "seed",
]);

/**
 * 2-D convolution over channels-last images.
 * @example
 * new Conv2D({ filters: 6, kernelSize: 5, activation: "relu" });            // 28x28x1 -> 24x24x6
 * new Conv2D({ filters: 16, kernelSize: [3, 5], strides: [2, 1], padding: "same" });
 * new Conv2D({ filters: 32, activation: "relu", kernelInitializer: "heNormal", seed: 1 });
 * @throws {ConfigError} for a non-positive or non-integer size, an unknown
 *   padding, activation or initializer, or a bad seed. At build: {@link ShapeError} when the input is not
 *   [height, width, channels] or a 'valid' kernel is larger than the input.
 */
export class Conv2D extends Layer {
  readonly className = "Conv2D";
  readonly namePrefix = "conv2d";
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: ParsedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  private geometry: WindowGeometry | null = null;
  private kernelPtr = 0;
  private biasPtr = 0;
  private packedPtr = 0;
  private packedSize = 0;
  private readonly paramList: LayerParam[] = [];
  private fold: FoldedWeights | null = null;

  constructor(config: Conv2DConfig) {
    checkConfigKeys(config, CONV2D_KEYS, "Conv2D");
    super(config);
    const where = "Conv2D";
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: a config object is required`);
    this.filters = positiveInt(config.filters, "filters", where);
    this.kernelSize = pair(config.kernelSize ?? 3, "kernelSize", where);
    this.strides = pair(config.strides ?? 1, "strides", where);
    this.padding = paddingOption(config.padding, where);
    this.activation = parseActivation(config.activation, config.alpha, where);
    this.useBias = boolOption(config.useBias, true, "useBias", where);
    this.kernelInitializer = parseInitializer(config.kernelInitializer, "glorotUniform", `${where} kernelInitializer`);
    this.biasInitializer = parseInitializer(config.biasInitializer, "zeros", `${where} biasInitializer`);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    const [h, w] = inputShape as [number, number, number];
    const [kh, kw] = this.kernelSize;
    const rows = axisWindow(h, kh, this.strides[0], this.padding);
    const cols = axisWindow(w, kw, this.strides[1], this.padding);
    if (rows.out <= 0 || cols.out <= 0) {
      throw new ShapeError(`${this.describe()}: kernel ${kh}x${kw} is larger than the ${h}x${w} input ` +
        `with 'valid' padding (input ${formatShape(inputShape)}); use padding 'same' or a smaller kernel`);
    }
    return [rows.out, cols.out, this.filters];
  }

  protected override allocateParams(inputShape: readonly number[], outputShape: readonly number[]): void {
    const [h, w, cin] = inputShape as [number, number, number];
    const [kh, kw] = this.kernelSize;
    const kernels = this.requireBackend().kernels;
    const kernelSize = kh * kw * cin * this.filters;
    this.kernelPtr = this.allocBlock(kernelSize);
    this.paramList.push({ name: "kernel", shape: [kh, kw, cin, this.filters], size: kernelSize, value: this.kernelPtr, trainable: true, grad: 0 });
    if (this.useBias) {
      this.biasPtr = this.allocBlock(this.filters);
      this.paramList.push({ name: "bias", shape: [this.filters], size: this.filters, value: this.biasPtr, trainable: true, grad: 0 });
    }
    this.packedSize = kernels.conv2dPackedSize(kh, kw, cin, this.filters);
    this.packedPtr = this.allocBlock(this.packedSize);
    const rows = axisWindow(h, kh, this.strides[0], this.padding);
    const cols = axisWindow(w, kw, this.strides[1], this.padding);
    this.geometry = {
      batch: 1, inHeight: h, inWidth: w, inChannels: cin,
      outHeight: outputShape[0]!, outWidth: outputShape[1]!,
      kernelHeight: kh, kernelWidth: kw, strideHeight: this.strides[0], strideWidth: this.strides[1],
      padTop: rows.padBefore, padLeft: cols.padBefore,
    };
    // Keras' receptive-field fans: fanIn = kh*kw*in, fanOut = kh*kw*filters.
    const [fanIn, fanOut] = [kh * kw * cin, kh * kw * this.filters];
    const seed = this.randomSeed();
    const { f32, at } = this.view(this.kernelPtr);
    initialize(this.kernelInitializer, kernels, f32, at, kernelSize, fanIn, fanOut, seed);
    // The bias draws from its own stream (seed + 1) so changing it never shifts the kernel.
    if (this.useBias) initialize(this.biasInitializer, kernels, f32, this.biasPtr / F32_BYTES, this.filters, fanIn, fanOut, seed + 1);
    this.weightsChanged();
  }

  override packedFloats(): number {
    return this.packedSize;
  }

  override weightsChanged(): void {
    const [kh, kw] = this.kernelSize;
    const g = this.geometry!;
    this.requireBackend().kernels.conv2dPackFilter(this.kernelPtr, kh, kw, g.inChannels, this.filters, this.packedPtr);
  }

  override scratchFloats(batch: number): number {
    const g = this.geometry!;
    g.batch = batch;
    return this.requireBackend().kernels.conv2dScratchSize(g);
  }

  override trainingScratchFloats(batch: number): number {
    const g = this.geometry!;
    g.batch = batch;
    return this.trainKernels().conv2dBackwardScratchSize(g, this.filters);
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  forward({ batch, x, y, scratch, activation, folded }: ForwardArgs): void {
    const g = this.geometry!;
    g.batch = batch; // reuse the one geometry object: nothing allocated per call
    const kernels = this.requireBackend().kernels;
    const act = activation ?? this.activation;
    let [packed, bias] = [this.packedPtr, this.biasPtr];
    if (folded) {
      const f = this.fold!;
      const [kh, kw] = this.kernelSize;
      f.refresh(kernels, this.weightsVersion, this.kernelPtr, kh * kw * g.inChannels * this.filters, this.biasPtr,
        this.filters, (raw, out) => kernels.conv2dPackFilter(raw, kh, kw, g.inChannels, this.filters, out));
      [packed, bias] = [f.packed, f.bias];
    }
    kernels.conv2d(g, x, packed, bias, y, this.filters, act.id, act.alpha, scratch);
    if (act.softmax) softmaxRows(kernels, y, batch * g.outHeight * g.outWidth, this.filters);
  }

  override prepareFold(source: AffineSource): boolean {
    if (this.fold?.source === source) return true;
    const [kh, kw] = this.kernelSize;
    const g = this.geometry!;
    this.fold = new FoldedWeights(source, this.allocBlock(kh * kw * g.inChannels * this.filters),
      this.allocBlock(this.packedSize), this.allocBlock(this.filters));
    return true;
  }

  override backward({ batch, x, y, dy, dx, fusedActivation, scratch }: BackwardArgs): void {
    const g = this.geometry!;
    g.batch = batch;
    const train = this.trainKernels();
    if (!fusedActivation) {
      activationBackward(this.requireBackend().kernels, this.activation, y, dy, dy, batch * g.outHeight * g.outWidth, this.filters);
    }
    const [kernel, bias] = this.paramList;
    train.conv2dBackwardFilter(g, x, dy, kernel!.grad, bias?.grad ?? 0, this.filters);
    if (dx !== 0) train.conv2dBackwardInput(g, dy, this.kernelPtr, dx, this.filters, scratch);
  }

  override weights(): LayerParam[] {
    return this.paramList;
  }

  getConfig(): Conv2DConfig & Record<string, unknown> {
    return {
      name: this.name, filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides],
      padding: this.padding, activation: this.activation.name, alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined,
      useBias: this.useBias, kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      seed: this.seed,
    };
  }
}
