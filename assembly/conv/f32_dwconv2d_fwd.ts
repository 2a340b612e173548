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
// - 3x3 windows with all three rows inside the image and whole columns (the
//   interior of every row, strides 1 and 2, C % 4 == 0: MobileNetV2's depthwise
//   layers) run dwSweep3x3 instead: 4 channels at a time with their 9
//   weight vectors held in registers across a block of 8 output pixels, so
//   an output reads 9 input vectors and no weights, and the block's three
//   input rows stay in L1 across the channel groups (112x112x96 relaxed,
//   best of 300: stride 1 1.18 -> 1.01 ms, stride 2 0.358 -> 0.332 ms;
//   blocks of 4 / 6 / 16 / 32 pixels and the whole row were slower). At
//   strides 1 and 2 neighbouring windows share columns, which are carried in
//   registers instead of loaded again: 6 input loads per output instead of 9
//   (stride 1 1.01 -> 0.81 ms, stride 2 0.332 -> 0.31 ms). Those sums run
//   column by column, so they round differently from the (ky, kx) order
//   above, within float32's usual error. The sweep costs simd.wasm ~470
//   bytes of gzip.
// Tried and dropped: a 4-pixel tile over the generic tap loops (each weight
// vector loaded once for 4 outputs): no faster. The three taps of a row unrolled in straight-line code
// when the window is whole (no loop bookkeeping): 2% on 112x112x32 3x3
// SIMD, within noise, for ~170 bytes of gzip the budget cannot spare.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { activateCheapVec, activateScalar, isExpensive } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { ActivationId } from "../shared/ids";
import { ceilDivPos, tapHi, tapLo } from "./dwtaps";

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
  // 3x3 windows at stride 1 or 2 that lie inside the image: columns [colLo, colHi) of a row with all three rows.
  const sweep = ASC_FEATURE_SIMD && mult == 1 && (ch & (LANES - 1)) == 0 && kh == 3 && kw == 3 && dh == 1 && dw == 1 &&
    sw <= 2;
  const colLo = ceilDivPos(padLeft, sw);
  const colHi = min(outW, ceilDivPos(inW - 2 + padLeft, sw));
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
        if (sweep && ny == 3 && ow == colLo && colHi > colLo) {
          dwSweep3x3(rowBase + <usize>xs * xPix, w, bias, out, ch, colHi - colLo, xRow, xPix, <usize>sw * xPix, inner, alpha);
          out += <usize>(colHi - colLo) * wTap;
          ow = colHi - 1;
          continue;
        }
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

/**
 * A 3x3 window swept along `count` output pixels of a row at stride 1 or 2
 * (`step` is one or two input pixels), 4 channels at a time (C % 4 == 0):
 * the 9 weight vectors stay in registers across a block of SWEEP_BLOCK
 * pixels, and the column two neighbouring windows share is carried in
 * registers to the next pixel instead of loaded again, so an output reads 6
 * input vectors and no weights. Sums run column by column.
 */
function dwSweep3x3(
  x0: usize, w: usize, bias: usize, out: usize, ch: i32, count: i32,
  xRow: usize, xPix: usize, step: usize, act: i32, alpha: f32,
): void {
  const wTap = <usize>ch * F32_BYTES;
  const xPix2 = xPix + xPix;
  const xRow2 = xRow + xRow;
  const stride2 = step == xPix2;
  // Blocks of SWEEP_BLOCK pixels: the block's three input rows stay in L1 across the channel groups.
  for (let p0 = 0; p0 < count; p0 += SWEEP_BLOCK) {
    const n = min(SWEEP_BLOCK, count - p0);
    const xb = x0 + <usize>p0 * step;
    const ob = out + <usize>p0 * wTap;
    for (let c = 0; c < ch; c += LANES) {
      const off = <usize>c * F32_BYTES;
      const wp = w + off;
      const w00 = v128.load(wp), w01 = v128.load(wp + wTap), w02 = v128.load(wp + 2 * wTap);
      const w10 = v128.load(wp + 3 * wTap), w11 = v128.load(wp + 4 * wTap), w12 = v128.load(wp + 5 * wTap);
      const w20 = v128.load(wp + 6 * wTap), w21 = v128.load(wp + 7 * wTap), w22 = v128.load(wp + 8 * wTap);
      const b0 = bias != 0 ? v128.load(bias + off) : f32x4.splat(0);
      let xp = xb + off;
      let o = ob + off;
      if (stride2) {
        // A window's last column is the next one's first.
        let c0 = v128.load(xp), c1 = v128.load(xp + xRow), c2 = v128.load(xp + xRow2);
        for (let p = 0; p < n; p++) {
          let a = madd(c0, w00, b0);
          a = madd(c1, w10, a);
          a = madd(c2, w20, a);
          const m = xp + xPix;
          a = madd(v128.load(m), w01, a);
          a = madd(v128.load(m + xRow), w11, a);
          a = madd(v128.load(m + xRow2), w21, a);
          const e = xp + xPix2;
          c0 = v128.load(e);
          c1 = v128.load(e + xRow);
          c2 = v128.load(e + xRow2);
          a = madd(c0, w02, a);
          a = madd(c1, w12, a);
          a = madd(c2, w22, a);
          v128.store(o, activateCheapVec(a, act, alpha));
          xp += step;
          o += wTap;
        }
      } else {
        // A window's middle column is the next one's first, its last the next one's middle.
        let m0 = v128.load(xp + xPix), m1 = v128.load(xp + xPix + xRow), m2 = v128.load(xp + xPix + xRow2);
        for (let p = 0; p < n; p++) {
          let a = madd(v128.load(xp), w00, b0);
          a = madd(v128.load(xp + xRow), w10, a);
          a = madd(v128.load(xp + xRow2), w20, a);
          a = madd(m0, w01, a);
          a = madd(m1, w11, a);
          a = madd(m2, w21, a);
          const e = xp + xPix2;
          m0 = v128.load(e);
          m1 = v128.load(e + xRow);
          m2 = v128.load(e + xRow2);
          a = madd(m0, w02, a);
          a = madd(m1, w12, a);
          a = madd(m2, w22, a);
          v128.store(o, activateCheapVec(a, act, alpha));
          xp += step;
          o += wTap;
        }
      }
    }
  }
}

/** Output pixels per sweep block: 3 input rows of (8 + 2) pixels of 96 channels take 11 KiB of L1. */
const SWEEP_BLOCK: i32 = 8;
