// f32-gemm-bwd-filter: the gradient of a Dense layer w.r.t. its kernel,
//   dw[k, n] = X^T[k, m] * dy[m, n],  i.e. dw[p, j] = sum_i x[i, p] * dy[i, j],
// plus the shared core of the Conv2D filter gradient.
//
// Both are a sum of outer products over a set of "rows" (batch rows for
// Dense; output pixels for Conv2D). No transposed copy of X: a 4x8 register
// tile keeps 4 dw rows x 8 dw columns (8 v128 accumulators, 8 independent
// fma chains, so the 4-cycle latency is hidden) while the rows stream past,
// reading the 4 x values as broadcasts and dy[i, j..j+7] as two v128 loads:
// 6 loads per 8 multiply-adds. A 1-row tile (the previous design) had one
// fma chain per accumulator and ran latency-bound at a third of the speed.
// The k-loop is not unrolled (as the forward GEMM: unrolling made V8 spill).
//
// Contract (f32_gemm_bwd_filter)
// - x: [m, k]; dy: [m, n]; dw: [k, n], written with `=` (m == 0 gives zeros);
//   dbias: [n] written with `=`, or 0 for no bias. No overlap of outputs with
//   inputs. No alignment requirement; no over-read.
//
// Contract (f32_outer_tile): the row set is a 3-level strided walk
//   r = (b, h, w), b < nb, h < nh, w < nw, with byte strides
//   x row at x + b*xsb + h*xsh + w*xsw, dy row at dy + b*dsb + h*dsh + w*dsw;
//   for t < rows, c < cols:
//     out[t*outRow + c] (= or +=) sum_r load(x_r + o_t) * dy_r[c]
//   with byte offsets o_0 = 0, o_1, o_2, o_3 (rows >= t need o_t set; unused
//   rows repeat a valid offset and are computed but not stored). 1 <= rows
//   <= 4, 1 <= cols <= 8. With cols < 8 the lanes past `cols` read whatever
//   follows each dy row (computed, never stored), except for the walk's last
//   row: nothing past the last dy row is read.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "./madd";
import { f32_bias_bwd } from "./f32_bias_bwd";

/** dw rows per register tile. */
export const TILE_ROWS: i32 = 4;
/** dw columns per register tile (two v128). */
export const TILE_COLS: i32 = 8;

/** The first `count` (0..4) floats at p in the low lanes, zeros above; reads nothing past them. */
// @ts-ignore: decorator
@inline
function loadPartial(p: usize, count: i32): v128 {
  if (count >= LANES) return v128.load(p);
  if (count == 3) return v128.load32_lane(p, v128.load64_zero(p), 2, 8);
  if (count == 2) return v128.load64_zero(p);
  if (count == 1) return v128.load32_zero(p);
  return f32x4.splat(0);
}

