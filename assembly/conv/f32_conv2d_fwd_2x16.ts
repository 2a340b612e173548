// f32-conv2d-fwd-2x16 (wasmsimd / wasmrelaxedsimd): NHWC forward
// convolution for filters in groups of 16 (two 8-filter panels; LeNet's
// second layer, 14x14x6 -> 16, 5x5 'valid', is one group), 2 output pixels
// x 16 filters per tile, the input read in place. Each pair of pixels runs
// every group before moving on, so its windows stay in L1.
//
// Why: the 4x8 path packs each 4-pixel tile's windows (k-major) before
// sweeping its 2 panels; at 2 panels the packing is not amortised (under
// --cpu-prof, f32_gemm_pack_a4_rows was 8% of a LeNet batch-1 predict).
// Two neighbouring pixels' windows are the same floats `pixStep` bytes
// apart, so their broadcasts need one pointer and no packing; the two
// panels give 4 weight vectors per step: 8 multiply-adds per 6 loads, as
// the 4x8 tile, in 14 xmm registers (V8 issues all of a step's loads before
// its multiply-adds, so accumulators + loaded values must fit in 15).
// Measured (Zen 3, Node 20, best of 15 interleaved rounds, one process;
// compare within a line), packed 4x8 -> this kernel, + bias + relu:
// 14x14x6->16 5x5 valid 12.4 -> 9.9 us relaxed, 17.3 -> 12.6 us SIMD;
// batch 4 71 -> 39 us relaxed, 116 -> 98 us SIMD; 14x14x6->16 3x3 same
// 15.2 -> 11.9 relaxed; 32x32x3->16 3x3 same 41.0 -> 36.8 relaxed, 51.6 ->
// 48.6 SIMD; 16x16x32->16 3x3 same 54.8 -> 48.0 relaxed, 130 -> 119 SIMD.
// Identical outputs where the 4x8 path had no 1x8 tail (same order).
// More groups: see use2x16 in f32_conv2d_fwd.ts for where it beats the
// 4x8 paths (plain SIMD 56x56x64->64 6.45 -> 6.1-6.3 ms).
//
// Contract
// - x: [batch, inH, inW, cin]; packedW: f32_conv2d_pack_filter's cout/8
//   panels ([ky][kx][ci][8] each); bias: [cout] or 0;
//   y: [batch, outH, outW, cout], written with `=`.
// - Only when f32_conv2d_fwd_2x16_applies(cout) (SIMD builds, cout a
//   multiple of 16).
//   Any batch, cin, stride, kernel, padding.
// - scratch: f32_conv2d_scratch_size's floats (the zero-padded image, when
//   the geometry needs padding), written freely.
// - Over-read: none; every input float read lies inside a window.
// - x, packedW, bias, scratch must not overlap y.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, PANEL_ROW_BYTES } from "../common/tile";
import { madd } from "../gemm/madd";
import { activateCheapVec, isExpensive } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { needsPadding, padImage, paddedHeight, paddedWidth } from "./pad";

/** Filters this kernel computes: two 8-filter panels. */
const FILTERS: i32 = 16;
/** Bytes of one output pixel's 16 floats. */
const PIXEL_BYTES: usize = 64;

/** Whether this kernel can compute the call (see the contract); f32_conv2d_fwd decides whether it should. */
// @ts-ignore: decorator
@inline
export function f32_conv2d_fwd_2x16_applies(cout: i32): bool {
  return ASC_FEATURE_SIMD && cout > 0 && cout % FILTERS == 0;
}

export function f32_conv2d_fwd_2x16(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, packedW: usize, bias: usize, y: usize, cout: i32, act: i32, alpha: f32, scratch: usize,
): void {
  if (!ASC_FEATURE_SIMD) return; // never called: f32_conv2d_fwd_2x16_applies is false
  const hp = paddedHeight(outH, kh, sh);
  const wp = paddedWidth(outW, kw, sw);
  const pad = needsPadding(inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft);
  const pix = <usize>cin * F32_BYTES;
  const srcRowBytes = <usize>(pad ? wp : inW) * pix;
  const rowStep = <usize>sh * srcRowBytes;
  const pixStep = <usize>sw * pix;
  const segBytes = <usize>kw * pix;
  const panelBytes = <usize>(kh * kw * cin) * PANEL_ROW_BYTES;
  const yPix = <usize>cout * F32_BYTES;
  const yRowBytes = <usize>outW * yPix;
  const groups = cout / FILTERS;
  const imgBytes = <usize>inH * <usize>inW * pix;
  // The row loops inlined with a constant activation, so each tile's
  // epilogue is straight-line code (see image()).
  for (let b = 0; b < batch; b++) {
    let src = x + <usize>b * imgBytes;
    if (pad) {
      padImage(src, inH, inW, cin, padTop, padLeft, hp, wp, scratch);
      src = scratch;
    }
    const yImg = y + <usize>b * <usize>outH * yRowBytes;
    if (act == ActivationId.Relu) {
      image(src, outH, outW, rowStep, pixStep, kh, segBytes, srcRowBytes, packedW, panelBytes, groups, bias, yImg, yPix, ActivationId.Relu, alpha);
    } else if (act == ActivationId.Linear || isExpensive(act)) {
      image(src, outH, outW, rowStep, pixStep, kh, segBytes, srcRowBytes, packedW, panelBytes, groups, bias, yImg, yPix, ActivationId.Linear, alpha);
      if (isExpensive(act)) f32_vactivation_fwd(yImg, yImg, outH * outW * cout, act, alpha);
    } else {
      image(src, outH, outW, rowStep, pixStep, kh, segBytes, srcRowBytes, packedW, panelBytes, groups, bias, yImg, yPix, act, alpha);
    }
  }
}

