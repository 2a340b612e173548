// f32-conv2d-fwd (implicit GEMM, 4x8 tiles): NHWC forward convolution
//   y[n, oh, ow, co] = act(bias[co] + sum_{ky, kx, ci}
//       x[n, oh*sh + ky - padTop, ow*sw + kx - padLeft, ci] * w[ky, kx, ci, co])
// with cells outside the image counting as 0.
//
// No column buffer: for 4 output pixels along a row and one 8-filter panel,
// the 4x8 micro-kernel walks ky (segments) and, inside each, the kw*cin
// floats that are contiguous in NHWC input, broadcasting input and
// multiply-adding the packed filter panel. Measured here 20-30% faster than
// im2col + GEMM.
//
// Two schedules, picked by packAPays (gemm/f32_gemm_4x8_packed_a.ts, with
// the measurements):
// - many filter panels (cout >= 25 in relaxed-SIMD, or a short reduction
//   K = kh*kw*cin <= 32 in SIMD): the 4 pixels' windows are packed once into
//   a k-major slab and swept across every panel (one A pointer, constant
//   offsets); 32x32x3->32 3x3 went 60.6 -> 44.1 us relaxed, 28x28x1->32
//   3x3 31.4 -> 21.5 us SIMD / 27.3 -> 17.0 us relaxed (with the 4x8 changes).
// - otherwise, per panel, one f32_gemm_4x8 call runs the whole output row.
// When a row is not a multiple of 4 pixels, the image is tiled as one run of
// pixels instead (flatImage), so only the last 1..3 pixels of the image, not
// of every row, fall to the slow 1x8 kernel.
// Tried and dropped: a direct kernel with 4 or 8 output pixels in the lanes
// (planar padded scratch, weights broadcast): its transposing epilogue made
// it slower (28x28x1->32: 27 us relaxed vs 17 us); and an extra 4-pixel
// tile overlapping the last one instead of the 1x8 pixel tail (LeNet's
// 14x14x6->16 5x5 valid: 15.3 -> 16.7 us SIMD, 12.7 -> 13.4 us relaxed).
// Tried again for one input channel and 4..8 filters (LeNet's 28x28x1->6
// 5x5 same, where the 4x8 tile wastes 2 of 8 columns): 4 pixels x 6 filters
// per tile, weights broadcast, two 4x4 shuffle transposes in the epilogue:
// 12.4 -> 10.6 us SIMD but 10.1 -> 11.0 us relaxed (the 6 FMA chains are
// latency-bound); 8 pixels x 6 filters (12 chains) spilled: 13.7 us. Nor
// did the packed kernel on the full 8-column panel into a static tile, then
// copying 6 of 8 columns out: 10.3 -> 11.5 us relaxed, 12.2 -> 14.5 SIMD.
//
// Contract
// - x: [batch, inH, inW, cin]; packedW: from f32_conv2d_pack_filter;
//   bias: [cout] or 0; y: [batch, outH, outW, cout], written with `=`.
// - scratch: f32_conv2d_scratch_size(...) floats (0 = not needed), written
//   freely. When the geometry needs any padding (padTop/padLeft > 0, or the
//   windows run past the bottom/right edge), each image is first copied into
//   scratch surrounded by zeros, so the inner loops have no bounds checks.
// - x, packedW, bias, scratch must not overlap y. No alignment requirement.
// - Over-read: none; every input float read lies inside a window, every
//   filter read inside its zero-padded panel.
// - 1x1 stride-1 unpadded convolutions are one GEMM over batch*H*W pixels.

import { F32_BYTES, MR, NR, PANEL_ROW_BYTES } from "../common/tile";
import { f32_gemm_4x8 } from "../gemm/f32_gemm_4x8";
import { f32_gemm_1x8 } from "../gemm/f32_gemm_1x8";
import { f32_gemm_fwd } from "../gemm/f32_gemm_fwd";
import { f32_gemm_4x8_packed_a_cols, packAPays } from "../gemm/f32_gemm_4x8_packed_a";
import { PACK_A_BUF, PACK_A_MAX_K, f32_gemm_pack_a4, f32_gemm_pack_a4_rows } from "../gemm/pack";
import { f32_conv2d_pack_windows4_cin1 } from "./pack";
import { needsPadding, padImage, paddedHeight, paddedWidth } from "./pad";
import { f32_conv2d_fwd_cin1, f32_conv2d_fwd_cin1_applies } from "./f32_conv2d_fwd_cin1";
import { f32_conv2d_fwd_2x16, f32_conv2d_fwd_2x16_applies } from "./f32_conv2d_fwd_2x16";

