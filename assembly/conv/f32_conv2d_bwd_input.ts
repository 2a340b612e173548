// f32-conv2d-bwd-input: the gradient of a Conv2D w.r.t. its input (NHWC),
// from the raw Keras kernel w[kh, kw, cin, cout]:
//   dx[n, ih, iw, ci] = sum over (oh, ow, ky, kx) with
//       ih = oh*sh + ky - padTop, iw = ow*sw + kx - padLeft
//     of dy[n, oh, ow, co] * w[ky, kx, ci, co]   (summed over co too).
// Input cells that fall in no window get 0.
//
// Stride 1 (the common case) runs in gather form: each input pixel sums, over
// the taps whose output pixel exists, dy[oh, ow, :] . w[ky, kx, ci, :] for 4
// channels ci at once. The 4 v128 accumulators run across ALL taps and cout
// (lanes hold partial sums over co mod 4), so the horizontal sum happens once
// per (pixel, 4 channels) rather than once per tap, dx is written once (no
// zeroing pass, no read-modify-write) and the loops hold no bounds test.
// Other strides keep the scatter form: dx is zeroed, then each output pixel
// adds, for each of its taps inside the image, the tap's [cin, cout] slice
// times its dy vector (f32_gemm_bwd_input_row: dot products over cout). A
// 1x1, stride-1, unpadded conv is one dense input gradient.
//
// Contract
// - dy: [batch, outH, outW, cout]; w: [kh, kw, cin, cout] (raw, not packed);
//   dx: [batch, inH, inW, cin], written with `=` (every element).
// - No overlap of dx with dy or w. No alignment requirement; no over-read.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { f32_gemm_bwd_input, f32_gemm_bwd_input_row, hsum } from "../gemm/f32_gemm_bwd_input";

export function f32_conv2d_bwd_input(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  dy: usize, w: usize, dx: usize, cout: i32,
): void {
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW) {
    f32_gemm_bwd_input(dy, w, dx, batch * inH * inW, cin, cout);
    return;
  }
  if (sh == 1 && sw == 1) {
    gatherStride1(batch, inH, inW, cin, outH, outW, kh, kw, padTop, padLeft, dy, w, dx, cout);
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

/** Channels of dx per gather tile (four v128 accumulators). */
const CI_TILE: i32 = 4;

function gatherStride1(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, padTop: i32, padLeft: i32, dy: usize, w: usize, dx: usize, cout: i32,
): void {
  const dyPix = <usize>cout * F32_BYTES;
  const dyRow = <usize>outW * dyPix;
  const ciRow = dyPix; // bytes between w[.., ci, :] and w[.., ci + 1, :]
  const tapBytes = <usize>cin * dyPix;
  const kyBytes = <usize>kw * tapBytes;
  let out = dx;
  for (let b = 0; b < batch; b++) {
    const img = dy + <usize>b * <usize>outH * dyRow;
    for (let ih = 0; ih < inH; ih++) {
      // Taps ky with oh = ih + padTop - ky in [0, outH).
      const ky0 = max(0, ih + padTop - outH + 1);
      const ky1 = min(kh, ih + padTop + 1);
      for (let iw = 0; iw < inW; iw++) {
        const kx0 = max(0, iw + padLeft - outW + 1);
        const kx1 = min(kw, iw + padLeft + 1);
        // dy pixel of tap (ky0, kx0); each ky step goes one output row up, each kx step one pixel left.
        const d0 = img + <usize>(ih + padTop - ky0) * dyRow + <usize>(iw + padLeft - kx0) * dyPix;
        const w0 = w + <usize>ky0 * kyBytes + <usize>kx0 * tapBytes;
        for (let ci = 0; ci < cin; ci += CI_TILE) {
          const rows = min(CI_TILE, cin - ci);
          // Channels past cin repeat the last real one: computed, never stored.
          const o1 = <usize>min(1, rows - 1) * ciRow;
          const o2 = <usize>min(2, rows - 1) * ciRow;
          const o3 = <usize>min(3, rows - 1) * ciRow;
          gatherTile(d0, w0 + <usize>ci * ciRow, out + <usize>ci * F32_BYTES, rows, o1, o2, o3,
            ky1 - ky0, kx1 - kx0, dyRow, dyPix, tapBytes, kyBytes, cout);
        }
        out += <usize>cin * F32_BYTES;
      }
    }
  }
}

/**
 * dx[t] = sum over nky x nkx taps and cout of dy . w row t (t < rows), from
 * the dy pixel d0 of the first tap and w0 = w[ky0, kx0, ci, 0]; the next tap
 * along kx is one dy pixel left, along ky one dy row up.
 */
function gatherTile(
  d0: usize, w0: usize, out: usize, rows: i32, o1: usize, o2: usize, o3: usize, nky: i32, nkx: i32,
  dyRow: usize, dyPix: usize, tapBytes: usize, kyBytes: usize, cout: i32,
): void {
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  let j0 = 0;
  if (ASC_FEATURE_SIMD) {
    j0 = cout & ~(LANES - 1);
    const end = <usize>j0 * F32_BYTES;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let dk = d0;
    let wk = w0;
    for (let ky = 0; ky < nky; ky++) {
      let dq = dk;
      let wq = wk;
      for (let kx = 0; kx < nkx; kx++) {
        for (let off: usize = 0; off < end; off += 16) {
          const d = v128.load(dq + off);
          const wj = wq + off;
          a0 = madd(d, v128.load(wj), a0);
          a1 = madd(d, v128.load(wj + o1), a1);
          a2 = madd(d, v128.load(wj + o2), a2);
          a3 = madd(d, v128.load(wj + o3), a3);
        }
        dq -= dyPix;
        wq += tapBytes;
      }
      dk -= dyRow;
      wk += kyBytes;
    }
    s0 = hsum(a0);
    s1 = hsum(a1);
    s2 = hsum(a2);
    s3 = hsum(a3);
  }
  if (j0 < cout) {
    let dk = d0;
    let wk = w0;
    for (let ky = 0; ky < nky; ky++) {
      let dq = dk;
      let wq = wk;
      for (let kx = 0; kx < nkx; kx++) {
        for (let j = j0; j < cout; j++) {
          const off = <usize>j * F32_BYTES;
          const d = load<f32>(dq + off);
          const wj = wq + off;
          s0 += d * load<f32>(wj);
          s1 += d * load<f32>(wj + o1);
          s2 += d * load<f32>(wj + o2);
          s3 += d * load<f32>(wj + o3);
        }
        dq -= dyPix;
        wq += tapBytes;
      }
      dk -= dyRow;
      wk += kyBytes;
    }
  }
  store<f32>(out, s0);
  if (rows > 1) store<f32>(out, s1, 4);
  if (rows > 2) store<f32>(out, s2, 8);
  if (rows > 3) store<f32>(out, s3, 12);
}
