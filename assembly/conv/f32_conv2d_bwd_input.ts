// f32-conv2d-bwd-input: the gradient of a Conv2D w.r.t. its input (NHWC),
// from the raw Keras kernel w[kh, kw, cin, cout]:
//   dx[n, ih, iw, ci] = sum over (oh, ow, ky, kx) with
//       ih = oh*sh + ky - padTop, iw = ow*sw + kx - padLeft
//     of dy[n, oh, ow, co] * w[ky, kx, ci, co]   (summed over co too).
// Input cells that fall in no window get 0.
//
// Stride 1 with scratch (SIMD builds; the training path) runs in "row form":
// a dx row is one run of inW*cin floats (j = iw*cin + ci), and for a kernel
// row ky the taps of one output pixel ow cover the kw*cin consecutive floats
// starting at (ow - padLeft)*cin. So with the kernel repacked once per call as
// wt[ky, co, j] (j contiguous, zero-padded by PAD_J floats both sides), any 4
// consecutive dx floats get
//   sum over ky, ow, co of splat(dy[oh, ow, co]) * wt[ky, co, q - (ow - padLeft)*cin ..+3]
// with no lane wasted on channel padding (cin = 6 would waste 2 of 8 lanes in
// a pixel x channel tile) and only the ow whose taps reach those 4 floats.
// A 4-row register tile (4 dx rows, one vector each) shares each wt load
// between the 4 rows; even and odd co feed separate accumulators, so 8
// independent fma chains hide the latency; no horizontal sums. A row whose tap ky has no output row reads a zero dy row
// from the scratch instead of branching in the loop.
// Without scratch (or in the scalar build), stride 1 runs in gather form: each
// input pixel sums dy[oh, ow, :] . w[ky, kx, ci, :] over its taps for 4
// channels ci at once (horizontal sums once per pixel and 4 channels).
// Other strides keep the scatter form: dx is zeroed, then each output pixel
// adds, for each of its taps inside the image, the tap's [cin, cout] slice
// times its dy vector (f32_gemm_bwd_input_row: dot products over cout). A
// 1x1, stride-1, unpadded conv is one dense input gradient.
//
// Contract
// - dy: [batch, outH, outW, cout]; w: [kh, kw, cin, cout] (raw, not packed);
//   dx: [batch, inH, inW, cin], written with `=` (every element).
// - scratch: 0, or f32_conv2d_bwd_input_scratch_size(...) floats the kernel
//   overwrites (16-byte aligned). Results do not depend on it beyond rounding.
// - No overlap of dx with dy, w or scratch. No alignment requirement on the
//   tensors; no over-read.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "../gemm/madd";
import { f32_gemm_bwd_input, f32_gemm_bwd_input_row, hsum } from "../gemm/f32_gemm_bwd_input";

