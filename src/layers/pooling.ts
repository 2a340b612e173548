// Pooling over NHWC windows: MaxPool2D, AvgPool2D (TensorFlow semantics:
// padded cells are ignored by max and not counted by the average),
// GlobalAvgPool2D and GlobalMaxPool2D. Output sizes come from the one helper
// in src/shape.ts.

import type { WindowGeometry } from "../backend/kernels.js";
import { ConfigError, ShapeError } from "../errors.js";
import { axisWindow, formatShape, type Padding } from "../shape.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import {
  Layer, LAYER_CONFIG_KEYS, pair, paddingOption, type BackwardArgs, type ForwardArgs, type LayerConfig,
} from "./layer.js";

/** Options of {@link MaxPool2D} and {@link AvgPool2D} (tfjs-layers names). */
export interface Pool2DConfig extends LayerConfig {
  /** Window, `n` or `[height, width]` (default 2). */
  poolSize?: number | [number, number];
  /** Step, `n` or `[height, width]` (default: poolSize). */
  strides?: number | [number, number];
  /** 'valid' (default) or 'same'. */
  padding?: Padding;
}

/** The keys of {@link Pool2DConfig}, in the order error messages list them. */
export const POOL2D_KEYS = configKeys<Pool2DConfig>()(["poolSize", "strides", "padding", "name", "seed"]);

/** What MaxPool2D and AvgPool2D share: options, shape inference, geometry. */
abstract class Pool2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  protected geometry: WindowGeometry | null = null;

  constructor(config: Pool2DConfig, where: string) {
    checkConfigKeys(config, POOL2D_KEYS, where);
    super(config);
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: config must be an object`);
    this.poolSize = pair(config.poolSize ?? 2, "poolSize", where);
    this.strides = pair(config.strides ?? this.poolSize, "strides", where);
    this.padding = paddingOption(config.padding, where);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    const [h, w, c] = inputShape as [number, number, number];
    const [ph, pw] = this.poolSize;
    const rows = axisWindow(h, ph, this.strides[0], this.padding);
    const cols = axisWindow(w, pw, this.strides[1], this.padding);
    if (rows.out <= 0 || cols.out <= 0) {
      throw new ShapeError(`${this.describe()}: pool window ${ph}x${pw} is larger than the ${h}x${w} input ` +
        `with 'valid' padding (input ${formatShape(inputShape)}); use padding 'same' or a smaller poolSize`);
    }
    this.geometry = {
      batch: 1, inHeight: h, inWidth: w, inChannels: c, outHeight: rows.out, outWidth: cols.out,
      kernelHeight: ph, kernelWidth: pw, strideHeight: this.strides[0], strideWidth: this.strides[1],
      padTop: rows.padBefore, padLeft: cols.padBefore,
    };
    return [rows.out, cols.out, c];
  }

  getConfig(): Pool2DConfig & Record<string, unknown> {
    return { name: this.name, poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding };
  }
}

/**
 * Max over each window.
 * @example
 * new MaxPool2D({ poolSize: 2 });                   // 24x24x6 -> 12x12x6
 * new MaxPool2D({ poolSize: 3, strides: 2, padding: "same" });
 * @throws {ConfigError} for a non-positive size or unknown padding; at build
 *   {@link ShapeError} when a 'valid' window is larger than the input.
 */
export class MaxPool2D extends Pool2D {
  readonly className = "MaxPooling2D";
  readonly namePrefix = "max_pooling2d";

  constructor(config: Pool2DConfig = {}) {
    super(config, "MaxPooling2D");
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const g = this.geometry!;
    g.batch = batch;
    this.requireBackend().kernels.maxPool2d(g, x, y);
  }

  override backward({ batch, x, dy, dx }: BackwardArgs): void {
    if (dx === 0) return; // no parameters: only the input gradient
    const g = this.geometry!;
    g.batch = batch;
    this.trainKernels().maxPool2dBackward(g, x, dy, dx);
  }
}

/**
 * Mean over each window (padded cells are not counted, as TensorFlow).
 * @example
 * new AvgPool2D({ poolSize: 2 });
 * @throws {ConfigError} for a non-positive size or unknown padding; at build
 *   {@link ShapeError} when a 'valid' window is larger than the input.
 */
export class AvgPool2D extends Pool2D {
  readonly className = "AveragePooling2D";
  readonly namePrefix = "average_pooling2d";

  constructor(config: Pool2DConfig = {}) {
    super(config, "AveragePooling2D");
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const g = this.geometry!;
    g.batch = batch;
    this.requireBackend().kernels.avgPool2d(g, x, y);
  }

  override backward({ batch, dy, dx }: BackwardArgs): void {
    if (dx === 0) return;
    const g = this.geometry!;
    g.batch = batch;
    this.trainKernels().avgPool2dBackward(g, dy, dx);
  }
}

/**
 * Mean over height and width: [h, w, c] -> [c].
 * @example
 * new GlobalAvgPool2D(); // 8x8x64 -> 64
 * @throws {ShapeError} at build when the input is not [height, width, channels].
 */
export class GlobalAvgPool2D extends Layer {
  readonly className = "GlobalAveragePooling2D";
  readonly namePrefix = "global_average_pooling2d";
  private dims: [number, number, number] = [0, 0, 0];

  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, "GlobalAveragePooling2D");
    super(config);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    this.dims = [inputShape[0]!, inputShape[1]!, inputShape[2]!];
    return [inputShape[2]!];
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const [h, w, c] = this.dims;
    this.requireBackend().kernels.globalAvgPool2d(batch, h, w, c, x, y);
  }

  override backward({ batch, dy, dx }: BackwardArgs): void {
    if (dx === 0) return;
    const [h, w, c] = this.dims;
    this.trainKernels().globalAvgPool2dBackward(batch, h, w, c, dy, dx);
  }

  getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name };
  }
}

/**
 * Max over height and width: [h, w, c] -> [c]. Runs the max-pooling kernels
 * with the whole image as one window.
 * @example
 * new GlobalMaxPool2D(); // 8x8x64 -> 64
 * @throws {ShapeError} at build when the input is not [height, width, channels].
 */
export class GlobalMaxPool2D extends Layer {
  readonly className = "GlobalMaxPooling2D";
  readonly namePrefix = "global_max_pooling2d";
  private geometry: WindowGeometry | null = null;

  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, "GlobalMaxPooling2D");
    super(config);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    const [h, w, c] = inputShape as [number, number, number];
    this.geometry = {
      batch: 1, inHeight: h, inWidth: w, inChannels: c, outHeight: 1, outWidth: 1,
      kernelHeight: h, kernelWidth: w, strideHeight: h, strideWidth: w, padTop: 0, padLeft: 0,
    };
    return [c];
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const g = this.geometry!;
    g.batch = batch;
    this.requireBackend().kernels.maxPool2d(g, x, y);
  }

  override backward({ batch, x, dy, dx }: BackwardArgs): void {
    if (dx === 0) return;
    const g = this.geometry!;
    g.batch = batch;
    this.trainKernels().maxPool2dBackward(g, x, dy, dx);
  }

  getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name };
  }
}
