// f32-vscale: y[i] = s * x[i] for i in [0, length).
//
// Contract
// - x, y: `length` floats each; y == x (in place) is allowed, any other
//   overlap is not. Written with `=`.
// - s arrives as f32 (the caller's number rounded once), so every backend
//   computes the same single f32 product.
// - Alignment: none required. Over-read: none (four lanes, then a scalar
//   tail of length % 4).

import { F32_BYTES, LANES } from "../common/tile";

export function f32_vscale(x: usize, y: usize, length: i32, s: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vs = f32x4.splat(s);
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      v128.store(y + off, f32x4.mul(v128.load(x + off), vs));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    store<f32>(y + off, load<f32>(x + off) * s);
  }
}
