// Conv2D: y = act(conv(x, kernel) + bias) over NHWC input, Keras kernel
// layout [kh, kw, inChannels, filters]. The kernel is packed once at build
// (and after setWeights) because packing per call costs more than the math
// for small batches; bias and element-wise activation run in the conv
// epilogue, softmax as a row pass over channels afterwards.
// A dilated Conv2D (dilationRate > 1) takes a simple path instead: the
// implicit-GEMM kernels read each window's kw*cin floats as one contiguous
// run, which dilation breaks, so the windows are copied into a column
// buffer (im2col, strided row copies) in the scratch and multiplied with a
// GEMM; backward adds the column gradients back into dx (col2im).

import { BinaryOpId } from "../../assembly/shared/ids.js";
import type { WindowGeometry } from "../backend/kernels.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, type Padding } from "../shape.js";
import {
  activateKept, activationBackward, fusedPart, keptFloats, LINEAR, parseActivation, softmaxRows, type ActivationName, type NamedActivation, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { initialize, parseInitializer, type InitializerName } from "./init.js";
import {
  boolOption, Layer, positiveInt,
  type AffineSource, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam, type Padding2D,
} from "./layer.js";
import { FoldedWeights, paddedGeometry } from "./fold.js";
import { readWindowOptions, windowsOf } from "./window-options.js";

/** Output bytes per chunk of a pointwise conv with a fused Add: a third of a 48 KiB L1 data cache. */
const RESIDUAL_CHUNK_BYTES = 16 * 1024;

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
  /**
   * Spacing of the taps, `n` or `[height, width]` (default 1); with strides > 1 only 1, as Keras.
   * Dilated convolutions run as im2col + GEMM, slower than the direct kernels.
   */
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

/** The keys of {@link Conv2DConfig}, in the order error messages list them. */
export const CONV2D_KEYS = configKeys<Conv2DConfig>()([
  "filters", "kernelSize", "strides", "padding", "dilationRate", "activation", "alpha", "useBias", "kernelInitializer", "biasInitializer",
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
  readonly dilationRate: [number, number];
  readonly activation: NamedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  private geometry: WindowGeometry | null = null;
  /** Inference with a ZeroPadding2D moved in (preparePadding): the geometry over the unpadded input. */
  private padded: WindowGeometry | null = null;
  /** forwardResidual's geometry of one chunk of a pointwise conv's pixels. */
  private chunk: WindowGeometry | null = null;
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
    ({ kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, dilationRate: this.dilationRate } =
      readWindowOptions(config, where, 3));
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
    const [rows, cols] = this.windows(h, w);
    if (rows.out <= 0 || cols.out <= 0) {
      const dilation = this.dilated ? ` (dilation ${this.dilationRate.join("x")})` : "";
      throw new ShapeError(`${this.describe()}: kernel ${kh}x${kw}${dilation} is larger than the ${h}x${w} input ` +
        `with 'valid' padding (input ${formatShape(inputShape)}); use padding 'same' or a smaller kernel`);
    }
    return [rows.out, cols.out, this.filters];
  }

  /** Whether a tap spacing exceeds 1 (then forward and backward take the im2col + GEMM path). */
  get dilated(): boolean {
    return this.dilationRate[0] > 1 || this.dilationRate[1] > 1;
  }

  private windows(h: number, w: number) {
    return windowsOf(this, h, w);
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
    this.packedSize = this.dilated ? kernels.gemmPackedSize(kh * kw * cin, this.filters)
      : kernels.conv2dPackedSize(kh, kw, cin, this.filters);
    this.packedPtr = this.allocBlock(this.packedSize);
    const [rows, cols] = this.windows(h, w);
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
    this.pack(this.kernelPtr, this.packedPtr);
  }

  /** Packs a raw [kh, kw, cin, filters] kernel at `raw` for the forward kernel: conv2d's, or gemm's when dilated. */
  private pack(raw: number, packed: number): void {
    const [kh, kw] = this.kernelSize;
    const cin = this.geometry!.inChannels;
    const kernels = this.requireBackend().kernels;
    if (this.dilated) kernels.gemmPackB(raw, kh * kw * cin, this.filters, packed);
    else kernels.conv2dPackFilter(raw, kh, kw, cin, this.filters, packed);
  }

  /** Dilated path: [rows, columns] of the column buffer for `batch` samples. */
  private columns(batch: number): [number, number] {
    const g = this.geometry!;
    return [batch * g.outHeight * g.outWidth, this.kernelSize[0] * this.kernelSize[1] * g.inChannels];
  }

  override scratchFloats(batch: number): number {
    if (this.dilated) return this.columns(batch)[0] * this.columns(batch)[1];
    const kernels = this.requireBackend().kernels;
    let floats = 0;
    for (const g of [this.geometry!, this.padded]) {
      if (g === null) continue;
      g.batch = batch;
      floats = Math.max(floats, kernels.conv2dScratchSize(g));
    }
    return floats;
  }

  override preparePadding(padding: Padding2D): boolean {
    this.padded = paddedGeometry(this.geometry!, padding);
    return true;
  }

  override trainingScratchFloats(batch: number): number {
    const g = this.geometry!;
    g.batch = batch;
    // Dilated: the columns, their gradient, and one output row's worth of one tap's gradient.
    if (this.dilated) return 2 * this.columns(batch)[0] * this.columns(batch)[1] + g.outWidth * g.inChannels;
    return this.trainKernels().conv2dBackwardScratchSize(g, this.filters);
  }

  /**
   * im2col for the dilated path: cols[(n, oh, ow), (ky, kx, ci)] = x[n, oh*sh - padTop + ky*dh,
   * ow*sw - padLeft + kx*dw, ci], 0 in the padding; one strided row copy per (n, oh, ky, kx).
   */
  private im2col(g: WindowGeometry, x: number, cols: number, batch: number): void {
    const kernels = this.requireBackend().kernels;
    const [rows, k] = this.columns(batch);
    const { f32, at } = this.view(cols);
    f32.fill(0, at, at + rows * k);
    this.forEachTapRun(g, batch, (xAt, colAt, n) =>
      kernels.copyRows(x + xAt * F32_BYTES, cols + colAt * F32_BYTES, n, g.inChannels, g.strideWidth * g.inChannels, k));
  }

  /**
   * For every (n, oh, ky, kx) whose input row lies in the image, the run of output columns
   * [ow0, ow0 + count) whose tap lies in it: `visit(xAt, colAt, count)` with the floats offsets
   * of its first input pixel and of its first column-buffer cell.
   */
  private forEachTapRun(g: WindowGeometry, batch: number, visit: (xAt: number, colAt: number, count: number) => void): void {
    const [kh, kw] = this.kernelSize;
    const [dh, dw] = this.dilationRate;
    const cin = g.inChannels;
    const k = kh * kw * cin;
    const ceilPos = (a: number, s: number): number => (a <= 0 ? 0 : Math.ceil(a / s));
    for (let b = 0; b < batch; b++) {
      for (let oh = 0; oh < g.outHeight; oh++) {
        for (let ky = 0; ky < kh; ky++) {
          const ih = oh * g.strideHeight - g.padTop + ky * dh;
          if (ih < 0 || ih >= g.inHeight) continue;
          for (let kx = 0; kx < kw; kx++) {
            const shift = g.padLeft - kx * dw;
            const ow0 = ceilPos(shift, g.strideWidth);
            const ow1 = Math.min(g.outWidth, ceilPos(g.inWidth + shift, g.strideWidth));
            if (ow1 <= ow0) continue;
            const xAt = ((b * g.inHeight + ih) * g.inWidth + ow0 * g.strideWidth - shift) * cin;
            const colAt = ((b * g.outHeight + oh) * g.outWidth + ow0) * k + (ky * kw + kx) * cin;
            visit(xAt, colAt, ow1 - ow0);
          }
        }
      }
    }
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  override trainingStateFloats(batch: number): number {
    const g = this.geometry!;
    return keptFloats(this.activation, batch * g.outHeight * g.outWidth * this.filters);
  }

  forward({ batch, x, y, scratch, activation, folded, padding, training, state, residual }: ForwardArgs): void {
    const g = padding === null ? this.geometry! : this.padded!;
    g.batch = batch; // reuse the one geometry object: nothing allocated per call
    const kernels = this.requireBackend().kernels;
    const act = activation ?? this.activation;
    const keep = training ? state : 0;
    const fused = fusedPart(act, keep);
    let packed = this.packedPtr;
    let bias = this.biasPtr;
    if (folded) {
      const f = this.fold!;
      const [kh, kw] = this.kernelSize;
      f.refresh(kernels, this.weightsVersion, this.kernelPtr, kh * kw * g.inChannels * this.filters, this.biasPtr,
        this.filters, (raw, out) => this.pack(raw, out));
      packed = f.packed;
      bias = f.bias;
    }
    if (residual !== 0) {
      this.forwardResidual(g, x, packed, bias, y, scratch, residual, act);
      return;
    }
    if (this.dilated) {
      this.im2col(g, x, scratch, batch);
      const [rows, k] = this.columns(batch);
      kernels.gemm(scratch, packed, bias, keep || y, rows, k, this.filters, fused.id, fused.alpha);
    } else {
      kernels.conv2d(g, x, packed, bias, keep || y, this.filters, fused.id, fused.alpha, scratch);
    }
    activateKept(kernels, act, keep, y, batch * g.outHeight * g.outWidth * this.filters);
    if (act.softmax) softmaxRows(kernels, y, batch * g.outHeight * g.outWidth, this.filters);
  }

  /**
   * Inference with a fused Add (src/graph/rewrite.ts): y = act(conv(x) + bias
   * + residual), rounded as the conv, the Add and the activation layer would
   * round. A 1x1 stride-1 unpadded conv (an inverted-residual block's
   * projection) is a GEMM over the pixels: it runs RESIDUAL_CHUNK_BYTES of
   * output rows per thread at a time (each chunk a one-column image, split
   * over the threads like any GEMM), each chunk's add and activation right
   * after it while it is in L1, so the conv's output makes no round trip to
   * memory. One thread's worth a chunk left MobileNetV2's ten projections
   * too small to split (~1.2 MFLOP a chunk): on 2 threads, batch 1, 10.2-10.5
   * -> 9.4-9.9 ms. Other convolutions (a ResNet block's 3x3)
   * run whole, then the add and activation pass.
   */
  private forwardResidual(g: WindowGeometry, x: number, packed: number, bias: number, y: number, scratch: number,
                          residual: number, act: ParsedActivation): void {
    const kernels = this.requireBackend().kernels;
    const n = g.batch * g.outHeight * g.outWidth;
    const pointwise = g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
      g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
    // Whole 4-row slabs per chunk, so the GEMM's row tail runs once, at the end.
    const rows = pointwise ? Math.max(4, Math.floor(kernels.threads() * RESIDUAL_CHUNK_BYTES / (this.filters * F32_BYTES)) & ~3) : n;
    for (let i = 0; i < n; i += rows) {
      const m = Math.min(rows, n - i);
      const at = i * this.filters * F32_BYTES;
      if (pointwise) {
        // Made once from the pointwise geometry (1x1, stride 1, no padding): nothing allocated per chunk.
        const chunk = (this.chunk ??= { ...g, batch: 1, inWidth: 1, outWidth: 1 });
        chunk.inHeight = chunk.outHeight = m;
        kernels.conv2d(chunk, x + i * g.inChannels * F32_BYTES, packed, bias, y + at, this.filters, LINEAR.id, 0, scratch);
      } else {
        kernels.conv2d(g, x, packed, bias, y, this.filters, LINEAR.id, 0, scratch); // never dilated: see rewrite.ts
      }
      kernels.binary(BinaryOpId.Add, y + at, residual + at, y + at, m * this.filters);
      if (act.id !== LINEAR.id) kernels.activation(y + at, y + at, m * this.filters, act.id, act.alpha);
    }
  }

  override get absorbsAffine(): boolean {
    return true;
  }

  override prepareFold(source: AffineSource): boolean {
    if (this.fold?.source === source) return true;
    const [kh, kw] = this.kernelSize;
    const g = this.geometry!;
    this.fold = new FoldedWeights(source, this.allocBlock(kh * kw * g.inChannels * this.filters),
      this.allocBlock(this.packedSize), this.allocBlock(this.filters));
    return true;
  }

  override backward({ batch, x, y, dy, dx, fusedActivation, scratch, state }: BackwardArgs): void {
    const g = this.geometry!;
    g.batch = batch;
    const train = this.trainKernels();
    if (!fusedActivation) {
      activationBackward(this.requireBackend().kernels, this.activation, y, dy, dy, batch * g.outHeight * g.outWidth,
        this.filters, state);
    }
    const [kernel, bias] = this.paramList;
    if (this.dilated) {
      this.dilatedBackward(batch, x, dy, dx, kernel!.grad, bias?.grad ?? 0, scratch);
      return;
    }
    train.conv2dBackwardFilter(g, x, dy, kernel!.grad, bias?.grad ?? 0, this.filters);
    if (dx !== 0) train.conv2dBackwardInput(g, dy, this.kernelPtr, dx, this.filters, scratch);
  }

  /**
   * Dilated backward: the columns again, dW = cols^T dy (+ dbias) by the GEMM kernels, then
   * dcols = dy W^T added back into dx tap by tap (col2im: a strided copy of one tap's run
   * into a contiguous temporary, then one add; the runs are contiguous in dx since a dilated
   * Conv2D has strides 1).
   */
  private dilatedBackward(batch: number, x: number, dy: number, dx: number, dw: number, dbias: number,
                          scratch: number): void {
    const g = this.geometry!;
    const kernels = this.requireBackend().kernels;
    const train = this.trainKernels();
    const [rows, k] = this.columns(batch);
    const cols = scratch;
    this.im2col(g, x, cols, batch);
    train.gemmBackwardFilter(cols, dy, dw, dbias, rows, k, this.filters);
    if (dx === 0) return;
    const dcols = cols + rows * k * F32_BYTES;
    const run = dcols + rows * k * F32_BYTES;
    train.gemmBackwardInput(dy, this.kernelPtr, dcols, rows, k, this.filters);
    const { f32, at } = this.view(dx);
    f32.fill(0, at, at + batch * g.inHeight * g.inWidth * g.inChannels);
    this.forEachTapRun(g, batch, (xAt, colAt, n) => {
      kernels.copyRows(dcols + colAt * F32_BYTES, run, n, g.inChannels, k, g.inChannels);
      kernels.binary(BinaryOpId.Add, dx + xAt * F32_BYTES, run, dx + xAt * F32_BYTES, n * g.inChannels);
    });
  }

  override weights(): LayerParam[] {
    return this.paramList;
  }

  getConfig(): Conv2DConfig & Record<string, unknown> {
    return {
      name: this.name, filters: this.filters, kernelSize: [...this.kernelSize], strides: [...this.strides],
      padding: this.padding, dilationRate: [...this.dilationRate], activation: this.activation.name, alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined,
      useBias: this.useBias, kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer,
      seed: this.seed,
    };
  }
}
