// f32-nonfinite: the index of the first NaN or +-Infinity in x[0, length),
// or -1 when every value is finite (a training-step health check).
//
// x - x is 0 for every finite x and NaN for NaN and +-Infinity, and only
// NaN compares unequal to itself: one subtraction and one comparison per
// float, no bit masks. The SIMD builds test four floats at a time and name
// the lane from the comparison's bitmask; the tail goes one float at a time
// through lane 0 (the zeros load32_zero puts in lanes 1..3 are finite).
//
// Contract: x holds `length` floats, read only. Alignment: none required.
// Over-read: none.

import { F32_BYTES } from "../common/tile";
import { isFull, loadPart, stepOf } from "./lanes";

export function f32_first_nonfinite(x: usize, length: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    for (let i = 0; i < length; ) {
      const v = loadPart(x + <usize>i * F32_BYTES, isFull(i, length));
      const d = f32x4.sub(v, v);
      const lanes = i32x4.bitmask(f32x4.ne(d, d));
      if (lanes != 0) return i + ctz(lanes);
      i += stepOf(isFull(i, length));
    }
  } else {
    for (let i = 0; i < length; i++) {
      const v = load<f32>(x + <usize>i * F32_BYTES);
      if (v - v != v - v) return i;
    }
  }
  return -1;
}