export function f32_conv2d_scratch_size(
  inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): i32 {
  if (outH <= 0 || outW <= 0) return 0;
  if (!needsPadding(inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft)) return 0;
  return paddedHeight(outH, kh, sh) * paddedWidth(outW, kw, sw) * cin;
}

export function f32_conv2d_fwd(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, packedW: usize, bias: usize, y: usize, cout: i32,
  act: i32, alpha: f32, scratch: usize,
): void {
  if (batch <= 0 || outH <= 0 || outW <= 0) return;
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW) {
    f32_gemm_fwd(x, packedW, bias, y, batch * inH * inW, cin, cout, act, alpha);
    return;
  }
  // One channel, few filters: 16 pixels x 2 filters per tile (f32_conv2d_fwd_cin1.ts);
  // its scratch (the padded image) is the size computed above.
  if (f32_conv2d_fwd_cin1_applies(cin, sw, outW, cout, kh, kw)) {
    f32_conv2d_fwd_cin1(batch, inH, inW, outH, outW, kh, kw, sh, padTop, padLeft, x, packedW, bias, y, cout, act, alpha, scratch);
    return;
  }
  // Filters in groups of 16: 2 pixels x 16 per tile, no packing (f32_conv2d_fwd_2x16.ts).
  if (f32_conv2d_fwd_2x16_applies(cout) && use2x16(cout, cin, kw)) {
    f32_conv2d_fwd_2x16(batch, inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, packedW, bias, y, cout, act, alpha, scratch);
    return;
  }
  const pad = needsPadding(inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft);
  const hp = paddedHeight(outH, kh, sh);
  const wp = pad ? paddedWidth(outW, kw, sw) : inW;
  const pix = <usize>cin * F32_BYTES;
  const srcRowBytes = <usize>wp * pix;
  const kc = kw * cin;
  const aSegSkip = srcRowBytes - <usize>kc * F32_BYTES;
  const aStride = <usize>sw * pix;
  const panelBytes = <usize>(kh * kc) * PANEL_ROW_BYTES;
  const yPix = <usize>cout * F32_BYTES;
  const yRowBytes = <usize>outW * yPix;
  const imgBytes = <usize>inH * <usize>inW * pix;
  const owFull = outW & ~(MR - 1);
  const kTotal = kh * kc;
  const packA = packAPays(kTotal, (cout + NR - 1) / NR) && !(ASC_FEATURE_RELAXED_SIMD && kc >= ONE_POINTER_MIN_KC);
  // One channel at stride 1: neighbouring windows are shifted copies (see
  // f32_conv2d_pack_windows4_cin1), packed with one load per step instead
  // of scalar moves. 28x28x1->32 3x3 same (K = 9, where packing is a fifth
  // of the work): 16.8 -> 14.5 us relaxed, 21.5 -> 18.8 us SIMD; batch 32
  // 0.550 -> 0.469 ms relaxed (26.3 -> 30.8 GFLOP/s), 0.683 -> 0.602 SIMD
  // (best of 8, one process).
  // Packing for cin = 1 where packAPays says no (one partial panel, LeNet's
  // 28x28x1->6 5x5) lost even so: 10.0 -> 13.9 us relaxed, 12.3 -> 16.8 SIMD.
  const unitStep = ASC_FEATURE_SIMD && cin == 1 && sw == 1;
  const flat = ASC_FEATURE_SIMD && owFull != outW && kTotal <= PACK_A_MAX_K && (packA || FLAT_UNPACKED);
  for (let b = 0; b < batch; b++) {
    let src = x + <usize>b * imgBytes;
    if (pad) {
      padImage(src, inH, inW, cin, padTop, padLeft, hp, wp, scratch);
      src = scratch;
    }
    const yImg = y + <usize>b * <usize>outH * yRowBytes;
    if (flat) {
      flatImage(src, srcRowBytes, sh, aStride, outH, outW, kh, kc, aSegSkip, kTotal, packedW, panelBytes,
        bias, yImg, yPix, cout, act, alpha, unitStep);
      continue;
    }
    for (let oh = 0; oh < outH; oh++) {
      const aRow = src + <usize>(oh * sh) * srcRowBytes;
      const yRow = yImg + <usize>oh * yRowBytes;
      if (packA) {
        // 4 output pixels' windows packed once, then swept across all panels.
        for (let ow = 0; ow < owFull; ow += MR) {
          if (unitStep) f32_conv2d_pack_windows4_cin1(aRow + <usize>ow * aStride, kh, kw, srcRowBytes, PACK_A_BUF);
          else f32_gemm_pack_a4(aRow + <usize>ow * aStride, aStride, kh, kc, aSegSkip, PACK_A_BUF);
          f32_gemm_4x8_packed_a_cols(PACK_A_BUF, kTotal, packedW, panelBytes, bias, yRow + <usize>ow * yPix, yPix, cout, act, alpha);
        }
        for (let n0 = 0; n0 < cout; n0 += NR) {
          const nc = min(NR, cout - n0);
          const w = packedW + <usize>(n0 / NR) * panelBytes;
          const bp: usize = bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES;
          const yCol = yRow + <usize>n0 * F32_BYTES;
          for (let ow = owFull; ow < outW; ow++) {
            f32_gemm_1x8(aRow + <usize>ow * aStride, kh, kc, aSegSkip, w, bp, yCol + <usize>ow * yPix, nc, act, alpha);
          }
        }
        continue;
      }
      for (let n0 = 0; n0 < cout; n0 += NR) {
        const nc = min(NR, cout - n0);
        const w = packedW + <usize>(n0 / NR) * panelBytes;
        const bp: usize = bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES;
        const yCol = yRow + <usize>n0 * F32_BYTES;
        let ow = owFull;
        if (owFull > 0) {
          f32_gemm_4x8(aRow, aStride, kh, kc, aSegSkip, w, bp, yCol, yPix, nc, act, alpha,
            owFull / MR, <usize>MR * aStride, <usize>MR * yPix);
        }
        for (; ow < outW; ow++) {
          f32_gemm_1x8(aRow + <usize>ow * aStride, kh, kc, aSegSkip, w, bp, yCol + <usize>ow * yPix, nc, act, alpha);
        }
      }
    }
  }
}

