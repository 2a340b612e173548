// f32-dwconv2d-fwd: NHWC depthwise convolution (Keras DepthwiseConv2D)
//   y[n, oh, ow, c*M + m] = act(bias[c*M + m] + sum_{ky, kx}
//       x[n, oh*sh - padTop + ky*dh, ow*sw - padLeft + kx*dw, c] * w[ky, kx, c, m])
// with cells outside the image counting as 0 (they are skipped, not read).
//
// Contract
// - x: [batch, inH, inW, C]; w: the raw Keras kernel [kh, kw, C, M], whose
//   flattened last two axes are the output channel oc = c*M + m; bias:
//   [C*M] or 0; y: [batch, outH, outW, C*M], written with `=`. No overlap,
//   no alignment requirement, no scratch, no over-read.
// - dh, dw: dilation (1 = none); any strides with any dilation.
// - act: an ActivationId (alpha: leakyRelu slope). Relu and leakyRelu are
//   applied in registers; sigmoid and tanh in a second pass over each
//   output row while it is in L1, as the GEMM epilogue does: inlined into
//   the channel loops, their code made V8 keep every v128 in memory (4x
//   slower for every activation, 112x112x32 3x3: 2.08 -> 0.54 ms SIMD).
// - Memory-bound, so the SIMD builds vectorise over channels, 4 per v128,
//   for M = 1 (input, weights, bias and output channels all line up), 16
//   at a time (four accumulator chains, as the pooling kernels: 112x112x32
//   3x3 0.585 -> 0.455 ms SIMD against two chains) then 4; the C % 4 tail
//   and M > 1 run the scalar loop. The window is clipped to the image once per output
//   row / pixel, so the tap loops carry no bounds tests; stride 2 is only
//   a larger pointer step. Sums in f32 in (ky, kx) order (one fused
//   multiply-add per tap in relaxed SIMD).
// Tried and dropped: the three taps of a row unrolled in straight-line code
// when the window is whole (no loop bookkeeping): 2% on 112x112x32 3x3
// SIMD, within noise, for ~170 bytes of gzip the budget cannot spare.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { activateCheapVec, activateScalar, isExpensive } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { ActivationId } from "../shared/ids";
import { tapHi, tapLo } from "./dwtaps";

export function f32_dwconv2d_fwd(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  x: usize, w: usize, bias: usize, y: usize, mult: i32, act: i32, alpha: f32,
): void {
  const cm = ch * mult;
  const xPix = <usize>ch * F32_BYTES;
  const xRow = <usize>inW * xPix;
  const wTap = <usize>cm * F32_BYTES;
  const wRow = <usize>kw * wTap;
  const xStepX = <usize>dw * xPix;
  const xStepY = <usize>dh * xRow;
  // The activation applied in registers: the cheap ones; sigmoid and tanh after each row.
  const inner = isExpensive(act) ? ActivationId.Linear : act;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const img = x + <usize>b * <usize>inH * xRow;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const ky0 = tapLo(ys, dh);
      const ny = tapHi(ys, kh, dh, inH) - ky0;
      const rowBase = img + <usize>(ys + ky0 * dh) * xRow;
      const yRow = out;
      for (let ow = 0; ow < outW; ow++) {
        const xs = ow * sw - padLeft;
        const kx0 = tapLo(xs, dw);
        const nx = tapHi(xs, kw, dw, inW) - kx0;
        const x0 = rowBase + <usize>(xs + kx0 * dw) * xPix;
        const w0 = w + <usize>(ky0 * kw + kx0) * wTap;
        let oc = 0;
        if (ASC_FEATURE_SIMD) {
          if (mult == 1) {
            for (; oc + 4 * LANES <= cm; oc += 4 * LANES) {
              const off = <usize>oc * F32_BYTES;
              let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
              if (bias != 0) {
                a0 = v128.load(bias + off);
                a1 = v128.load(bias + off, 16);
                a2 = v128.load(bias + off, 32);
                a3 = v128.load(bias + off, 48);
              }
              let xr = x0 + off, wr = w0 + off;
              for (let i = 0; i < ny; i++) {
                let xp = xr, wp = wr;
                for (let j = 0; j < nx; j++) {
                  a0 = madd(v128.load(xp), v128.load(wp), a0);
                  a1 = madd(v128.load(xp, 16), v128.load(wp, 16), a1);
                  a2 = madd(v128.load(xp, 32), v128.load(wp, 32), a2);
                  a3 = madd(v128.load(xp, 48), v128.load(wp, 48), a3);
                  xp += xStepX;
                  wp += wTap;
                }
                xr += xStepY;
                wr += wRow;
              }
              v128.store(out + off, activateCheapVec(a0, inner, alpha));
              v128.store(out + off, activateCheapVec(a1, inner, alpha), 16);
              v128.store(out + off, activateCheapVec(a2, inner, alpha), 32);
              v128.store(out + off, activateCheapVec(a3, inner, alpha), 48);
            }
            for (; oc + LANES <= cm; oc += LANES) {
              const off = <usize>oc * F32_BYTES;
              let a = bias != 0 ? v128.load(bias + off) : f32x4.splat(0);
              let xr = x0 + off, wr = w0 + off;
              for (let i = 0; i < ny; i++) {
                let xp = xr, wp = wr;
                for (let j = 0; j < nx; j++) {
                  a = madd(v128.load(xp), v128.load(wp), a);
                  xp += xStepX;
                  wp += wTap;
                }
                xr += xStepY;
                wr += wRow;
              }
              v128.store(out + off, activateCheapVec(a, inner, alpha));
            }
          }
        }
        for (; oc < cm; oc++) {
          const off = <usize>oc * F32_BYTES;
          let a: f32 = bias != 0 ? load<f32>(bias + off) : 0;
          let xr = x0 + <usize>(oc / mult) * F32_BYTES, wr = w0 + off;
          for (let i = 0; i < ny; i++) {
            let xp = xr, wp = wr;
            for (let j = 0; j < nx; j++) {
              a += load<f32>(xp) * load<f32>(wp);
              xp += xStepX;
              wp += wTap;
            }
            xr += xStepY;
            wr += wRow;
          }
          store<f32>(out + off, activateScalar(a, inner, alpha));
        }
        out += wTap;
      }
      if (inner != act) f32_vactivation_fwd(yRow, yRow, outW * cm, act, alpha);
    }
  }
}
