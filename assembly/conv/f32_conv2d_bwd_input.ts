// f32-conv2d-bwd-input: the gradient of a Conv2D w.r.t. its input (NHWC),
// from the raw Keras kernel w[kh, kw, cin, cout]:
//   dx[n, ih, iw, ci] = sum over (oh, ow, ky, kx) with
//       ih = oh*sh + ky - padTop, iw = ow*sw + kx - padLeft
//     of dy[n, oh, ow, co] * w[ky, kx, ci, co]   (summed over co too).
// Input cells that fall in no window get 0.
//
// Scatter form: dx is zeroed, then each output pixel adds, for each of its
// taps inside the image, the tap's [cin, cout] slice times its dy vector
// (f32_gemm_bwd_input_row: dot products over cout, SIMD over cout). Taps in
// the padding are skipped. A 1x1, stride-1, unpadded conv is one dense input
// gradient (no zeroing, no accumulation).
//
// Contract
// - dy: [batch, outH, outW, cout]; w: [kh, kw, cin, cout] (raw, not packed);
//   dx: [batch, inH, inW, cin], written with `=` (every element).
// - No overlap of dx with dy or w. No alignment requirement; no over-read.

import { F32_BYTES } from "../common/tile";
import { f32_gemm_bwd_input, f32_gemm_bwd_input_row } from "../gemm/f32_gemm_bwd_input";

export function f32_conv2d_bwd_input(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  dy: usize, w: usize, dx: usize, cout: i32,
): void {
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW) {
    f32_gemm_bwd_input(dy, w, dx, batch * inH * inW, cin, cout);
    return;
  }
  const xPix = <usize>cin * F32_BYTES;
  const dyPix = <usize>cout * F32_BYTES;
  const tapBytes = <usize>cin * dyPix;
  memory.fill(dx, 0, <usize>batch * <usize>inH * <usize>inW * xPix);
  let d = dy;
  for (let b = 0; b < batch; b++) {
    const img = dx + <usize>b * <usize>inH * <usize>inW * xPix;
    for (let oh = 0; oh < outH; oh++) {
      const ihs = oh * sh - padTop;
      const ky0 = max(0, -ihs);
      const ky1 = min(kh, inH - ihs);
      for (let ow = 0; ow < outW; ow++) {
        const iws = ow * sw - padLeft;
        const kx0 = max(0, -iws);
        const kx1 = min(kw, inW - iws);
        for (let ky = ky0; ky < ky1; ky++) {
          const row = img + <usize>(ihs + ky) * <usize>inW * xPix;
          for (let kx = kx0; kx < kx1; kx++) {
            f32_gemm_bwd_input_row(
              d, w + <usize>(ky * kw + kx) * tapBytes, row + <usize>(iws + kx) * xPix, cin, cout, true);
          }
        }
        d += dyPix;
      }
    }
  }
}