export function f32_conv2d_bwd_input(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  dy: usize, w: usize, dx: usize, cout: i32, scratch: usize,
): void {
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW) {
    f32_gemm_bwd_input(dy, w, dx, batch * inH * inW, cin, cout);
    return;
  }
  if (ASC_FEATURE_SIMD && scratch != 0 && sh == 1 && sw == 1) {
    rowForm(batch, inH, inW, cin, outH, outW, kh, kw, padTop, padLeft, dy, w, dx, cout, scratch);
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

/** dx floats per row-form tile row (two v128). */
const SPAN: i32 = 8;
/** Zero floats on each side of a packed wt row (a tile row may start up to SPAN - 1 floats early). */
const PAD_J: i32 = SPAN;
/** dx rows per row-form register tile. */
const ROW_TILE: i32 = 4;

/** Floats of the packed wt row of one (ky, co): kw*cin taps plus PAD_J zeros each side, whole vectors. */
// @ts-ignore: decorator
@inline
function wtRowFloats(kw: i32, cin: i32): i32 {
  return (kw * cin + 2 * PAD_J + LANES - 1) & ~(LANES - 1);
}

/** Scratch floats f32_conv2d_bwd_input uses for these shapes (0: it needs none). */
export function f32_conv2d_bwd_input_scratch_size(
  inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, cout: i32,
): i32 {
  if (!ASC_FEATURE_SIMD || sh != 1 || sw != 1) return 0;
  if (kh == 1 && kw == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW) return 0;
  // Packed wt, then one zero dy row.
  return kh * cout * wtRowFloats(kw, cin) + outW * cout;
}

// @ts-ignore: decorator
@inline
function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

function rowForm(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, padTop: i32, padLeft: i32, dy: usize, w: usize, dx: usize, cout: i32, scratch: usize,
): void {
  const ws = wtRowFloats(kw, cin);
  const wsBytes = <usize>ws * F32_BYTES;
  const tapsPerRow = kw * cin;
  const wtBytes = <usize>kh * <usize>cout * wsBytes;
  const zeroRow = scratch + wtBytes;
  memory.fill(scratch, 0, wtBytes + <usize>outW * <usize>cout * F32_BYTES);
  // wt[ky, co, PAD_J + j] = w[ky, j, co] (j = kx*cin + ci).
  for (let ky = 0; ky < kh; ky++) {
    const src = w + <usize>ky * <usize>tapsPerRow * <usize>cout * F32_BYTES;
    const dst = scratch + <usize>ky * <usize>cout * wsBytes + <usize>PAD_J * F32_BYTES;
    for (let j = 0; j < tapsPerRow; j++) {
      for (let co = 0; co < cout; co++) {
        store<f32>(dst + <usize>co * wsBytes + <usize>j * F32_BYTES,
          load<f32>(src + (<usize>j * <usize>cout + <usize>co) * F32_BYTES));
      }
    }
  }
  const dyPix = <usize>cout * F32_BYTES;
  const dyRow = <usize>outW * dyPix;
  const rowF = inW * cin;
  const dxRow = <usize>rowF * F32_BYTES;
  const kyBytes = <usize>cout * wsBytes;
  for (let b = 0; b < batch; b++) {
    const dyImg = dy + <usize>b * <usize>outH * dyRow;
    const dxImg = dx + <usize>b * <usize>inH * dxRow;
    for (let ih0 = 0; ih0 < inH; ih0 += ROW_TILE) {
      const rows = min(ROW_TILE, inH - ih0);
      // Union over the tile's rows of the taps ky with oh = ih + padTop - ky in [0, outH).
      const ky0 = max(0, ih0 + padTop - outH + 1);
      const ky1 = min(kh, ih0 + rows - 1 + padTop + 1);
      const out = dxImg + <usize>ih0 * dxRow;
      for (let q = 0; q < rowF; q += SPAN) {
        // Output pixels whose kw*cin taps reach floats q..q+SPAN-1.
        const ow0 = max(0, padLeft + ceilDiv(q - tapsPerRow + 1, cin));
        const ow1 = min(outW, padLeft + (q + SPAN - 1) / cin + 1);
        // Row r, floats q..q+3 in a_r, q+4..q+7 in b_r: 8 independent fma chains.
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
        let b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (let ky = ky0; ky < ky1; ky++) {
          const p0 = dyRowOf(dyImg, zeroRow, ih0 + padTop - ky, 0, rows, outH, dyRow);
          const p1 = dyRowOf(dyImg, zeroRow, ih0 + padTop - ky, 1, rows, outH, dyRow);
          const p2 = dyRowOf(dyImg, zeroRow, ih0 + padTop - ky, 2, rows, outH, dyRow);
          const p3 = dyRowOf(dyImg, zeroRow, ih0 + padTop - ky, 3, rows, outH, dyRow);
          const wKy = scratch + <usize>ky * kyBytes + <usize>(q + PAD_J + padLeft * cin) * F32_BYTES;
          for (let ow = ow0; ow < ow1; ow++) {
            // Moving pointers with constant offsets: fewer address adds per load.
            let wq = wKy - <usize>(ow * cin) * F32_BYTES;
            const at = <usize>ow * dyPix;
            let d0 = p0 + at, d1 = p1 + at, d2 = p2 + at, d3 = p3 + at;
            const d0End = d0 + dyPix;
            while (d0 < d0End) {
              const wv = v128.load(wq);
              const wu = v128.load(wq, 16);
              let s = v128.load32_splat(d0);
              a0 = madd(s, wv, a0);
              b0 = madd(s, wu, b0);
              s = v128.load32_splat(d1);
              a1 = madd(s, wv, a1);
              b1 = madd(s, wu, b1);
              s = v128.load32_splat(d2);
              a2 = madd(s, wv, a2);
              b2 = madd(s, wu, b2);
              s = v128.load32_splat(d3);
              a3 = madd(s, wv, a3);
              b3 = madd(s, wu, b3);
              wq += wsBytes;
              d0 += 4;
              d1 += 4;
              d2 += 4;
              d3 += 4;
            }
          }
        }
        const o = out + <usize>q * F32_BYTES;
        const lanesA = min(LANES, rowF - q);
        const lanesB = min(LANES, rowF - q - LANES);
        storeLanes(o, a0, b0, lanesA, lanesB);
        if (rows > 1) storeLanes(o + dxRow, a1, b1, lanesA, lanesB);
        if (rows > 2) storeLanes(o + 2 * dxRow, a2, b2, lanesA, lanesB);
        if (rows > 3) storeLanes(o + 3 * dxRow, a3, b3, lanesA, lanesB);
      }
    }
  }
}

/** The dy row oh = base + r of tile row r, or the zero row when r is past the tile or oh outside [0, outH). */
// @ts-ignore: decorator
@inline
function dyRowOf(img: usize, zeroRow: usize, base: i32, r: i32, rows: i32, outH: i32, dyRow: usize): usize {
  const oh = base + r;
  return r < rows && oh >= 0 && oh < outH ? img + <usize>oh * dyRow : zeroRow;
}

/** Stores the first `la` (1..4) lanes of a at p, then the first `lb` (<= 0: none) lanes of b at p + 16. */
// @ts-ignore: decorator
@inline
function storeLanes(p: usize, a: v128, b: v128, la: i32, lb: i32): void {
  if (lb == LANES) {
    v128.store(p, a);
    v128.store(p, b, 16);
    return;
  }
  storePartial(p, a, la);
  if (lb > 0) storePartial(p + 16, b, lb);
}

// @ts-ignore: decorator
@inline
function storePartial(p: usize, v: v128, lanes: i32): void {
  if (lanes == LANES) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
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
