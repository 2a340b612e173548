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
// - act: an ActivationId (alpha: leakyRelu slope, relu6's cap). Linear,
//   relu and relu6 are one clamp to [lo, hi] in registers (a maxps and a
//   minps, no branch on act per pixel); the others run in a second pass
//   over each output row while it is in L1, as the GEMM epilogue does:
//   inlined into the channel loops, their code made V8 keep every v128 in
//   memory (4x slower for every activation, 112x112x32 3x3: 2.08 -> 0.54 ms
//   SIMD).
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
//   bytes of gzip. At stride 2 it takes two output rows at once where both
//   windows are inside the image: their input rows 0-2 and 2-4 share row 2,
//   so 5 input loads per output instead of 6 and one pass over the weights
//   for both (112x112x96 stride 2, interleaved best of 41 on a busy VM:
//   relaxed 0.314 -> 0.308 ms, SIMD 0.344 -> 0.328 ms; ~170 bytes of gzip
//   with the clamp).
// Tried and dropped: a 4-pixel tile over the generic tap loops (each weight
// vector loaded once for 4 outputs): no faster. The three taps of a row unrolled in straight-line code
// when the window is whole (no loop bookkeeping): 2% on 112x112x32 3x3
// SIMD, within noise, for ~170 bytes of gzip the budget cannot spare. At
// stride 2 (112x112x96, relaxed): the sum in two chains (middle column
// apart), blocks of 4 / 12 / 16 / 28 pixels, and reading one byte of each
// cache line of the next block ahead (no software prefetch in wasm) were
// no faster or slower; the machine code is ~30 instructions an output, the
// weights partly spilled, and the row runs at ~75% of its L2-resident speed.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { activateScalar } from "../activation/math";
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
  // Linear, relu and relu6 are a clamp to [lo, hi] applied in registers; the others after each row.
  const inner = act <= ActivationId.Relu || act == ActivationId.ReluCapped ? act : ActivationId.Linear;
  const lo: f32 = inner == ActivationId.Linear ? -Infinity : 0;
  const hi: f32 = inner == ActivationId.ReluCapped ? alpha : Infinity;
  let out = y;
  // 3x3 windows at stride 1 or 2 that lie inside the image: columns [colLo, colHi) of a row with all three rows.
  const sweep = ASC_FEATURE_SIMD && mult == 1 && (ch & (LANES - 1)) == 0 && kh == 3 && kw == 3 && dh == 1 && dw == 1 &&
    sw <= 2;
  const colLo = ceilDivPos(padLeft, sw);
  const colHi = min(outW, ceilDivPos(inW - 2 + padLeft, sw));
  const yRowBytes = <usize>outW * wTap;
  for (let b = 0; b < batch; b++) {
    const img = x + <usize>b * <usize>inH * xRow;
    // At stride 2 the sweep writes two output rows at once (their windows share an input row); the second's interior is then done.
    let swept = false;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const ky0 = tapLo(ys, dh);
      const ny = tapHi(ys, kh, dh, inH) - ky0;
      const rowBase = img + <usize>(ys + ky0 * dh) * xRow;
      const yRow = out;
      const pair = !swept && sh == 2 && sw == 2 && oh + 1 < outH && ys + 4 < inH;
      for (let ow = 0; ow < outW; ow++) {
        const xs = ow * sw - padLeft;
        if (sweep && ny == 3 && ow == colLo && colHi > colLo) {
          if (!swept) {
            dwSweep3x3(rowBase + <usize>xs * xPix, w, bias, out, ch, colHi - colLo, xRow, xPix, <usize>sw * xPix, lo, hi,
              pair ? yRowBytes : 0);
          }
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
            const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
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
              v128.store(out + off, clamp(a0, vlo, vhi));
              v128.store(out + off, clamp(a1, vlo, vhi), 16);
              v128.store(out + off, clamp(a2, vlo, vhi), 32);
              v128.store(out + off, clamp(a3, vlo, vhi), 48);
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
              v128.store(out + off, clamp(a, vlo, vhi));
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
      swept = sweep && ny == 3 && colHi > colLo && pair;
    }
  }
}

/**
 * A 3x3 window swept along `count` output pixels of a row at stride 1 or 2
 * (`step` is one or two input pixels), 4 channels at a time (C % 4 == 0):
 * the 9 weight vectors stay in registers across a block of SWEEP_BLOCK
 * pixels, and the column two neighbouring windows share is carried in
 * registers to the next pixel instead of loaded again, so an output reads 6
 * input vectors and no weights. Sums run column by column, clamped to
 * [lo, hi]. `yRow` != 0 (stride 2 only): the output row `yRow` bytes below
 * too, whose windows start two input rows down.
 */
function dwSweep3x3(
  x0: usize, w: usize, bias: usize, out: usize, ch: i32, count: i32,
  xRow: usize, xPix: usize, step: usize, lo: f32, hi: f32, yRow: usize,
): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  const wTap = <usize>ch * F32_BYTES;
  const xPix2 = xPix + xPix;
  const xRow2 = xRow + xRow;
  const xRow3 = xRow2 + xRow, xRow4 = xRow2 + xRow2;
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
      if (yRow != 0) {
        // Two output rows at stride 2: input rows 0-2 and 2-4, five rows in registers, the last column carried.
        let c0 = v128.load(xp), c1 = v128.load(xp + xRow), c2 = v128.load(xp + xRow2);
        let c3 = v128.load(xp + xRow3), c4 = v128.load(xp + xRow4);
        for (let p = 0; p < n; p++) {
          let a = madd(c0, w00, b0);
          let d = madd(c2, w00, b0);
          a = madd(c1, w10, a);
          d = madd(c3, w10, d);
          a = madd(c2, w20, a);
          d = madd(c4, w20, d);
          const m = xp + xPix;
          a = madd(v128.load(m), w01, a);
          a = madd(v128.load(m + xRow), w11, a);
          const t = v128.load(m + xRow2);
          a = madd(t, w21, a);
          d = madd(t, w01, d);
          d = madd(v128.load(m + xRow3), w11, d);
          d = madd(v128.load(m + xRow4), w21, d);
          const e = xp + xPix2;
          c0 = v128.load(e);
          c1 = v128.load(e + xRow);
          c2 = v128.load(e + xRow2);
          c3 = v128.load(e + xRow3);
          c4 = v128.load(e + xRow4);
          a = madd(c0, w02, a);
          d = madd(c2, w02, d);
          a = madd(c1, w12, a);
          d = madd(c3, w12, d);
          a = madd(c2, w22, a);
          d = madd(c4, w22, d);
          v128.store(o, clamp(a, vlo, vhi));
          v128.store(o + yRow, clamp(d, vlo, vhi));
          xp += step;
          o += wTap;
        }
      } else if (stride2) {
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
          v128.store(o, clamp(a, vlo, vhi));
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
          v128.store(o, clamp(a, vlo, vhi));
          xp += step;
          o += wTap;
        }
      }
    }
  }
}

/** Output pixels per sweep block: 3 input rows of (8 + 2) pixels of 96 channels take 11 KiB of L1. */
const SWEEP_BLOCK: i32 = 8;

/** min(max(v, lo), hi) as one x86 maxps and one minps: NaN passes through (both comparisons false). */
// @ts-ignore: decorator
@inline
function clamp(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}
