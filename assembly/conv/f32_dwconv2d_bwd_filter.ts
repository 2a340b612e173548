// f32-dwconv2d-bwd-filter: the kernel and bias gradients of the depthwise
// convolution (f32_dwconv2d_fwd.ts)
//   dw[ky, kx, c, m] = sum over (n, oh, ow) of
//       x[n, oh*sh - padTop + ky*dh, ow*sw - padLeft + kx*dw, c] * dy[n, oh, ow, c*M + m]
//   (taps in the zero padding contribute nothing);
//   dbias[oc] = sum of dy[n, oh, ow, oc] over (n, oh, ow) (f32_bias_bwd).
//
// Contract
// - x: [batch, inH, inW, C]; dy: [batch, outH, outW, C*M]; dw: [kh, kw, C, M]
//   and dbias: [C*M] (or 0: none), written with `=` (batch == 0 gives
//   zeros). No overlap, no alignment requirement, no scratch, no over-read.
// - Per tap, the output pixels whose tap lies in the image are a rectangle
//   (clipped once per tap); each is visited once and its channels added
//   into the tap's row of dw, so x and dy are streamed in full cache lines
//   (kh*kw passes) rather than 4 channels at a time. SIMD builds vectorise
//   over channels, 4 per v128, for M = 1; the C % 4 tail and M > 1 run the
//   scalar loop. f32 sums in (n, oh, ow) order.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { f32_bias_bwd } from "../gemm/f32_bias_bwd";
import { ceilDivPos } from "./dwtaps";

export function f32_dwconv2d_bwd_filter(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  x: usize, dy: usize, dwt: usize, dbias: usize, mult: i32,
): void {
  const cm = ch * mult;
  const xPix = <usize>ch * F32_BYTES;
  const xRow = <usize>inW * xPix;
  const dyPix = <usize>cm * F32_BYTES;
  const dyRow = <usize>outW * dyPix;
  const xStepX = <usize>sw * xPix;
  for (let ky = 0; ky < kh; ky++) {
    // Output rows whose tap ky lands inside the image: 0 <= oh*sh - padTop + ky*dh < inH.
    const r = padTop - ky * dh;
    const oh0 = ceilDivPos(r, sh);
    const oh1 = min(outH, ceilDivPos(inH + r, sh));
    for (let kx = 0; kx < kw; kx++) {
      const q = padLeft - kx * dw;
      const ow0 = ceilDivPos(q, sw);
      const ow1 = min(outW, ceilDivPos(inW + q, sw));
      const acc = dwt + <usize>(ky * kw + kx) * dyPix;
      memory.fill(acc, 0, dyPix);
      for (let b = 0; b < batch; b++) {
        const xImg = x + <usize>b * <usize>inH * xRow;
        const dyImg = dy + <usize>b * <usize>outH * dyRow;
        for (let oh = oh0; oh < oh1; oh++) {
          let xp = xImg + <usize>(oh * sh - r) * xRow + <usize>(ow0 * sw - q) * xPix;
          let dp = dyImg + <usize>oh * dyRow + <usize>ow0 * dyPix;
          for (let ow = ow0; ow < ow1; ow++) {
            let oc = 0;
            if (ASC_FEATURE_SIMD) {
              if (mult == 1) {
                for (; oc + LANES <= cm; oc += LANES) {
                  const off = <usize>oc * F32_BYTES;
                  v128.store(acc + off, madd(v128.load(xp + off), v128.load(dp + off), v128.load(acc + off)));
                }
              }
            }
            // Output channel oc = c*M + m reads input channel c.
            let c = oc / mult, m = oc - c * mult;
            for (; oc < cm; oc++) {
              const off = <usize>oc * F32_BYTES;
              const xv = load<f32>(xp + <usize>c * F32_BYTES);
              store<f32>(acc + off, load<f32>(acc + off) + xv * load<f32>(dp + off));
              if (++m == mult) {
                m = 0;
                c++;
              }
            }
            xp += xStepX;
            dp += dyPix;
          }
        }
      }
    }
  }
  if (dbias != 0) f32_bias_bwd(dy, dbias, batch * outH * outW, cm);
}
