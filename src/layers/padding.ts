// ZeroPadding2D and Cropping2D (Keras): an image framed by zeros, and an
// image cut out of a larger one. Both are the same move between an outer
// [H, W, c] image and an inner [h, w, c] one at (top, left): rows of w*c
// contiguous floats, W*c apart in the outer image, so one strided row copy
// (copyRows) per sample each way, and no kernel of their own.
// The zeros are written on every call, never assumed: the planner reuses
// buffers, so the border holds whatever the last tenant left there.
// At inference a ZeroPadding2D read only by a convolution becomes a view and
// the convolution pads by itself (src/graph/rewrite.ts).

import type { Kernels } from "../backend/kernels.js";
import { ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape } from "../shape.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import {
  Layer, padding2d, type BackwardArgs, type ForwardArgs, type LayerConfig, type Padding2D,
} from "./layer.js";

/** An [h, w, c] image at (top, left) inside an [H, W, c] one. */
interface Frame {
  h: number;
  w: number;
  H: number;
  W: number;
  c: number;
  top: number;
  left: number;
}

/** Copies each sample's inner image into (`toOuter`) or out of the outer one, `batch` samples. */
function moveInner(kernels: Kernels, f: Frame, inner: number, outer: number, batch: number, toOuter: boolean): void {
  const [innerSize, outerSize, row, outerRow] = [f.h * f.w * f.c, f.H * f.W * f.c, f.w * f.c, f.W * f.c];
  const at = (f.top * f.W + f.left) * f.c;
  for (let n = 0; n < batch; n++) {
    const a = inner + n * innerSize * F32_BYTES;
    const b = outer + (n * outerSize + at) * F32_BYTES;
    if (toOuter) kernels.copyRows(a, b, f.h, row, row, outerRow);
    else kernels.copyRows(b, a, f.h, row, outerRow, row);
  }
}

/** Zeroes every float of the outer images outside the inner ones: one fill per gap between inner rows. */
function zeroBorder(f32: Float32Array, outerAt: number, f: Frame, batch: number): void {
  const [outerSize, outerRow, row] = [f.H * f.W * f.c, f.W * f.c, f.w * f.c];
  for (let n = 0; n < batch; n++) {
    const start = outerAt + n * outerSize;
    let from = start; // the first float not yet zeroed nor copied
    for (let i = 0; i < f.h; i++) {
      const rowAt = start + (f.top + i) * outerRow + f.left * f.c;
      if (rowAt > from) f32.fill(0, from, rowAt);
      from = rowAt + row;
    }
    f32.fill(0, from, start + outerSize);
  }
}

