// f32-bias-bwd: the bias gradient of Dense and Conv2D,
//   dbias[j] = sum_i dy[i, j] over `rows` rows of `n` floats
// (Conv2D: rows = batch * outH * outW pixels, n = filters).
//
// Contract
// - dy: [rows, n]; dbias: [n], written with `=` (rows == 0 gives zeros).
// - SIMD over columns: 16 at a time, then 4, then a scalar tail of n % 4.
//   No over-read, no alignment requirement. f32 sums in row order.

import { F32_BYTES, LANES } from "../common/tile";

export function f32_bias_bwd(dy: usize, dbias: usize, rows: i32, n: i32): void {
  const rowBytes = <usize>n * F32_BYTES;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    for (; j + 4 * LANES <= n; j += 4 * LANES) {
      const off = <usize>j * F32_BYTES;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let p = dy + off;
      for (let i = 0; i < rows; i++) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
        p += rowBytes;
      }
      v128.store(dbias + off, s0);
      v128.store(dbias + off, s1, 16);
      v128.store(dbias + off, s2, 32);
      v128.store(dbias + off, s3, 48);
    }
    for (; j + LANES <= n; j += LANES) {
      const off = <usize>j * F32_BYTES;
      let s = f32x4.splat(0);
      let p = dy + off;
      for (let i = 0; i < rows; i++) {
        s = f32x4.add(s, v128.load(p));
        p += rowBytes;
      }
      v128.store(dbias + off, s);
    }
  }
  for (; j < n; j++) {
    const off = <usize>j * F32_BYTES;
    let s: f32 = 0;
    let p = dy + off;
    for (let i = 0; i < rows; i++) {
      s += load<f32>(p);
      p += rowBytes;
    }
    store<f32>(dbias + off, s);
  }
}
