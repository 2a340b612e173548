// f32-conv2d-fwd (implicit GEMM, 4x8 tiles): NHWC forward convolution
//   y[n, oh, ow, co] = act(bias[co] + sum_{ky, kx, ci}
//       x[n, oh*sh + ky - padTop, ow*sw + kx - padLeft, ci] * w[ky, kx, ci, co])
// with cells outside the image counting as 0.
//
// No column buffer: for 4 output pixels along a row and one 8-filter panel,
// the 4x8 micro-kernel walks ky (segments) and, inside each, the kw*cin
// floats that are contiguous in NHWC input, broadcasting input and
// multiply-adding the packed filter panel. Measured here 20-30% faster than
// im2col + GEMM (DESIGN.md).
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

/** Rows of the (virtually) padded image the windows touch. */
// @ts-ignore: decorator
@inline
function paddedHeight(outH: i32, kh: i32, sh: i32): i32 {
  return (outH - 1) * sh + kh;
}

/** Columns of the (virtually) padded image the windows touch. */
// @ts-ignore: decorator
@inline
function paddedWidth(outW: i32, kw: i32, sw: i32): i32 {
  return (outW - 1) * sw + kw;
}

// @ts-ignore: decorator
@inline
function needsPadding(inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32): bool {
  return padTop > 0 || padLeft > 0 ||
    paddedHeight(outH, kh, sh) > inH || paddedWidth(outW, kw, sw) > inW;
}

export function f32_conv2d_scratch_size(
  inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
): i32 {
  if (outH <= 0 || outW <= 0) return 0;
  if (!needsPadding(inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft)) return 0;
  return paddedHeight(outH, kh, sh) * paddedWidth(outW, kw, sw) * cin;
}

/** Copies one [inH, inW, cin] image into a zero-bordered [hp, wp, cin] one. */
function padImage(x: usize, inH: i32, inW: i32, cin: i32, padTop: i32, padLeft: i32, hp: i32, wp: i32, dst: usize): void {
  const pix = <usize>cin * F32_BYTES;
  const rowBytes = <usize>wp * pix;
  const left = min(padLeft, wp);
  const copied = max(0, min(inW, wp - padLeft));
  const right = wp - left - copied;
  for (let r = 0; r < hp; r++) {
    const iy = r - padTop;
    const d = dst + <usize>r * rowBytes;
    if (iy < 0 || iy >= inH) {
      memory.fill(d, 0, rowBytes);
      continue;
    }
    memory.fill(d, 0, <usize>left * pix);
    memory.copy(d + <usize>left * pix, x + <usize>iy * <usize>inW * pix, <usize>copied * pix);
    memory.fill(d + <usize>(left + copied) * pix, 0, <usize>right * pix);
  }
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
  for (let b = 0; b < batch; b++) {
    let src = x + <usize>b * imgBytes;
    if (pad) {
      padImage(src, inH, inW, cin, padTop, padLeft, hp, wp, scratch);
      src = scratch;
    }
    const yImg = y + <usize>b * <usize>outH * yRowBytes;
    for (let oh = 0; oh < outH; oh++) {
      const aRow = src + <usize>(oh * sh) * srcRowBytes;
      const yRow = yImg + <usize>oh * yRowBytes;
      for (let n0 = 0; n0 < cout; n0 += NR) {
        const nc = min(NR, cout - n0);
        const w = packedW + <usize>(n0 / NR) * panelBytes;
        const bp: usize = bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES;
        const yCol = yRow + <usize>n0 * F32_BYTES;
        let ow = 0;
        for (; ow < owFull; ow += MR) {
          f32_gemm_4x8(aRow + <usize>ow * aStride, aStride, kh, kc, aSegSkip, w, bp, yCol + <usize>ow * yPix, yPix, nc, act, alpha);
        }
        for (; ow < outW; ow++) {
          f32_gemm_1x8(aRow + <usize>ow * aStride, kh, kc, aSegSkip, w, bp, yCol + <usize>ow * yPix, nc, act, alpha);
        }
      }
    }
  }
}