/**
 * One image's output rows. Inlined with a constant `act`: with the
 * activation a run-time value, V8 kept a compare-and-branch per output
 * vector in every tile's epilogue and spilled around it, ~30 cycles of a
 * 108-cycle tile at K = 27 (32x32x3->32).
 */
// @ts-ignore: decorator
@inline
function image(
  src: usize, outH: i32, outW: i32, rowStep: usize, pixStep: usize, kh: i32, segBytes: usize, srcRowBytes: usize,
  w: usize, panelBytes: usize, groups: i32, bias: usize, yImg: usize, yPix: usize, act: i32, alpha: f32,
): void {
  const pairs = outW >> 1;
  const yRowBytes = <usize>outW * yPix;
  let row = src;
  for (let oh = 0; oh < outH; oh++) {
    let a = row;
    let yp = yImg + <usize>oh * yRowBytes;
    for (let i = 0; i < pairs; i++) {
      allGroups(a, pixStep, kh, segBytes, srcRowBytes, w, panelBytes, groups, bias, yp, yPix, act, alpha, 2);
      a += 2 * pixStep;
      yp += 2 * yPix;
    }
    if ((outW & 1) != 0) {
      allGroups(a, pixStep, kh, segBytes, srcRowBytes, w, panelBytes, groups, bias, yp, yPix, act, alpha, 1);
    }
    row += rowStep;
  }
}

/**
 * The same `pixels` output pixels times every 16-filter group in turn (the
 * windows stay in L1 while the group's two panels stream past).
 */
// @ts-ignore: decorator
@inline
function allGroups(
  a: usize, pixStep: usize, kh: i32, segBytes: usize, srcRowBytes: usize, w: usize, panelBytes: usize,
  groups: i32, bias: usize, y: usize, yPix: usize, act: i32, alpha: f32, pixels: i32,
): void {
  for (let g = 0; g < groups; g++) {
    tile(a, pixStep, kh, segBytes, srcRowBytes, w, w + panelBytes, bias, y, yPix, act, alpha, pixels);
    w += panelBytes << 1;
    if (bias != 0) bias += PIXEL_BYTES;
    y += PIXEL_BYTES;
  }
}

/**
 * `pixels` (2, or 1 for an odd row's last; a constant after inlining)
 * output pixels whose windows start at a and a + pixStep, times 16 filters
 * (panels at w0 and w1; output pixels yPix bytes apart). Bias, cheap
 * activation, then 16 floats a pixel.
 */
// @ts-ignore: decorator
@inline
function tile(
  a: usize, pixStep: usize, kh: i32, segBytes: usize, srcRowBytes: usize, w0: usize, w1: usize, bias: usize,
  y: usize, yPix: usize, act: i32, alpha: f32, pixels: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let ky = 0; ky < kh; ky++) {
    const end = a + segBytes;
    for (let p = a; p < end; p += F32_BYTES) {
      const b0 = v128.load(w0);
      const b1 = v128.load(w0, 16);
      const b2 = v128.load(w1);
      const b3 = v128.load(w1, 16);
      const x0 = v128.load32_splat(p);
      c00 = madd(x0, b0, c00);
      c01 = madd(x0, b1, c01);
      c02 = madd(x0, b2, c02);
      c03 = madd(x0, b3, c03);
      if (pixels > 1) {
        const x1 = v128.load32_splat(p + pixStep);
        c10 = madd(x1, b0, c10);
        c11 = madd(x1, b1, c11);
        c12 = madd(x1, b2, c12);
        c13 = madd(x1, b3, c13);
      }
      w0 += PANEL_ROW_BYTES;
      w1 += PANEL_ROW_BYTES;
    }
    a += srcRowBytes;
  }
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0), d2 = f32x4.splat(0), d3 = f32x4.splat(0);
  if (bias != 0) {
    d0 = v128.load(bias);
    d1 = v128.load(bias, 16);
    d2 = v128.load(bias, 32);
    d3 = v128.load(bias, 48);
  }
  v128.store(y, activateCheapVec(f32x4.add(c00, d0), act, alpha));
  v128.store(y, activateCheapVec(f32x4.add(c01, d1), act, alpha), 16);
  v128.store(y, activateCheapVec(f32x4.add(c02, d2), act, alpha), 32);
  v128.store(y, activateCheapVec(f32x4.add(c03, d3), act, alpha), 48);
  if (pixels > 1) {
    const y1 = y + yPix;
    v128.store(y1, activateCheapVec(f32x4.add(c10, d0), act, alpha));
    v128.store(y1, activateCheapVec(f32x4.add(c11, d1), act, alpha), 16);
    v128.store(y1, activateCheapVec(f32x4.add(c12, d2), act, alpha), 32);
    v128.store(y1, activateCheapVec(f32x4.add(c13, d3), act, alpha), 48);
  }
}
