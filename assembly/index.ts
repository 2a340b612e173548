// The only export surface of the wasm binaries. Export names are the
// `Kernels` method names of src/backend/kernels.ts; `WindowGeometry` is passed
// unpacked as i32 arguments in its declaration order (batch, inHeight,
// inWidth, inChannels, outHeight, outWidth, kernelHeight, kernelWidth,
// strideHeight, strideWidth, padTop, padLeft). Pointers are byte offsets into
// the exported `memory`; sizes are counts of f32. Forward passes, the
// element-wise kernels, then the training kernels re-exported from backward.ts.
// src/backend/wasm-exports.ts lists every export with its parameter kinds:
// add a line there for each export added here.
//
// One source, three binaries: ASC_FEATURE_SIMD / ASC_FEATURE_RELAXED_SIMD
// select the v128 and fused multiply-add paths at compile time (asconfig.json).

import { f32_gemm_pack_b, f32_gemm_packed_size } from "./gemm/pack";
import { f32_gemm_fwd } from "./gemm/f32_gemm_fwd";
import { f32_conv2d_pack_filter, f32_conv2d_packed_size } from "./conv/pack";
import { f32_conv2d_fwd, f32_conv2d_scratch_size } from "./conv/f32_conv2d_fwd";
import { f32_maxpool2d_fwd } from "./pool/f32_maxpool2d_fwd";
import { f32_avgpool2d_fwd } from "./pool/f32_avgpool2d_fwd";
import { f32_global_avgpool2d_fwd } from "./pool/f32_global_avgpool2d_fwd";
import { f32_vactivation_fwd } from "./activation/f32_vactivation_fwd";
import { f32_softmax_fwd } from "./activation/f32_softmax_fwd";
import { f32_fill_uniform } from "./init/f32_fill_uniform";
import { f32_vbinary } from "./elementwise/f32_vbinary";
import { f32_vscale } from "./elementwise/f32_vscale";
import { f32_copy_rows } from "./elementwise/f32_copy_rows";
import { f32_maximum_bwd } from "./elementwise/f32_maximum_bwd";
import { f32_dropout_fwd } from "./elementwise/f32_dropout_fwd";
import { f32_first_nonfinite } from "./elementwise/f32_nonfinite";
import { f32_softmax_bwd } from "./activation/f32_softmax_bwd";
import { BuildId } from "./shared/ids";

/** Alignment of every block the TypeScript arena hands out. */
const ARENA_ALIGN: usize = 16;

/** First free byte of linear memory (after static data), rounded up to 16. */
export function heapBase(): usize {
  return (__heap_base + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

/** Which build this binary is, chosen by the same constants that choose its kernels: init() reads it. */
export function buildId(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) return BuildId.RelaxedSimd;
  if (ASC_FEATURE_SIMD) return BuildId.Simd;
  return BuildId.Scalar;
}

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
export { f32_channel_moments as channelMoments } from "./norm/f32_channel_moments";

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
export function maximumBackward(x: usize, y: usize, dy: usize, dx: usize, length: i32): void {
  f32_maximum_bwd(x, y, dy, dx, length);
}
export function dropoutForward(x: usize, y: usize, mask: usize, length: i32, seed: u32, keep: f64): void {
  f32_dropout_fwd(x, y, mask, length, seed, keep);
}
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  f32_softmax_bwd(y, dy, dx, rows, cols);
}
export function firstNonFinite(x: usize, length: i32): i32 {
  return f32_first_nonfinite(x, length);
}

export * from "./backward";
