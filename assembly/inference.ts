// The inference half of the wasm export surface: what predict() needs
// (forward passes, BatchNorm's affine, element-wise ops, weight
// initialisation, and Conv2D's input gradient, which is Conv2DTranspose's
// forward pass). Export names are the `Kernels` method
// names of src/backend/kernels.ts; `WindowGeometry` is passed unpacked as
// i32 arguments in its declaration order (batch, inHeight, inWidth,
// inChannels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight,
// strideWidth, padTop, padLeft). Pointers are byte offsets into the
// exported `memory`; sizes are counts of f32. src/backend/wasm-exports.ts
// lists every export with its parameter kinds: add a line there for each
// export added here.
//
// This file is the entry of the browser's first-load binaries
// (simd-inference.wasm, relaxed-simd-inference.wasm); index.ts adds the
// training half (backward.ts) for the whole binaries.

import { f32_gemm_pack_b, f32_gemm_packed_size } from "./gemm/pack";
import { f32_gemm_fwd } from "./gemm/f32_gemm_fwd";
import { f32_conv2d_pack_filter, f32_conv2d_packed_size } from "./conv/pack";
import { f32_conv2d_fwd, f32_conv2d_scratch_size } from "./conv/f32_conv2d_fwd";
import { f32_conv2d_bwd_input, f32_conv2d_bwd_input_scratch_size } from "./conv/f32_conv2d_bwd_input";
import { f32_maxpool2d_fwd } from "./pool/f32_maxpool2d_fwd";
import { f32_avgpool2d_fwd } from "./pool/f32_avgpool2d_fwd";
import { f32_global_avgpool2d_fwd } from "./pool/f32_global_avgpool2d_fwd";
import { f32_vactivation_fwd } from "./activation/f32_vactivation_fwd";
import { f32_softmax_fwd } from "./activation/f32_softmax_fwd";
import { f32_fill_uniform } from "./init/f32_fill_uniform";
import { f32_vbinary } from "./elementwise/f32_vbinary";
import { f32_vscale } from "./elementwise/f32_vscale";
import { f32_copy_rows } from "./elementwise/f32_copy_rows";

/** Alignment of every block the TypeScript arena hands out. */
const ARENA_ALIGN: usize = 16;

/** First free byte of linear memory (after static data), rounded up to 16. */
export function heapBase(): usize {
  return (__heap_base + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

export { buildId } from "./build-id";

// ---- GEMM -----------------------------------------------------------------
export function gemmPackedSize(k: i32, n: i32): i32 {
  return f32_gemm_packed_size(k, n);
}
export function gemmPackB(b: usize, k: i32, n: i32, packed: usize): void {
  f32_gemm_pack_b(b, k, n, packed);
}
export function gemm(a: usize, packedB: usize, bias: usize, c: usize, m: i32, k: i32, n: i32, act: i32, alpha: f32): void {
  f32_gemm_fwd(a, packedB, bias, c, m, k, n, act, alpha);
}

// ---- Conv2D ---------------------------------------------------------------
export function conv2dPackedSize(kh: i32, kw: i32, cin: i32, cout: i32): i32 {
  return f32_conv2d_packed_size(kh, kw, cin, cout);
}
export function conv2dPackFilter(w: usize, kh: i32, kw: i32, cin: i32, cout: i32, packed: usize): void {
  f32_conv2d_pack_filter(w, kh, kw, cin, cout, packed);
}
export function conv2dScratchSize(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): i32 {
  return batch > 0 ? f32_conv2d_scratch_size(inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft) : 0;
}
export function conv2d(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, packedW: usize, bias: usize, y: usize, cout: i32, act: i32, alpha: f32, scratch: usize,
): void {
  f32_conv2d_fwd(batch, inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, packedW, bias, y, cout, act, alpha, scratch);
}

// ---- DepthwiseConv2D ---------------------------------------------------------
// The geometry, then the dilation (dh, dw; 1 = none), x, w (raw Keras
// [kh, kw, C, M]), bias, y, M, act, alpha. The kernel itself is exported.
// Conv2D's input gradient is also Conv2DTranspose's forward pass, so both halves need it.
export function conv2dBackwardInput(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  dy: usize, w: usize, dx: usize, cout: i32, scratch: usize,
): void {
  f32_conv2d_bwd_input(batch, inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, dy, w, dx, cout, scratch);
}
/** Scratch floats the conv backward kernels may use for this geometry (an omitted scratch argument is 0: none). */
export function conv2dBackwardScratchSize(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, cout: i32,
): i32 {
  return f32_conv2d_bwd_input_scratch_size(inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, cout);
}

export { f32_dwconv2d_fwd as depthwiseConv2d } from "./conv/f32_dwconv2d_fwd";

// ---- Pooling --------------------------------------------------------------
export function maxPool2d(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, x: usize, y: usize,
): void {
  f32_maxpool2d_fwd(batch, inH, inW, ch, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, y);
}
export function avgPool2d(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, x: usize, y: usize,
): void {
  f32_avgpool2d_fwd(batch, inH, inW, ch, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, y);
}
export function globalAvgPool2d(batch: i32, height: i32, width: i32, channels: i32, x: usize, y: usize): void {
  f32_global_avgpool2d_fwd(batch, height, width, channels, x, y);
}

// ---- Activations ----------------------------------------------------------
export function activation(x: usize, y: usize, length: i32, act: i32, alpha: f32): void {
  f32_vactivation_fwd(x, y, length, act, alpha);
}
export function softmax(x: usize, y: usize, rows: i32, cols: i32): void {
  f32_softmax_fwd(x, y, rows, cols);
}

// ---- Weight initialisation ------------------------------------------------------------
export function fillUniform(out: usize, length: i32, seed: u32, limit: f64): void {
  f32_fill_uniform(out, length, seed, limit);
}
// ---- Normalization (src/backend/kernels-norm.ts) -------------------------------
// The kernels themselves are exported (same arguments): a wrapper per export
// costs simd.wasm bytes it cannot spare.
export { f32_channel_affine as channelAffine } from "./norm/f32_channel_affine";

// ---- Element-wise (ElementwiseKernels, src/backend/kernels-elementwise.ts) ----------
// `op` is a BinaryOpId; `seed` is taken modulo 2^32; `keep` arrives as f64 so
// the dropout draw is compared exactly as the JS backend compares it.
export function binary(op: i32, a: usize, b: usize, y: usize, length: i32): void {
  f32_vbinary(op, a, b, y, length);
}
export function scale(x: usize, y: usize, length: i32, s: f32): void {
  f32_vscale(x, y, length, s);
}
export function copyRows(x: usize, y: usize, rows: i32, width: i32, xStride: i32, yStride: i32): void {
  f32_copy_rows(x, y, rows, width, xStride, yStride);
}
