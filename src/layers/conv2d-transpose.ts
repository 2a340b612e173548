// Conv2DTranspose: the input gradient of a Conv2D, run forward. Take the
// Conv2D that maps this layer's OUTPUT shape to its input shape (same kernel
// size, strides and padding): Keras' transposed kernel [kh, kw, filters, in]
// is that conv's own [kh, kw, cin, cout], and this layer's forward pass is the
// conv's backward-input pass. So the conv kernels serve with the roles
// swapped and none of its own exists (the wasm binaries have no bytes to
// spare):
//   forward       conv2dBackwardInput(x -> y), then bias and activation in
//                 one channelAffine pass (that kernel has no epilogue); at
//                 inference a following BatchNormalization folds into the
//                 kernel and that bias, and a following activation into
//                 that pass, so conv-transpose + BN + ReLU is still two passes;
//   input grad    conv2d forward of dy with the packed kernel;
//   kernel grad   conv2dBackwardFilter with dy as the conv's input and x as
//                 its output gradient; the bias gradient by biasBackward.
// One WindowGeometry (the conv's) describes all four calls. Keras'
// outputPadding picks the conv's input size (our output) among those a conv
// with these strides maps to our input size; rows and columns past its last
// window get the bias alone.

import { ActivationId } from "../../assembly/shared/ids.js";
import type { WindowGeometry } from "../backend/kernels.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, type Padding } from "../shape.js";
import {
  activateKept, activationBackward, fusedPart, keptFloats, parseActivation, softmaxRows,
  type ActivationName, type NamedActivation, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { initialize, parseInitializer, type InitializerName } from "./init.js";
import { FoldedWeights } from "./fold.js";
import {
  boolOption, Layer, pair, positiveInt, type AffineSource, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam,
} from "./layer.js";
import { readWindowOptions } from "./window-options.js";

/** Options of {@link Conv2DTranspose} (tfjs-layers names). */
export interface Conv2DTransposeConfig extends LayerConfig {
  /** Number of output channels. */
  filters: number;
  /** Window size, `n` or `[height, width]` (default 3). */
  kernelSize?: number | [number, number];
  /** Upsampling step, `n` or `[height, width]` (default 1). */
  strides?: number | [number, number];
  /**
   * 'valid' (default): output `(in - 1) * strides + kernelSize` (`in * strides` when the kernel is
   * smaller than the stride); 'same': output `in * strides`, cropped as TensorFlow pads the conv it
   * inverts. Without outputPadding, that is.
   */
  padding?: Padding;
  /**
   * Keras' output_padding, `n` or `[height, width]`, each from 0 to below its stride (default
   * none): the output is then `(in - 1) * strides + kernelSize - 2 * pad + outputPadding`, pad
   * `floor(kernelSize / 2)` for 'same' and 0 for 'valid'. It picks which of the sizes a Conv2D
   * with these strides maps to `in` this layer gives back (a decoder matching its encoder).
   */
  outputPadding?: number | [number, number] | null;
  /** Only 1 (the default): dilated transposed convolutions are not implemented. */
  dilationRate?: number | [number, number];
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

/** The keys of {@link Conv2DTransposeConfig}, in the order error messages list them. */
export const CONV2D_TRANSPOSE_KEYS = configKeys<Conv2DTransposeConfig>()([
  "filters", "kernelSize", "strides", "padding", "outputPadding", "dilationRate", "activation", "alpha", "useBias", "kernelInitializer", "biasInitializer",
  "name", "seed",
]);

/**
 * Transposed 2-D convolution ("deconvolution") over channels-last images: each
 * input pixel spreads its kernel-weighted values over a window of the output,
 * `strides` apart, as in Keras / tfjs-layers. Its kernel is stored as Keras
 * does, `[kh, kw, filters, inChannels]` (output channels before input channels).
 * @example
 * new Conv2DTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: "same" }); // 7x7xC -> 14x14x16
 * new Conv2DTranspose({ filters: 1, kernelSize: 4, strides: 2, activation: "sigmoid" }); // 7x7xC -> 16x16x1
 * new Conv2DTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: "same", outputPadding: 0 }); // 7x7xC -> 13x13x8
 * @throws {ConfigError} for a non-positive or non-integer size, an outputPadding
 *   not below its stride, a dilationRate above 1 (not supported), an unknown
 *   option, padding, activation or initializer, or a bad seed. At build:
 *   {@link ShapeError} when the input is not [height, width, channels] or the
 *   output would be empty.
 */
export class Conv2DTranspose extends Layer {
  readonly className = "Conv2DTranspose";
  readonly namePrefix = "conv2d_transpose";
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  /** [height, width], or null: Keras' output size without output_padding. */
  readonly outputPadding: [number, number] | null;
  readonly activation: NamedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  /** The Conv2D this layer inverts: its input is our output, its output our input. */
  private geometry: WindowGeometry | null = null;
  private kernelPtr = 0;
  private biasPtr = 0;
  private packedPtr = 0;
  private packedSize = 0;
  private inChannels = 0;
  private readonly paramList: LayerParam[] = [];
  private fold: FoldedWeights | null = null;

  constructor(config: Conv2DTransposeConfig) {
    const where = "Conv2DTranspose";
    checkConfigKeys(config, CONV2D_TRANSPOSE_KEYS, where);
    super(config);
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: a config object is required`);
    this.filters = positiveInt(config.filters, "filters", where);
    if (pair(config.dilationRate ?? 1, "dilationRate", where).some((d) => d > 1)) {
      throw new ConfigError(`${where}: dilationRate above 1 is not supported`);
    }
    ({ kernelSize: this.kernelSize, strides: this.strides, padding: this.padding } = readWindowOptions(config, where, 3));
    this.outputPadding = config.outputPadding == null ? null : outputPadding(config.outputPadding, this.strides, where);
    this.activation = parseActivation(config.activation, config.alpha, where);
    this.useBias = boolOption(config.useBias, true, "useBias", where);
    this.kernelInitializer = parseInitializer(config.kernelInitializer, "glorotUniform", `${where} kernelInitializer`);
    this.biasInitializer = parseInitializer(config.biasInitializer, "zeros", `${where} biasInitializer`);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    // Keras' deconv_output_length: without outputPadding, 'valid' gives n * s + max(k - s, 0) and
    // 'same' n * s; with it, (n - 1) * s + k - 2 * pad + outputPadding, pad k // 2 for 'same'.
    const length = (n: number, i: 0 | 1): number => {
      const [k, s, valid, op] = [this.kernelSize[i], this.strides[i], this.padding === "valid", this.outputPadding?.[i]];
      return (n - 1) * s + (op === undefined ? (valid ? Math.max(k, s) : s) : (valid ? k : k % 2) + op);
    };
    return [length(inputShape[0]!, 0), length(inputShape[1]!, 1), this.filters];
  }

  protected override allocateParams(inputShape: readonly number[], outputShape: readonly number[]): void {
    const [h, w, cin] = inputShape as [number, number, number];
    const [outH, outW] = outputShape as [number, number];
    const [kh, kw] = this.kernelSize;
    const kernels = this.requireBackend().kernels;
    this.inChannels = cin;
    const kernelSize = kh * kw * this.filters * cin;
    this.kernelPtr = this.allocBlock(kernelSize);
    this.paramList.push({ name: "kernel", shape: [kh, kw, this.filters, cin], size: kernelSize, value: this.kernelPtr, trainable: true, grad: 0 });
    if (this.useBias) {
      this.biasPtr = this.allocBlock(this.filters);
      this.paramList.push({ name: "bias", shape: [this.filters], size: this.filters, value: this.biasPtr, trainable: true, grad: 0 });
    }
    this.packedSize = kernels.conv2dPackedSize(kh, kw, this.filters, cin);
    this.packedPtr = this.allocBlock(this.packedSize);
    // The inverted conv maps our output back to our input size. TensorFlow's 'same' split of the
    // padding its windows need: the odd one at the bottom/right (with outputPadding, also where
    // ceil(out / strides) is not our input size, as JAX's Keras backend pads).
    const before = (out: number, n: number, i: 0 | 1): number =>
      this.padding === "valid" ? 0 : Math.floor(Math.max((n - 1) * this.strides[i] + this.kernelSize[i] - out, 0) / 2);
    this.geometry = {
      batch: 1, inHeight: outH, inWidth: outW, inChannels: this.filters, outHeight: h, outWidth: w,
      kernelHeight: kh, kernelWidth: kw, strideHeight: this.strides[0], strideWidth: this.strides[1],
      padTop: before(outH, h, 0), padLeft: before(outW, w, 1),
    };
    // Keras' fans from the kernel's last two axes: fanIn = kh*kw*filters, fanOut = kh*kw*in.
    const seed = this.randomSeed();
    const { f32, at } = this.view(this.kernelPtr);
    const [fanIn, fanOut] = [kh * kw * this.filters, kh * kw * cin];
    initialize(this.kernelInitializer, kernels, f32, at, kernelSize, fanIn, fanOut, seed);
    // The bias draws from its own stream (seed + 1) so changing it never shifts the kernel.
    if (this.useBias) initialize(this.biasInitializer, kernels, f32, this.biasPtr / F32_BYTES, this.filters, fanIn, fanOut, seed + 1);
    this.weightsChanged();
  }

  override packedFloats(): number {
    return this.packedSize;
  }

  /** Packs the kernel as a Conv2D's [kh, kw, filters, in]: the input gradient's forward conv reads it. */
  override weightsChanged(): void {
    const [kh, kw] = this.kernelSize;
    this.requireBackend().kernels.conv2dPackFilter(this.kernelPtr, kh, kw, this.filters, this.inChannels, this.packedPtr);
  }

  /** The geometry set to `batch` samples, and the floats of the output for them. */
  private batched(batch: number): { g: WindowGeometry; outputs: number } {
    const g = this.geometry!;
    g.batch = batch; // reuse the one geometry object: nothing allocated per call
    return { g, outputs: batch * g.inHeight * g.inWidth * this.filters };
  }

  override scratchFloats(batch: number): number {
    return this.requireBackend().kernels.conv2dBackwardScratchSize(this.batched(batch).g, this.inChannels);
  }

  override trainingScratchFloats(batch: number): number {
    return Math.max(this.scratchFloats(batch), this.requireBackend().kernels.conv2dScratchSize(this.batched(batch).g));
  }

  override trainingStateFloats(batch: number): number {
    return keptFloats(this.activation, this.batched(batch).outputs);
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  forward({ batch, x, y, scratch, activation, folded, training, state }: ForwardArgs): void {
    const { g, outputs } = this.batched(batch);
    const kernels = this.requireBackend().kernels;
    const act = activation ?? this.activation;
    const keep = training ? state : 0;
    const fused = fusedPart(act, keep);
    const z = keep || y;
    let kernel = this.kernelPtr;
    let bias = this.biasPtr;
    if (folded) {
      const f = this.fold!;
      // Nothing to pack: conv2dBackwardInput reads the raw kernel. The filters axis comes before `in`.
      f.refresh(kernels, this.weightsVersion, kernel, this.paramList[0]!.size, bias, this.filters, () => {}, this.inChannels);
      kernel = f.packed;
      bias = f.bias;
    }
    kernels.conv2dBackwardInput(g, x, kernel, z, this.inChannels, scratch);
    if (bias !== 0 || fused.id !== ActivationId.Linear) {
      kernels.channelAffine(z, 0, bias, z, outputs / this.filters, this.filters, 1, fused.id, fused.alpha);
    }
    activateKept(kernels, act, keep, y, outputs);
    if (act.softmax) softmaxRows(kernels, y, outputs / this.filters, this.filters);
  }

  override get absorbsAffine(): boolean {
    return true;
  }

  override prepareFold(source: AffineSource): boolean {
    if (this.fold?.source === source) return true;
    const raw = this.allocBlock(this.paramList[0]!.size);
    this.fold = new FoldedWeights(source, raw, raw, this.allocBlock(this.filters));
    return true;
  }

  override backward({ batch, x, y, dy, dx, fusedActivation, scratch, state }: BackwardArgs): void {
    const { g, outputs } = this.batched(batch);
    const kernels = this.requireBackend().kernels;
    const rows = outputs / this.filters;
    if (!fusedActivation) activationBackward(kernels, this.activation, y, dy, dy, rows, this.filters, state);
    const [kernel, bias] = this.paramList;
    // No bias from here: the conv kernel would sum its dy, which is our x.
    kernels.conv2dBackwardFilter(g, dy, x, kernel!.grad, 0, this.inChannels);
    if (bias !== undefined) kernels.biasBackward(dy, bias.grad, rows, this.filters);
    if (dx !== 0) kernels.conv2d(g, dy, this.packedPtr, 0, dx, this.inChannels, ActivationId.Linear, 0, scratch);
  }

  override weights(): LayerParam[] {
    return this.paramList;
  }

  getConfig(): Conv2DTransposeConfig & Record<string, unknown> {
    return {
      name: this.name, filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides],
      padding: this.padding, outputPadding: this.outputPadding === null ? undefined : [...this.outputPadding],
      activation: this.activation.name,
      alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined,
      useBias: this.useBias, kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      seed: this.seed,
    };
  }
}

/** Reads outputPadding: non-negative integers, each below its stride (as Keras). */
function outputPadding(value: unknown, strides: [number, number], where: string): [number, number] {
  const p = Array.isArray(value) && value.length === 2 ? value : [value, value];
  if (!p.every((v, i) => Number.isInteger(v) && v >= 0 && v < strides[i]!)) {
    throw new ConfigError(`${where}: outputPadding must be integers from 0 to below strides ${formatShape(strides)}, got ${JSON.stringify(value)}`);
  }
  return p as [number, number];
}
