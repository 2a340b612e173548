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

import { f32_gemm_bwd_filter } from "./gemm/f32_gemm_bwd_filter";
import { f32_conv2d_bwd_filter } from "./conv/f32_conv2d_bwd_filter";
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
