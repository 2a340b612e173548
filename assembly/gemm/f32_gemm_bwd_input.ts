// f32-gemm-bwd-input: the gradient of a Dense layer w.r.t. its input,
//   dx[m, k] = dy[m, n] * W^T,  i.e. dx[i, p] = sum_j dy[i, j] * w[p, j],
// from the raw row-major Keras kernel W[k, n] (no transposed copy: row p of W
// and row i of dy are both contiguous over n, so each dx element is a dot
// product over n, SIMD over n).
//
// Contract
// - dy: [m, n]; w: [k, n] (raw, not packed); dx: [m, k], written with `=`.
//   No overlap of dx with dy or w. No alignment requirement.
// - Over-read: none (four lanes, then a scalar tail of n % 4).
// - f32_gemm_bwd_input_row is the one-row kernel, shared with the Conv2D
//   input gradient, which accumulates (`+=`) one filter tap at a time.
//
// Tile: one dy row against four W rows (1x4): dy is loaded once per four
// multiply-adds and the four accumulators are independent chains.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "./madd";

/** Sum of the four lanes, in a fixed order (lanes 0+1, 2+3, then both). */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
         (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** sum_j a[j] * b[j] over n floats (SIMD body, scalar tail). */
function dot(a: usize, b: usize, n: i32): f32 {
  let j = 0;
  let s: f32 = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f32x4.splat(0);
    for (; j + LANES <= n; j += LANES) {
      const off = <usize>j * F32_BYTES;
      acc = madd(v128.load(a + off), v128.load(b + off), acc);
    }
    s = hsum(acc);
  }
  for (; j < n; j++) {
    const off = <usize>j * F32_BYTES;
    s += load<f32>(a + off) * load<f32>(b + off);
  }
  return s;
}

/**
 * One row: dx[p] (= or +=) sum_j dy[j] * w[p*n + j] for p in [0, k).
 * `accumulate` adds to dx instead of overwriting it.
 */
export function f32_gemm_bwd_input_row(dy: usize, w: usize, dx: usize, k: i32, n: i32, accumulate: bool): void {
  const wRow = <usize>n * F32_BYTES;
  let p = 0;
  if (ASC_FEATURE_SIMD) {
    for (; p + 4 <= k; p += 4) {
      const w0 = w + <usize>p * wRow;
      const w1 = w0 + wRow;
      const w2 = w1 + wRow;
      const w3 = w2 + wRow;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let j = 0;
      for (; j + LANES <= n; j += LANES) {
        const off = <usize>j * F32_BYTES;
        const d = v128.load(dy + off);
        a0 = madd(d, v128.load(w0 + off), a0);
        a1 = madd(d, v128.load(w1 + off), a1);
        a2 = madd(d, v128.load(w2 + off), a2);
        a3 = madd(d, v128.load(w3 + off), a3);
      }
      let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
      for (; j < n; j++) {
        const off = <usize>j * F32_BYTES;
        const d = load<f32>(dy + off);
        s0 += d * load<f32>(w0 + off);
        s1 += d * load<f32>(w1 + off);
        s2 += d * load<f32>(w2 + off);
        s3 += d * load<f32>(w3 + off);
      }
      const out = dx + <usize>p * F32_BYTES;
      if (accumulate) {
        s0 += load<f32>(out);
        s1 += load<f32>(out, 4);
        s2 += load<f32>(out, 8);
        s3 += load<f32>(out, 12);
      }
      store<f32>(out, s0);
      store<f32>(out, s1, 4);
      store<f32>(out, s2, 8);
      store<f32>(out, s3, 12);
    }
  }
  for (; p < k; p++) {
    const out = dx + <usize>p * F32_BYTES;
    const s = dot(dy, w + <usize>p * wRow, n);
    store<f32>(out, accumulate ? load<f32>(out) + s : s);
  }
}

export function f32_gemm_bwd_input(dy: usize, w: usize, dx: usize, m: i32, k: i32, n: i32): void {
  const dyRow = <usize>n * F32_BYTES;
  const dxRow = <usize>k * F32_BYTES;
  for (let i = 0; i < m; i++) {
    f32_gemm_bwd_input_row(dy + <usize>i * dyRow, w, dx + <usize>i * dxRow, k, n, false);
  }
}
