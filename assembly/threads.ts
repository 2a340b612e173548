// Entry of the threaded binaries (simd-threads.wasm, relaxed-simd-threads.wasm):
// every export of index.ts, plus the per-instance scratch (scratch.ts). Their memory is
// imported and shared by every instance (the calling thread's and each
// worker's, src/threads/), so the scratch buffers that the single-threaded
// builds keep as static data (the packed A slab, the tap table, two bias
// panels, BatchNorm's per-channel sums) would be written by several threads at once. Here they are
// mutable globals, which each instance owns, pointed by setScratch
// (scratch.ts) at a block the TypeScript side allocates from the arena, one
// per instance.
// Every exported kernel is then re-entrant across instances: it writes only
// its output, its caller's `scratch` argument and this block.

import { TAIL_CUT, TAIL_FROM, WIDE_CUT, WIDE_FROM } from "./norm/rows";
import { f32_gemm_bwd_filter } from "./gemm/f32_gemm_bwd_filter";
import { f32_conv2d_bwd_filter } from "./conv/f32_conv2d_bwd_filter";
import { f32_channel_moments } from "./norm/f32_channel_moments";
import { f32_batchnorm_bwd } from "./norm/f32_batchnorm_bwd";
import { f32_dwconv2d_bwd_filter_channels } from "./conv/f32_dwconv2d_bwd_filter";

export * from "./index";
export * from "./scratch";

// Weight gradients split by output element (src/threads/split.ts): each
// part computes some dw rows with the very sums of the whole call, so
// there is nothing to reduce and the bits do not depend on the thread count.

/** gemmBackwardFilter's dw rows [p0, p1) (p0 a multiple of 4; p1 one too, or k). */
export function gemmBackwardFilterRows(
  x: usize, dy: usize, dw: usize, dbias: usize, m: i32, k: i32, n: i32, p0: i32, p1: i32,
): void {
  f32_gemm_bwd_filter(x, dy, dw, dbias, m, k, n, p0, p1);
}

/** conv2dBackwardFilter's dw register tiles [u0, u1) of kh * ceil(kw*cin / 4), ky-major. */
export function conv2dBackwardFilterTiles(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, dy: usize, dw: usize, dbias: usize, cout: i32, u0: i32, u1: i32,
): void {
  f32_conv2d_bwd_filter(batch, inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, dy, dw, dbias, cout, u0, u1);
}

/** depthwiseConv2dBackwardFilter's dw channels [c0, c1) of C*M (c0 a multiple of 4; c1 one too, or C*M). */
export function depthwiseConv2dBackwardFilterChannels(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  x: usize, dy: usize, dwt: usize, dbias: usize, mult: i32, c0: i32, c1: i32,
): void {
  f32_dwconv2d_bwd_filter_channels(batch, inH, inW, ch, outH, outW, kh, kw, sh, sw, padTop, padLeft, dh, dw,
    x, dy, dwt, dbias, mult, c0, c1);
}

// BatchNorm's per-channel reductions split by channel blocks: each channel
// is summed over every row, in row order, by one part, as in the whole call.

/** channelMoments' channels [c0, c1) (c0 a multiple of 4 below channels & ~3). */
export function channelMomentsChannels(
  x: usize, outer: i32, channels: i32, inner: i32, mean: usize, variance: usize, c0: i32, c1: i32,
): void {
  narrowChannels(channels, inner, c0, c1);
  f32_channel_moments(x, outer, channels, inner, mean, variance);
  narrowChannels(0, 0, 0, 0);
}

/** batchNormBackward's channels [c0, c1) (c0 a multiple of 4 below channels & ~3). */
export function batchNormBackwardChannels(
  x: usize, dy: usize, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize,
  outer: i32, channels: i32, inner: i32, c0: i32, c1: i32,
): void {
  narrowChannels(channels, inner, c0, c1);
  f32_batchnorm_bwd(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner);
  narrowChannels(0, 0, 0, 0);
}

/**
 * Narrows the statistics kernels to channels [c0, c1) of `channels` (all
 * zeros: every channel): the four-wide ones are [0, wide) with wide as
 * the kernels compute it, the tail [wide, channels).
 */
function narrowChannels(channels: i32, inner: i32, c0: i32, c1: i32): void {
  const wide = inner == 1 ? channels & ~3 : 0;
  WIDE_FROM = min(c0, wide);
  WIDE_CUT = wide - min(c1, wide);
  TAIL_FROM = max(c0, wide) - wide;
  TAIL_CUT = channels - max(c1, wide);
}

// batchNormBackward's second pass (dx from the stored sums) over rows of its
// outer axis; `n` is the whole call's N.
export { f32_batchnorm_bwd_dx as batchNormBackwardDx } from "./norm/f32_batchnorm_bwd_dx";
