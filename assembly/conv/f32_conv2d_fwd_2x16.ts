// f32-conv2d-fwd-2x16 (wasmsimd / wasmrelaxedsimd): NHWC forward
// convolution for filters in groups of 16 (two 8-filter panels; LeNet's
// second layer, 14x14x6 -> 16, 5x5 'valid', is one group), 2 output pixels
// x 16 filters per tile, the input read in place. Each pair of pixels runs
// every group before moving on, so its windows stay in L1. The tile and its
// row loops are gemm/f32_gemm_2x16.ts, shared with the plain-SIMD GEMM;
// this file pads the image and walks the batch.
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
import { isExpensive } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { GROUP_COLUMNS, image } from "../gemm/f32_gemm_2x16";
import { needsPadding, padImage, paddedHeight, paddedWidth } from "./pad";


/** Whether this kernel can compute the call (see the contract); f32_conv2d_fwd decides whether it should. */
// @ts-ignore: decorator
@inline
export function f32_conv2d_fwd_2x16_applies(cout: i32): bool {
  return ASC_FEATURE_SIMD && cout > 0 && cout % GROUP_COLUMNS == 0;
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
  const groups = cout / GROUP_COLUMNS;
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