/**
 * Whether the 2x16 kernel should take a conv it can compute (cout a
 * multiple of 16). Always at exactly 16 filters, where the 4x8 path packs
 * for only 2 panels (see f32_conv2d_fwd_2x16.ts). At 32, 48, 64... filters
 * (best of 40-150 interleaved rounds, one process, packed or 4x8 -> 2x16,
 * 3x3 'same' + relu):
 * - SIMD: 56x56x64->64 6.45 -> 6.10-6.29 ms, 112x112x32->64 13.7 -> 12.5 ms,
 *   32x32x32->64 1.05 -> 1.00 ms, 16x16x64->64 0.522 -> 0.491 ms,
 *   32x32x3->32 65 -> 58 us; but one input channel loses to the shifted
 *   window packing (batch 32 of 28x28x1->32 0.613 -> 0.664 ms).
 * - relaxed-SIMD: segments of ONE_POINTER_MIN_KC floats or more are faster
 *   in the one-pointer 4x8 kernel (112x112x32->64 9.5 -> 9.8 ms, 56x56x64
 *   ->64 4.74 -> 4.81 ms), shorter ones in 2x16 (32x32x3->32 46 -> 45 us,
 *   14x14x6->32 5x5 same 44 -> 40 us); one input channel as in SIMD
 *   (0.474 -> 0.580 ms).
 */
function use2x16(cout: i32, cin: i32, kw: i32): bool {
  if (cout == 16) return true;
  if (cin == 1) return false;
  return !ASC_FEATURE_RELAXED_SIMD || kw * cin < ONE_POINTER_MIN_KC;
}