/** Reads the [h, w, c] input both layers take. */
function imageShape(layer: Layer, inputShape: readonly number[]): [number, number, number] {
  if (inputShape.length !== 3) {
    throw new ShapeError(`${layer.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
  }
  return inputShape as unknown as [number, number, number];
}

const copyPairs = (p: Padding2D): [[number, number], [number, number]] => [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];

/** Options of {@link ZeroPadding2D} (tfjs-layers names). */
export interface ZeroPadding2DConfig extends LayerConfig {
  /** `n` (every side), `[height, width]` (both sides of each axis) or `[[top, bottom], [left, right]]`; default 1. */
  padding?: number | [number, number] | [[number, number], [number, number]];
}

/** The keys of {@link ZeroPadding2DConfig}. */
export const ZERO_PADDING2D_KEYS = configKeys<ZeroPadding2DConfig>()(["padding", "name", "seed"]);

/**
 * Surrounds each image with rows and columns of zeros. Read only by a
 * Conv2D or DepthwiseConv2D, it costs nothing at inference: the convolution
 * pads by itself.
 * @example
 * new ZeroPadding2D({ padding: 1 });                 // 28x28x3 -> 30x30x3
 * new ZeroPadding2D({ padding: [[0, 1], [0, 1]] });  // the asymmetric pad before a stride-2 'valid' conv
 * @throws {ConfigError} for a negative or non-integer amount; at build
 *   {@link ShapeError} when the input is not [height, width, channels].
 */
export class ZeroPadding2D extends Layer {
  readonly className = "ZeroPadding2D";
  readonly namePrefix = "zero_padding2d";
  /** [[top, bottom], [left, right]]. */
  readonly padding: Padding2D;
  private frame: Frame | null = null;

  constructor(config: ZeroPadding2DConfig = {}) {
    checkConfigKeys(config, ZERO_PADDING2D_KEYS, "ZeroPadding2D");
    super(config);
    this.padding = padding2d(config.padding ?? 1, "padding", "ZeroPadding2D");
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    const [h, w, c] = imageShape(this, inputShape);
    const [[top, bottom], [left, right]] = this.padding;
    this.frame = { h, w, c, H: h + top + bottom, W: w + left + right, top, left };
    return [this.frame.H, this.frame.W, c];
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const f = this.frame!;
    const { f32, at } = this.view(y);
    zeroBorder(f32, at, f, batch);
    moveInner(this.requireBackend().kernels, f, x, y, batch, true);
  }

  override backward({ batch, dy, dx }: BackwardArgs): void {
    if (dx !== 0) moveInner(this.requireBackend().kernels, this.frame!, dx, dy, batch, false);
  }

  getConfig(): ZeroPadding2DConfig & Record<string, unknown> {
    return { name: this.name, padding: copyPairs(this.padding) };
  }
}

/** Options of {@link Cropping2D} (tfjs-layers names). */
export interface Cropping2DConfig extends LayerConfig {
  /** `n` (every side), `[height, width]` (both sides of each axis) or `[[top, bottom], [left, right]]`; default 0. */
  cropping?: number | [number, number] | [[number, number], [number, number]];
}

/** The keys of {@link Cropping2DConfig}. */
export const CROPPING2D_KEYS = configKeys<Cropping2DConfig>()(["cropping", "name", "seed"]);

/**
 * Cuts rows and columns off each image's edges (U-Net's skip connections).
 * @example
 * new Cropping2D({ cropping: 2 });                 // 28x28x3 -> 24x24x3
 * new Cropping2D({ cropping: [[1, 0], [0, 2]] });  // 28x28x3 -> 27x26x3
 * @throws {ConfigError} for a negative or non-integer amount; at build
 *   {@link ShapeError} when the input is not [height, width, channels] or
 *   nothing of it would be left.
 */
export class Cropping2D extends Layer {
  readonly className = "Cropping2D";
  readonly namePrefix = "cropping2d";
  /** [[top, bottom], [left, right]]. */
  readonly cropping: Padding2D;
  private frame: Frame | null = null;

  constructor(config: Cropping2DConfig = {}) {
    checkConfigKeys(config, CROPPING2D_KEYS, "Cropping2D");
    super(config);
    this.cropping = padding2d(config.cropping ?? 0, "cropping", "Cropping2D");
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    const [H, W, c] = imageShape(this, inputShape);
    const [[top, bottom], [left, right]] = this.cropping;
    const [h, w] = [H - top - bottom, W - left - right];
    if (h <= 0 || w <= 0) {
      throw new ShapeError(`${this.describe()}: cropping [[${top}, ${bottom}], [${left}, ${right}]] leaves nothing ` +
        `of the ${H}x${W} input ${formatShape(inputShape)}`);
    }
    this.frame = { h, w, c, H, W, top, left };
    return [h, w, c];
  }

  forward({ batch, x, y }: ForwardArgs): void {
    moveInner(this.requireBackend().kernels, this.frame!, y, x, batch, false);
  }

  override backward({ batch, dy, dx }: BackwardArgs): void {
    if (dx === 0) return;
    const f = this.frame!;
    const { f32, at } = this.view(dx);
    zeroBorder(f32, at, f, batch);
    moveInner(this.requireBackend().kernels, f, dy, dx, batch, true);
  }

  getConfig(): Cropping2DConfig & Record<string, unknown> {
    return { name: this.name, cropping: copyPairs(this.cropping) };
  }
}
