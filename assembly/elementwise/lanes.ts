// Partial vectors for the element-wise kernels' tails: the last length % 4
// floats go one at a time through lane 0 of the same v128 code as the body
// (load32_zero reads 4 bytes and zeroes lanes 1..3; store32_lane writes 4),
// so there is no over-read and each operation is written once per build
// instead of once as v128 and again as a scalar tail (simd.wasm's size
// budget). Only referenced from `if (ASC_FEATURE_SIMD)` branches.

import { LANES } from "../common/tile";

/** True while at least LANES floats remain from index i. */
// @ts-ignore: decorator
@inline
export function isFull(i: i32, length: i32): bool {
  return i + LANES <= length;
}

/** Four floats at p, or (full false) the float at p in lane 0 and zeros. */
// @ts-ignore: decorator
@inline
export function loadPart(p: usize, full: bool): v128 {
  return full ? v128.load(p) : v128.load32_zero(p);
}

/** Stores all four lanes of v at p, or (full false) lane 0 only. */
// @ts-ignore: decorator
@inline
export function storePart(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

/** How far the index moves after one step. */
// @ts-ignore: decorator
@inline
export function stepOf(full: bool): i32 {
  return full ? LANES : 1;
}