/** Writes the first `cols` (1..8) lanes of lo:hi to p, `=` or `+=`. */
// @ts-ignore: decorator
@inline
function storeRow(p: usize, lo: v128, hi: v128, cols: i32, accumulate: bool): void {
  if (cols == TILE_COLS) {
    if (accumulate) {
      lo = f32x4.add(lo, v128.load(p));
      hi = f32x4.add(hi, v128.load(p, 16));
    }
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  let buf = lo;
  for (let c = 0; c < cols; c++) {
    if (c == LANES) buf = hi;
    const q = p + <usize>c * F32_BYTES;
    let v = f32x4.extract_lane(buf, 0);
    // Rotate the next lane down: one extract per column without a lane switch.
    buf = v128.shuffle<f32>(buf, buf, 1, 2, 3, 0);
    store<f32>(q, accumulate ? load<f32>(q) + v : v);
  }
}

function tileSimd(
  x: usize, dy: usize, out: usize, outRow: usize, rows: i32, cols: i32,
  o1: usize, o2: usize, o3: usize, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize, accumulate: bool,
): void {
  let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00;
  let a20 = a00, a21 = a00, a30 = a00, a31 = a00;
  // A narrower last column block (cols < TILE_COLS) still uses full loads:
  // the lanes past `cols` read the next dy row and are never stored. Only the
  // very last step of the walk could read past dy, so it is left out here and
  // done below with exact loads.
  const partial = cols != TILE_COLS;
  for (let b = 0; b < nb; b++) {
    for (let h = 0; h < nh; h++) {
      let xq = x + <usize>b * xsb + <usize>h * xsh;
      let dq = dy + <usize>b * dsb + <usize>h * dsh;
      const n = partial && b == nb - 1 && h == nh - 1 ? nw - 1 : nw;
      for (let w = 0; w < n; w++) {
        const d0 = v128.load(dq);
        const d1 = v128.load(dq, 16);
        let s = v128.load32_splat(xq);
        a00 = madd(s, d0, a00);
        a01 = madd(s, d1, a01);
        s = v128.load32_splat(xq + o1);
        a10 = madd(s, d0, a10);
        a11 = madd(s, d1, a11);
        s = v128.load32_splat(xq + o2);
        a20 = madd(s, d0, a20);
        a21 = madd(s, d1, a21);
        s = v128.load32_splat(xq + o3);
        a30 = madd(s, d0, a30);
        a31 = madd(s, d1, a31);
        xq += xsw;
        dq += dsw;
      }
    }
  }
  if (partial && nb > 0 && nh > 0 && nw > 0) {
    const last = <usize>(nb - 1) * xsb + <usize>(nh - 1) * xsh + <usize>(nw - 1) * xsw;
    const dq = dy + <usize>(nb - 1) * dsb + <usize>(nh - 1) * dsh + <usize>(nw - 1) * dsw;
    const xq = x + last;
    const c0 = min(cols, LANES);
    const d0 = loadPartial(dq, c0);
    const d1 = loadPartial(dq + 16, cols - c0);
    let s = v128.load32_splat(xq);
    a00 = madd(s, d0, a00);
    a01 = madd(s, d1, a01);
    s = v128.load32_splat(xq + o1);
    a10 = madd(s, d0, a10);
    a11 = madd(s, d1, a11);
    s = v128.load32_splat(xq + o2);
    a20 = madd(s, d0, a20);
    a21 = madd(s, d1, a21);
    s = v128.load32_splat(xq + o3);
    a30 = madd(s, d0, a30);
    a31 = madd(s, d1, a31);
  }
  storeRow(out, a00, a01, cols, accumulate);
  if (rows > 1) storeRow(out + outRow, a10, a11, cols, accumulate);
  if (rows > 2) storeRow(out + 2 * outRow, a20, a21, cols, accumulate);
  if (rows > 3) storeRow(out + 3 * outRow, a30, a31, cols, accumulate);
}

/** Scalar build: one dw element at a time (same walk, same contract). */
function tileScalar(
  x: usize, dy: usize, out: usize, outRow: usize, rows: i32, cols: i32,
  o1: usize, o2: usize, o3: usize, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize, accumulate: bool,
): void {
  for (let t = 0; t < rows; t++) {
    const o: usize = t == 0 ? 0 : t == 1 ? o1 : t == 2 ? o2 : o3;
    for (let c = 0; c < cols; c++) {
      const dc = dy + <usize>c * F32_BYTES;
      let s: f32 = 0;
      for (let b = 0; b < nb; b++) {
        for (let h = 0; h < nh; h++) {
          let xq = x + o + <usize>b * xsb + <usize>h * xsh;
          let dq = dc + <usize>b * dsb + <usize>h * dsh;
          for (let w = 0; w < nw; w++) {
            s += load<f32>(xq) * load<f32>(dq);
            xq += xsw;
            dq += dsw;
          }
        }
      }
      const q = out + <usize>t * outRow + <usize>c * F32_BYTES;
      store<f32>(q, accumulate ? load<f32>(q) + s : s);
    }
  }
}

/** One tile of the contract above; picks the SIMD or scalar body at compile time. */
export function f32_outer_tile(
  x: usize, dy: usize, out: usize, outRow: usize, rows: i32, cols: i32,
  o1: usize, o2: usize, o3: usize, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize, accumulate: bool,
): void {
  if (ASC_FEATURE_SIMD) {
    tileSimd(x, dy, out, outRow, rows, cols, o1, o2, o3, nb, nh, nw, xsb, xsh, xsw, dsb, dsh, dsw, accumulate);
  } else {
    tileScalar(x, dy, out, outRow, rows, cols, o1, o2, o3, nb, nh, nw, xsb, xsh, xsw, dsb, dsh, dsw, accumulate);
  }
}

/**
 * The threaded build may ask for dw rows [p0, p1) alone (p0 a multiple of
 * TILE_ROWS; p1 one too, or k): each row is the same sums in the same order
 * as in the whole call, so it splits the gradient over rows with no
 * reduction. The other builds always compute every row.
 */
export function f32_gemm_bwd_filter(
  x: usize, dy: usize, dw: usize, dbias: usize, m: i32, k: i32, n: i32, p0: i32, p1: i32,
): void {
  // The m rows as one strided level: (b, h, w) = (0, 0, i).
  const xsw = <usize>k * F32_BYTES;
  const dsw = <usize>n * F32_BYTES;
  const dwRow = <usize>n * F32_BYTES;
  const end = ASC_FEATURE_THREADS ? p1 : k;
  for (let p = ASC_FEATURE_THREADS ? p0 : 0; p < end; p += TILE_ROWS) {
    const rows = min(TILE_ROWS, end - p);
    // Rows past k repeat the last real row: computed, never stored, no over-read.
    const o1 = <usize>min(1, rows - 1) * F32_BYTES;
    const o2 = <usize>min(2, rows - 1) * F32_BYTES;
    const o3 = <usize>min(3, rows - 1) * F32_BYTES;
    const xp = x + <usize>p * F32_BYTES;
    for (let j = 0; j < n; j += TILE_COLS) {
      const off = <usize>j * F32_BYTES;
      f32_outer_tile(xp, dy + off, dw + <usize>p * dwRow + off, dwRow, rows, min(TILE_COLS, n - j),
        o1, o2, o3, 1, 1, m, 0, 0, xsw, 0, 0, dsw, false);
    }
  }
  if (dbias != 0) f32_bias_bwd(dy, dbias, m, n);
}
