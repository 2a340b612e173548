// f32-conv2d-bwd-filter: the gradient of a Conv2D w.r.t. its raw Keras kernel
// and bias (NHWC):
//   dw[ky, kx, ci, co] = sum_{n, oh, ow} x[n, oh*sh + ky - padTop, ow*sw + kx - padLeft, ci] * dy[n, oh, ow, co]
//   dbias[co]          = sum_{n, oh, ow} dy[n, oh, ow, co]
// where taps that land in the zero padding contribute nothing.
//
// For each tap (ky, kx) the output pixels whose input cell is real form a
// rectangle [oh0, oh1) x [ow0, ow1) (computed once per tap), so the tap's
// [cin, cout] slice is one strided sum of outer products (f32_outer_sum,
// shared with the Dense kernel gradient) with no bounds test inside.
//
// Contract
// - x: [batch, inH, inW, cin]; dy: [batch, outH, outW, cout];
//   dw: [kh, kw, cin, cout] written with `=` (every element, 0 for a tap no
//   output pixel reaches); dbias: [cout] written with `=`, or 0 for none.
// - No overlap of outputs with inputs. No alignment requirement; no over-read.

import { F32_BYTES } from "../common/tile";
import { f32_outer_sum } from "../gemm/f32_gemm_bwd_filter";
import { f32_bias_bwd } from "../gemm/f32_bias_bwd";

/** First output index o >= 0 with o*stride + tap - pad >= 0. */
// @ts-ignore: decorator
@inline
export function firstValid(tap: i32, pad: i32, stride: i32): i32 {
  const need = pad - tap; // o*stride >= need
  return need <= 0 ? 0 : (need + stride - 1) / stride;
}

/** One past the last output index o < out with o*stride + tap - pad < extent. */
// @ts-ignore: decorator
@inline
export function endValid(tap: i32, pad: i32, stride: i32, extent: i32, out: i32): i32 {
  const limit = extent - 1 + pad - tap; // o*stride <= limit
  if (limit < 0) return 0;
  return min(out, limit / stride + 1);
}

export function f32_conv2d_bwd_filter(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, dy: usize, dw: usize, dbias: usize, cout: i32,
): void {
  const xPix = <usize>cin * F32_BYTES;
  const dyPix = <usize>cout * F32_BYTES;
  const xsb = <usize>inH * <usize>inW * xPix;
  const xsh = <usize>sh * <usize>inW * xPix;
  const xsw = <usize>sw * xPix;
  const dsb = <usize>outH * <usize>outW * dyPix;
  const dsh = <usize>outW * dyPix;
  const tapBytes = <usize>cin * dyPix;
  for (let ky = 0; ky < kh; ky++) {
    const oh0 = firstValid(ky, padTop, sh);
    const oh1 = endValid(ky, padTop, sh, inH, outH);
    for (let kx = 0; kx < kw; kx++) {
      const ow0 = firstValid(kx, padLeft, sw);
      const ow1 = endValid(kx, padLeft, sw, inW, outW);
      const tap = dw + <usize>(ky * kw + kx) * tapBytes;
      if (oh1 <= oh0 || ow1 <= ow0) {
        memory.fill(tap, 0, tapBytes);
        continue;
      }
      const ih0 = oh0 * sh + ky - padTop;
      const iw0 = ow0 * sw + kx - padLeft;
      f32_outer_sum(
        x + <usize>ih0 * <usize>inW * xPix + <usize>iw0 * xPix,
        dy + <usize>oh0 * dsh + <usize>ow0 * dyPix,
        tap, cin, cout, batch, oh1 - oh0, ow1 - ow0,
        xsb, xsh, xsw, dsb, dsh, dyPix,
      );
    }
  }
  if (dbias != 0) f32_bias_bwd(dy, dbias, batch * outH * outW, cout);
}
