// BatchNorm's reductions over threads, deterministically: by channel blocks.
// A channel's sums (its mean and variance; dbeta and dgamma in the
// backward) are formed by one part, walking every row in row order from
// zero in f64, as the whole call does: the threaded builds' range exports
// (channelMomentsChannels, batchNormBackwardChannels, assembly/threads.ts)
// run the same kernel on channels [c0, c1). Nothing is summed across
// threads, so the bits do not depend on the thread count, and no partial
// sums need a buffer. The backward's dx, once the sums are stored in dbeta
// and dgamma, splits by rows (batchNormBackwardDx: the same f32 operations
// per float). A part over half the channels still streams every row, at
// ~65% of the whole call's time; a part over half the rows, half of it.
// (The affine map is row-wise: see split-elementwise.ts.)

import type { Kernels } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import { cut, SPLIT_FLOPS, type Splitter } from "./parts.js";

/**
 * What one float of each pass counts as in the cost model, in GEMM flops.
 * Measured on 1 M floats (32 channels) with the SIMD build: channelMoments
 * 0.53 ns a float, batchNormBackward (sums, then dx) 1.27; counted at a
 * fifth of that, as the element-wise ops (split-elementwise.ts).
 */
const MOMENTS_COST = 6;
const BACKWARD_COST = 12;
/** The backward's dx pass alone (about half of it). */
const DX_COST = 6;
/**
 * Channel blocks are cut at multiples of 4 channels: the SIMD builds sum
 * four channels per vector and the last channels % 4 one at a time, and
 * each channel keeps its path.
 */
const CHANNEL_UNIT = 4;

/** Raw exports of the threaded build for part 0 of a channel split, on the calling thread. */
export interface NormExports {
  channelMomentsChannels(x: number, outer: number, channels: number, inner: number, mean: number, variance: number,
    c0: number, c1: number): void;
  batchNormBackwardChannels(x: number, dy: number, mean: number, invStd: number, gamma: number, dx: number,
    dgamma: number, dbeta: number, outer: number, channels: number, inner: number, c0: number, c1: number): void;
  batchNormBackwardDx(x: number, dy: number, mean: number, invStd: number, gamma: number, dx: number, dgamma: number,
    dbeta: number, outer: number, channels: number, inner: number, n: number): void;
}

/** BatchNorm's statistics and backward of `kernels`, split by `split` into channel blocks. */
export function splitNorm(kernels: Kernels, split: Splitter, raw: NormExports):
  Pick<Kernels, "channelMoments" | "batchNormBackward"> {
  const base = { channelMoments: kernels.channelMoments, batchNormBackward: kernels.batchNormBackward };
  // Each checks first, without allocating, whether the call can split at all.
  const partsOf = (flops: number, channels: number): number =>
    flops < SPLIT_FLOPS ? 1 : split.parts(flops, Math.floor(channels / CHANNEL_UNIT));
  /** The first channel of part i of `parts` (`channels` for i = parts). */
  const firstOf = (parts: number, channels: number) => (i: number): number =>
    i === parts ? channels : cut(i, parts, Math.floor(channels / CHANNEL_UNIT)) * CHANNEL_UNIT;

  return {
    channelMoments: (x, outer, channels, inner, mean, variance) => {
      const parts = partsOf(outer * channels * inner * MOMENTS_COST, channels);
      if (parts <= 1) return base.channelMoments(x, outer, channels, inner, mean, variance);
      const at = firstOf(parts, channels);
      split.fan("channelMomentsChannels", parts, (i, args) => {
        args.push(x, outer, channels, inner, mean, variance, at(i), at(i + 1));
      }, () => raw.channelMomentsChannels(x, outer, channels, inner, mean, variance, 0, at(1)));
    },
    batchNormBackward: (x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner) => {
      const parts = partsOf(outer * channels * inner * BACKWARD_COST, channels);
      if (parts <= 1) return base.batchNormBackward(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner);
      const at = firstOf(parts, channels);
      // With both sums stored, dx is a second split, by rows; else it goes with the channels.
      const rowsAfter = dx !== 0 && dgamma !== 0 && dbeta !== 0;
      const dxNow = rowsAfter ? 0 : dx;
      split.fan("batchNormBackwardChannels", parts, (i, args) => {
        args.push(x, dy, mean, invStd, gamma, dxNow, dgamma, dbeta, outer, channels, inner, at(i), at(i + 1));
      }, () => raw.batchNormBackwardChannels(x, dy, mean, invStd, gamma, dxNow, dgamma, dbeta, outer, channels, inner, 0, at(1)));
      if (!rowsAfter) return;
      const rows = split.parts(outer * channels * inner * DX_COST, outer);
      const rowBytes = channels * inner * F32_BYTES;
      const part = (i: number, run: (...args: number[]) => void): void => {
        const o0 = cut(i, rows, outer);
        run(x + o0 * rowBytes, dy + o0 * rowBytes, mean, invStd, gamma, dx + o0 * rowBytes, dgamma, dbeta,
          cut(i + 1, rows, outer) - o0, channels, inner, outer * inner);
      };
      split.fan("batchNormBackwardDx", rows, (i, args) => part(i, (...a) => args.push(...a)),
        () => part(0, raw.batchNormBackwardDx));
    },
  };
}