/**
 * Shortest segment (kw*cin floats) for which the relaxed-SIMD build reads
 * the windows in place with the one-pointer 4x8 kernel (f32_gemm_4x8.ts)
 * instead of packing each 4-pixel tile: the packing was ~5% of the time.
 * Best of 40 interleaved rounds, packed -> in place, 3x3 'same' + relu:
 * 56x56x64->64 4.98 -> 4.68 ms, 32x32x32->32 0.418 -> 0.380 ms,
 * 32x32x32->64 0.793 -> 0.758 ms, 16x16x64->64 0.390 -> 0.380 ms;
 * 16x16x32->64 and 112x112x32->64 within noise (+-3%); but 32x32x3->32
 * (segments of 9) 0.060 -> 0.277 ms, so short segments keep packing.
 */
const ONE_POINTER_MIN_KC: i32 = 64;

/**
 * Whether images whose rows are not a multiple of 4 pixels are tiled as one
 * run of pixels (packed 4-pixel windows straddling rows) even where
 * packAPays says no: the alternative is the 1x8 kernel for every row's
 * 1..3 leftover pixels, at a quarter of the 4x8 tile's work per call.
 * Measured on LeNet's second conv, 14x14x6->16 5x5 valid (10x10 output: 20
 * of 100 pixels were leftovers; 2 panels, where packing alone lost):
 * 19.2 -> 12.1 us relaxed, 22.9 -> 17.1 us SIMD; batch 64 1.234 -> 0.779 ms
 * relaxed, 1.453 -> 1.083 ms SIMD (best of 5-8, one process).
 */
const FLAT_UNPACKED: bool = true;

/**
 * One image as a single run of outH*outW pixels in tiles of 4 (a tile may
 * straddle two output rows, as y is contiguous), each tile's windows packed
 * once and swept across every filter panel; only the last outH*outW % 4
 * pixels go through the 1x8 kernel, instead of outW % 4 in every row.
 */
function flatImage(
  src: usize, srcRowBytes: usize, sh: i32, aStride: usize, outH: i32, outW: i32, kh: i32, kc: i32,
  aSegSkip: usize, kTotal: i32, packedW: usize, panelBytes: usize,
  bias: usize, yImg: usize, yPix: usize, cout: i32, act: i32, alpha: f32, unitStep: bool,
): void {
  const pixels = outH * outW;
  const full = pixels & ~(MR - 1);
  const rowStep = <usize>sh * srcRowBytes;
  // Window start of the next pixel to pack, walked row by row.
  let ow = 0;
  let rowStart = src;
  for (let p = 0; p < full; p += MR) {
    let a0: usize = 0, a1: usize = 0, a2: usize = 0, a3: usize = 0;
    for (let r = 0; r < MR; r++) {
      const a = rowStart + <usize>ow * aStride;
      if (r == 0) a0 = a;
      else if (r == 1) a1 = a;
      else if (r == 2) a2 = a;
      else a3 = a;
      if (++ow == outW) {
        ow = 0;
        rowStart += rowStep;
      }
    }
    // Four pixels of one row at cin = 1, stride 1: shifted windows (see
    // unitStep). 28x28x1->32 3x3 valid: 14.5 -> 12.9 us relaxed, 18.4 ->
    // 16.7 us SIMD (best of 80, one process, identical outputs).
    if (unitStep && a3 == a0 + 3 * aStride) f32_conv2d_pack_windows4_cin1(a0, kh, kc, srcRowBytes, PACK_A_BUF);
    else f32_gemm_pack_a4_rows(a0, a1, a2, a3, kh, kc, aSegSkip, PACK_A_BUF);
    f32_gemm_4x8_packed_a_cols(PACK_A_BUF, kTotal, packedW, panelBytes, bias, yImg + <usize>p * yPix, yPix, cout, act, alpha);
  }
  for (let p = full; p < pixels; p++) {
    const a = rowStart + <usize>ow * aStride;
    const yp = yImg + <usize>p * yPix;
    for (let n0 = 0; n0 < cout; n0 += NR) {
      const nc = min(NR, cout - n0);
      const w = packedW + <usize>(n0 / NR) * panelBytes;
      const bp: usize = bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES;
      f32_gemm_1x8(a, kh, kc, aSegSkip, w, bp, yp + <usize>n0 * F32_BYTES, nc, act, alpha);
    }
    if (++ow == outW) {
      ow = 0;
      rowStart += rowStep;
    }
  }
}
