// UpSampling2D (Keras, 'nearest'): each pixel repeated into an sh x sw block,
// y[n, i, j, c] = x[n, floor(i / sh), floor(j / sw), c]. Strided row copies
// only (copyRows), no kernel of its own: each input pixel column into its sw
// output columns of the first row of every block, then that row into the
// other sh - 1. Backward sums each block into its source pixel: the block's
// rows first, then its columns, each gathered into contiguous scratch and
// added (binary Add).

import { BinaryOpId } from "../../assembly/shared/ids.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape } from "../shape.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { Layer, pair, type BackwardArgs, type ForwardArgs, type LayerConfig } from "./layer.js";

/** Options of {@link UpSampling2D} (tfjs-layers names). */
export interface UpSampling2DConfig extends LayerConfig {
  /** Repeats, `n` or `[height, width]` (default 2). */
  size?: number | [number, number];
  /** Only 'nearest' (the default), the repetition; Keras' 'bilinear' is not implemented. */
  interpolation?: "nearest";
}

/** The keys of {@link UpSampling2DConfig}. */
export const UPSAMPLING2D_KEYS = configKeys<UpSampling2DConfig>()(["size", "interpolation", "name", "seed"]);

/**
 * Repeats each pixel into a block (nearest-neighbour upsampling: U-Net's and
 * autoencoders' decoders).
 * @example
 * new UpSampling2D();                   // 7x7x8 -> 14x14x8
 * new UpSampling2D({ size: [2, 3] });   // 7x7x8 -> 14x21x8
 * @throws {ConfigError} for a non-positive size or an interpolation other
 *   than 'nearest'; at build {@link ShapeError} when the input is not
 *   [height, width, channels].
 */
export class UpSampling2D extends Layer {
  readonly className = "UpSampling2D";
  readonly namePrefix = "up_sampling2d";
  /** [height, width] repeats. */
  readonly size: [number, number];
  readonly interpolation = "nearest";
  private dims: [number, number, number] = [0, 0, 0];

  constructor(config: UpSampling2DConfig = {}) {
    checkConfigKeys(config, UPSAMPLING2D_KEYS, "UpSampling2D");
    super(config);
    this.size = pair(config.size ?? 2, "size", "UpSampling2D");
    if (config.interpolation !== undefined && config.interpolation !== "nearest") {
      throw new ConfigError(`UpSampling2D: interpolation must be 'nearest' (the only one implemented), ` +
        `got ${JSON.stringify(config.interpolation)}`);
    }
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.describe()}: expects input [height, width, channels], got ${formatShape(inputShape)}`);
    }
    const [h, w, c] = inputShape as [number, number, number];
    this.dims = [h, w, c];
    return [h * this.size[0], w * this.size[1], c];
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const [h, w, c] = this.dims;
    const [sh, sw] = this.size;
    const outRow = w * sw * c;
    // The first row of every block: input column j into output columns j*sw .. j*sw + sw - 1.
    for (let j = 0; j < w; j++) {
      for (let k = 0; k < sw; k++) {
        kernels.copyRows(x + j * c * F32_BYTES, y + (j * sw + k) * c * F32_BYTES, batch * h, c, w * c, sh * outRow);
      }
    }
    // The other rows of every block: copies of its first.
    for (let k = 1; k < sh; k++) {
      kernels.copyRows(y, y + k * outRow * F32_BYTES, batch * h, outRow, sh * outRow, sh * outRow);
    }
  }

  /** Two [batch * h, W * c] sums: the rows of each block summed, and the row or column gathered next. */
  override trainingScratchFloats(batch: number): number {
    const [h, w, c] = this.dims;
    return 2 * batch * h * w * this.size[1] * c;
  }

  override backward({ batch, dy, dx, scratch }: BackwardArgs): void {
    if (dx === 0) return;
    const kernels = this.requireBackend().kernels;
    const [h, w, c] = this.dims;
    const [sh, sw] = this.size;
    const outRow = w * sw * c;
    const rowsFloats = batch * h * outRow;
    const gathered = scratch + rowsFloats * F32_BYTES;
    // rows[n, i] = sum over k < sh of dy[n, i*sh + k] (dy itself when sh is 1).
    let rows = dy;
    if (sh > 1) {
      rows = scratch;
      kernels.copyRows(dy, rows, batch * h, outRow, sh * outRow, outRow);
      for (let k = 1; k < sh; k++) {
        kernels.copyRows(dy + k * outRow * F32_BYTES, gathered, batch * h, outRow, sh * outRow, outRow);
        kernels.binary(BinaryOpId.Add, rows, gathered, rows, rowsFloats);
      }
    }
    // dx[p] = sum over k < sw of rows[p*sw + k], p over the batch * h * w input pixels of c floats.
    const pixels = batch * h * w;
    kernels.copyRows(rows, dx, pixels, c, sw * c, c);
    for (let k = 1; k < sw; k++) {
      kernels.copyRows(rows + k * c * F32_BYTES, gathered, pixels, c, sw * c, c);
      kernels.binary(BinaryOpId.Add, dx, gathered, dx, pixels * c);
    }
  }

  getConfig(): UpSampling2DConfig & Record<string, unknown> {
    return { name: this.name, size: [...this.size], interpolation: this.interpolation };
  }
}
