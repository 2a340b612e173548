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
// - One walk over the output pixels in (n, oh, ow) order; each pixel adds
//   its window's products into the taps' rows of dw, so every dw element
//   is an f32 sum in (n, oh, ow) order, whatever path a pixel takes. SIMD
//   builds vectorise over channels, 4 per v128, for M = 1; the C*M % 4 tail
//   and M > 1 run the scalar loop.
// - 3x3 windows without dilation, M = 1 (MobileNetV2's depthwise layers):
//   the output columns whose windows' columns lie inside the image (all
//   but the 'same' padding's first and last) run dwFilterSweep3x3 instead,
//   the sums held in registers across the row (loaded from dw before it and
//   stored after, so their order is unchanged). Summed in memory, every
//   product cost a load and a store of its sum: MobileNetV2 0.35 96x96
//   batch 16's 17 layers 6.3 -> 2.9 ms a step (relaxed SIMD, best of 9,
//   bits unchanged).
// - Channel ranges (f32_dwconv2d_bwd_filter_channels, the threaded builds'
//   split): dw's channels [c0, c1) alone, each element summed as in the
//   whole call, so the bits do not depend on how the channels are cut.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { f32_bias_bwd } from "../gemm/f32_bias_bwd";
import { ceilDivPos, tapHi, tapLo } from "./dwtaps";

export function f32_dwconv2d_bwd_filter(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  x: usize, dy: usize, dwt: usize, dbias: usize, mult: i32,
): void {
  f32_dwconv2d_bwd_filter_channels(batch, inH, inW, ch, outH, outW, kh, kw, sh, sw, padTop, padLeft, dh, dw,
    x, dy, dwt, dbias, mult, 0, ch * mult);
}

/**
 * dw's output channels [c0, c1) of C*M (c0 a multiple of 4; c1 one too, or
 * C*M), and all of dbias when it is not 0.
 */
export function f32_dwconv2d_bwd_filter_channels(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dh: i32, dw: i32,
  x: usize, dy: usize, dwt: usize, dbias: usize, mult: i32, c0: i32, c1: i32,
): void {
  const cm = ch * mult;
  const xPix = <usize>ch * F32_BYTES;
  const xRow = <usize>inW * xPix;
  const dyPix = <usize>cm * F32_BYTES;
  const dyRow = <usize>outW * dyPix;
  for (let t = 0; t < kh * kw; t++) memory.fill(dwt + <usize>t * dyPix + <usize>c0 * F32_BYTES, 0, <usize>(c1 - c0) * F32_BYTES);
  // 3x3 windows whose columns lie inside the image: columns [colLo, colHi) of every row; channels [c0, cv) in registers.
  const sweep = ASC_FEATURE_SIMD && mult == 1 && kh == 3 && kw == 3 && dh == 1 && dw == 1;
  const cv = c0 + ((c1 - c0) & ~(LANES - 1));
  const colLo = ceilDivPos(padLeft, sw);
  const colHi = min(outW, ceilDivPos(inW - 2 + padLeft, sw));
  for (let b = 0; b < batch; b++) {
    const xImg = x + <usize>b * <usize>inH * xRow;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const ky0 = tapLo(ys, dh);
      const ny = tapHi(ys, kh, dh, inH) - ky0;
      const dyLine = dy + (<usize>b * <usize>outH + <usize>oh) * dyRow;
      for (let ow = 0; ow < outW; ow++) {
        let ca = c0;
        let last = ow;
        if (sweep && ow == colLo && colHi > colLo && cv > c0) {
          const xs = ow * sw - padLeft;
          dwFilterSweep3x3(xImg + <usize>(ys + ky0) * xRow + <usize>xs * xPix, dyLine + <usize>ow * dyPix,
            dwt + <usize>(ky0 * 3) * dyPix, c0, cv, ny, colHi - colLo, xRow, xPix, <usize>sw * xPix, dyPix);
          // The channel tail of the same pixels, each element still in pixel order.
          ca = cv;
          last = colHi - 1;
        }
        for (let p = ow; p <= last && ca < c1; p++) {
          dwFilterPixel(xImg, dyLine + <usize>p * dyPix, dwt, ys, ky0, ny, p * sw - padLeft, inW, kw, dh, dw,
            xRow, xPix, dyPix, mult, ca, c1);
        }
        ow = last;
      }
    }
  }
  if (dbias != 0) f32_bias_bwd(dy, dbias, batch * outH * outW, cm);
}

