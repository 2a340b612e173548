// A BatchNormalization folded into the Conv2D, DepthwiseConv2D, Conv2DTranspose or Dense
// before it, for inference: y = (x W + b) * s + t = x (W s) + (b s + t), per
// output channel (the last axis of the conv and dense kernels; the one before
// the last, `filters`, of the transposed kernel [kh, kw, filters, in]). The folded copy is kept next to
// the raw weights, which training keeps using, and is re-folded lazily when
// either side's weights changed (setWeights, an optimizer step, a moving
// statistics update): two integer compares per forward call.
// Also a ZeroPadding2D folded into the convolution after it: the same
// windows over the unpadded input, with the zeros as the convolution's own
// padding (its kernels read cells outside the image as 0).

import type { Kernels, WindowGeometry } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import type { AffineSource, Padding2D } from "./layer.js";

/**
 * The geometry of a convolution over the padded image `g`, run on the image
 * before `padding` was added: the same windows and output, `padTop` and
 * `padLeft` grown by the padding (the bottom and right follow from the
 * output size: every cell past the image reads as 0).
 */
export function paddedGeometry(g: WindowGeometry, padding: Padding2D): WindowGeometry {
  const [[top, bottom], [left, right]] = padding;
  return {
    ...g, inHeight: g.inHeight - top - bottom, inWidth: g.inWidth - left - right,
    padTop: g.padTop + top, padLeft: g.padLeft + left,
  };
}

/**
 * Writes into `band` the geometry of output rows [row0, row0 + rows) of one
 * image of `g`, over the input from the first row their windows reach; returns
 * that row. The rows above it become the band's padding where the window
 * starts above the image, the rows below are clipped by its height.
 */
export function rowBand(g: WindowGeometry, row0: number, rows: number, band: WindowGeometry): number {
  const start = row0 * g.strideHeight - g.padTop;
  const first = Math.max(0, start);
  Object.assign(band, g);
  band.batch = 1;
  band.inHeight = g.inHeight - first;
  band.padTop = first - start;
  band.outHeight = rows;
  return first;
}

/** The folded weights of one layer and what they were folded from. */
export class FoldedWeights {
  private ownVersion = -1;
  private sourceVersion = -1;

  /**
   * @param raw a block of `kernelSize` floats (the folded kernel, unpacked)
   * @param packed a block for the packed folded kernel
   * @param bias a block of `units` floats (the folded bias)
   */
  constructor(
    readonly source: AffineSource,
    private readonly raw: number,
    readonly packed: number,
    readonly bias: number,
  ) {}

  /**
   * Re-folds when the layer's (`version`) or the source's weights changed since the last fold.
   * `pack(raw, packed)` packs a kernel the layer's way; `inner` is the size of the kernel's axes
   * after the output channel's (1 when it is the last).
   */
  refresh(kernels: Kernels, version: number, kernel: number, kernelSize: number, bias: number, units: number,
          pack: (raw: number, packed: number) => void, inner = 1): void {
    if (version === this.ownVersion && this.source.weightsVersion === this.sourceVersion) return;
    const { scale, shift } = this.source.inferenceAffine();
    const f32 = new Float32Array(kernels.memory.buffer);
    const [k, r, b, fb] = [kernel / F32_BYTES, this.raw / F32_BYTES, bias / F32_BYTES, this.bias / F32_BYTES];
    for (let i = 0; i < kernelSize; i++) f32[r + i] = f32[k + i]! * scale[Math.floor(i / inner) % units]!;
    for (let u = 0; u < units; u++) f32[fb + u] = (bias === 0 ? 0 : f32[b + u]!) * scale[u]! + shift[u]!;
    pack(this.raw, this.packed);
    this.ownVersion = version;
    this.sourceVersion = this.source.weightsVersion;
  }
}
