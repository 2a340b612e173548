// f32-dwconv2d-bwd-input: the input gradient of the depthwise convolution
// (f32_dwconv2d_fwd.ts)
//   dx[n, ih, iw, c] = sum over m and every (oh, ow, ky, kx) with
//       ih = oh*sh - padTop + ky*dh, iw = ow*sw - padLeft + kx*dw
//   of dy[n, oh, ow, c*M + m] * w[ky, kx, c, m].
// Input cells in no window get 0.
//
// Contract
// - dy: [batch, outH, outW, C*M]; w: raw [kh, kw, C, M]; dx: [batch, inH,
//   inW, C], written with `=` (a gather per input cell: no scatter, no
//   zeroing pass, no scratch). No overlap, no alignment requirement, no
//   over-read.
// - The taps reaching an input row / column form an arithmetic progression
//   (every other tap at stride 2 and dilation 1), found once per row /
//   pixel by axisTaps (dwtaps.ts); the channel loops then only add pointer
//   steps. SIMD builds vectorise over channels, 4 per v128, for M = 1; the
//   C % 4 tail and M > 1 (a sum over m per channel) run the scalar loop.
//   f32 sums in (ky, kx, m) order.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { axisTaps, tapCount, tapFirst, tapOut, tapStep } from "./dwtaps";

export function f32_dwconv2d_bwd_input(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  dy: usize, w: usize, dx: usize, mult: i32,
): void {
  const cm = ch * mult;
  const dyPix = <usize>cm * F32_BYTES;
  const dyRow = <usize>outW * dyPix;
  const wRow = <usize>kw * dyPix;
  let out = dx;
  for (let b = 0; b < batch; b++) {
    const img = dy + <usize>b * <usize>outH * dyRow;
    for (let ih = 0; ih < inH; ih++) {
      axisTaps(ih, padTop, sh, dh, kh, outH);
      const ny = tapCount;
      const rowBase = img + <usize>tapOut * dyRow;
      const wRowBase = w + <usize>tapFirst * wRow;
      // Per tap step: the weights move down tapStep rows, dy up tapStep*dh/sh rows.
      const wStepY = <usize>tapStep * wRow;
      const dyStepY = <usize>(-(tapStep * dh / sh)) * dyRow;
      for (let iw = 0; iw < inW; iw++) {
        axisTaps(iw, padLeft, sw, dw, kw, outW);
        const nx = tapCount;
        const d0 = rowBase + <usize>tapOut * dyPix;
        const w0 = wRowBase + <usize>tapFirst * dyPix;
        const wStepX = <usize>tapStep * dyPix;
        const dyStepX = <usize>(-(tapStep * dw / sw)) * dyPix;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          if (mult == 1) {
            for (; c + LANES <= ch; c += LANES) {
              const off = <usize>c * F32_BYTES;
              let a = f32x4.splat(0);
              let dr = d0 + off, wr = w0 + off;
              for (let i = 0; i < ny; i++) {
                let dp = dr, wp = wr;
                for (let j = 0; j < nx; j++) {
                  a = madd(v128.load(dp), v128.load(wp), a);
                  dp += dyStepX;
                  wp += wStepX;
                }
                dr += dyStepY;
                wr += wStepY;
              }
              v128.store(out + off, a);
            }
          }
        }
        for (; c < ch; c++) {
          const off = <usize>(c * mult) * F32_BYTES;
          let a: f32 = 0;
          let dr = d0 + off, wr = w0 + off;
          for (let i = 0; i < ny; i++) {
            let dp = dr, wp = wr;
            for (let j = 0; j < nx; j++) {
              for (let m = 0; m < mult; m++) {
                a += load<f32>(dp + (<usize>m << 2)) * load<f32>(wp + (<usize>m << 2));
              }
              dp += dyStepX;
              wp += wStepX;
            }
            dr += dyStepY;
            wr += wStepY;
          }
          store<f32>(out + <usize>c * F32_BYTES, a);
        }
        out += <usize>ch * F32_BYTES;
      }
    }
  }
}
