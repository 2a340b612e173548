// Entry of the threaded binaries (simd-threads.wasm, relaxed-simd-threads.wasm):
// every export of index.ts, plus the per-instance scratch. Their memory is
// imported and shared by every instance (the calling thread's and each
// worker's, src/threads/), so the scratch buffers that the single-threaded
// builds keep as static data (the packed A slab, the tap table, two bias
// panels, BatchNorm's per-channel sums) would be written by several threads at once. Here they are
// mutable globals, which each instance owns, pointed by setScratch at a
// block the TypeScript side allocates from the arena, one per instance.
// Every exported kernel is then re-entrant across instances: it writes only
// its output, its caller's `scratch` argument and this block.

import { PACK_A_BUF, PACK_A_BYTES } from "./gemm/pack";
import { BIAS_PANEL, TAP_TABLE, TAP_TABLE_BYTES } from "./gemm/f32_gemm_4x8";
import { BIAS_PARTIAL } from "./gemm/f32_gemm_4x8_packed_a";
import { CHANNEL_HI, CHANNEL_LO, ROW_ACC, ROW_ACC_BYTES } from "./norm/rows";
import { f32_gemm_bwd_filter } from "./gemm/f32_gemm_bwd_filter";
import { f32_conv2d_bwd_filter } from "./conv/f32_conv2d_bwd_filter";
import { f32_channel_moments } from "./norm/f32_channel_moments";
import { f32_batchnorm_bwd } from "./norm/f32_batchnorm_bwd";

export * from "./index";

/** Bytes of one bias panel copy (NR = 8 floats). */
const BIAS_BYTES: i32 = 32;

/** Bytes of the block each instance needs (setScratch); a multiple of 16. */
export function scratchBytes(): i32 {
  return PACK_A_BYTES + TAP_TABLE_BYTES + 2 * BIAS_BYTES + ROW_ACC_BYTES;
}

/** Points this instance's scratch buffers into `ptr` (16-byte aligned, scratchBytes() long). Once, before any kernel. */
export function setScratch(ptr: usize): void {
  PACK_A_BUF = ptr;
  TAP_TABLE = ptr + <usize>PACK_A_BYTES;
  BIAS_PANEL = TAP_TABLE + <usize>TAP_TABLE_BYTES;
  BIAS_PARTIAL = BIAS_PANEL + <usize>BIAS_BYTES;
  ROW_ACC = BIAS_PARTIAL + <usize>BIAS_BYTES;
}

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

// BatchNorm's per-channel reductions split by channel blocks: each channel
// is summed over every row, in row order, by one part, as in the whole call.

/** channelMoments' channels [c0, c1) (c0 a multiple of 4 below channels & ~3). */
export function channelMomentsChannels(
  x: usize, outer: i32, channels: i32, inner: i32, mean: usize, variance: usize, c0: i32, c1: i32,
): void {
  CHANNEL_LO = c0;
  CHANNEL_HI = c1;
  f32_channel_moments(x, outer, channels, inner, mean, variance);
  CHANNEL_LO = 0;
  CHANNEL_HI = I32.MAX_VALUE;
}

/** batchNormBackward's channels [c0, c1) (c0 a multiple of 4 below channels & ~3). */
export function batchNormBackwardChannels(
  x: usize, dy: usize, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize,
  outer: i32, channels: i32, inner: i32, c0: i32, c1: i32,
): void {
  CHANNEL_LO = c0;
  CHANNEL_HI = c1;
  f32_batchnorm_bwd(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner);
  CHANNEL_LO = 0;
  CHANNEL_HI = I32.MAX_VALUE;
}

// batchNormBackward's second pass (dx from the stored sums) over rows of its
// outer axis; `n` is the whole call's N.
export { f32_batchnorm_bwd_dx as batchNormBackwardDx } from "./norm/f32_batchnorm_bwd_dx";