/** One output pixel's window (rows [ky0, ky0 + ny) of it, clipped columns) added into dw's channels [ca, cb). */
function dwFilterPixel(
  xImg: usize, dp: usize, dwt: usize, ys: i32, ky0: i32, ny: i32, xs: i32, inW: i32, kw: i32, dh: i32, dw: i32,
  xRow: usize, xPix: usize, dyPix: usize, mult: i32, ca: i32, cb: i32,
): void {
  const kx0 = tapLo(xs, dw);
  const nx = tapHi(xs, kw, dw, inW) - kx0;
  for (let i = 0; i < ny; i++) {
    const ky = ky0 + i;
    let xp = xImg + <usize>(ys + ky * dh) * xRow + <usize>(xs + kx0 * dw) * xPix;
    let acc = dwt + <usize>(ky * kw + kx0) * dyPix;
    for (let j = 0; j < nx; j++) {
      let oc = ca;
      if (ASC_FEATURE_SIMD) {
        if (mult == 1) {
          for (; oc + LANES <= cb; oc += LANES) {
            const off = <usize>oc * F32_BYTES;
            v128.store(acc + off, madd(v128.load(xp + off), v128.load(dp + off), v128.load(acc + off)));
          }
        }
      }
      // Output channel oc = c*M + m reads input channel c.
      let c = oc / mult, m = oc - c * mult;
      for (; oc < cb; oc++) {
        const off = <usize>oc * F32_BYTES;
        const xv = load<f32>(xp + <usize>c * F32_BYTES);
        store<f32>(acc + off, load<f32>(acc + off) + xv * load<f32>(dp + off));
        if (++m == mult) {
          m = 0;
          c++;
        }
      }
      xp += <usize>dw * xPix;
      acc += dyPix;
    }
  }
}

/**
 * `count` output pixels of a row whose 3x3 windows' columns lie inside the
 * image (`step` input bytes apart), kernel rows [0, rows) of x0 and of the
 * taps at `taps`, channels [ca, cb) 8 at a time: one kernel row's 3 taps
 * for two channel groups, 6 sums, stay in registers across the row, loaded
 * from dw before it and stored after. An odd last group pairs with itself
 * (both sums the same, stored twice). (All 9 taps at once need 9 sums and
 * the 9 input vectors TurboFan loads ahead of the multiply-adds: 19
 * registers of 16, two sums spilled and reloaded on every pixel's path.
 * Blocks of 8 to 64 pixels instead of the row, and whole blocks of rows
 * with the edge columns' taps masked, were no faster.)
 */
function dwFilterSweep3x3(
  x0: usize, dy0: usize, taps: usize, ca: i32, cb: i32, rows: i32, count: i32,
  xRow: usize, xPix: usize, step: usize, dyPix: usize,
): void {
  const xPix2 = xPix + xPix;
  for (let c = ca; c < cb; c += 2 * LANES) {
    const off = <usize>c * F32_BYTES;
    const g2: usize = c + LANES < cb ? <usize>LANES * F32_BYTES : 0;
    for (let ky = 0; ky < rows; ky++) {
      const t = taps + <usize>(ky * 3) * dyPix + off;
      let a0 = v128.load(t), a1 = v128.load(t + dyPix), a2 = v128.load(t + 2 * dyPix);
      let b0 = v128.load(t + g2), b1 = v128.load(t + dyPix + g2), b2 = v128.load(t + 2 * dyPix + g2);
      let xp = x0 + <usize>ky * xRow + off;
      let dp = dy0 + off;
      for (let p = 0; p < count; p++) {
        const d = v128.load(dp), e = v128.load(dp + g2);
        a0 = madd(v128.load(xp), d, a0);
        b0 = madd(v128.load(xp + g2), e, b0);
        a1 = madd(v128.load(xp + xPix), d, a1);
        b1 = madd(v128.load(xp + xPix + g2), e, b1);
        a2 = madd(v128.load(xp + xPix2), d, a2);
        b2 = madd(v128.load(xp + xPix2 + g2), e, b2);
        xp += step;
        dp += dyPix;
      }
      v128.store(t, a0);
      v128.store(t + dyPix, a1);
      v128.store(t + 2 * dyPix, a2);
      v128.store(t + g2, b0);
      v128.store(t + dyPix + g2, b1);
      v128.store(t + 2 * dyPix + g2, b2);
    }
  }
}
