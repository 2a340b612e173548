// Loads and stores of either four lanes or one float, shared by the
// normalization kernels. Their SIMD builds run the channel tail (channels % 4)
// and the inner > 1 layouts through the same v128 loop body as the four-wide
// channel blocks, one float per vector (loaded into every lane, stored from
// lane 0), instead of keeping a second, scalar copy of each kernel: simd.wasm
// is close to its size budget, and these paths are not the hot ones
// (channels-last with channels >= 4 is). The other lanes' results, computed
// from copies of the same float, are never stored.
// Only referenced from `if (ASC_FEATURE_SIMD)` branches.

/** Four floats at p, or the float at p in every lane (never reads past p + 4 bytes). */
// @ts-ignore: decorator
@inline
export function loadLanes(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : v128.load32_splat(p);
}

/** Stores four lanes at p, or lane 0 alone. */
// @ts-ignore: decorator
@inline
export function storeLanes(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

/**
 * Lanes 2 and 3 of v moved to lanes 0 and 1 (for f64x2.promote_low_f32x4).
 * A 64-bit extract and splat: an i8x16.shuffle carries 16 immediate bytes
 * (measured: 17 more gzipped bytes of simd.wasm).
 */
// @ts-ignore: decorator
@inline
export function highHalf(v: v128): v128 {
  return i64x2.splat(i64x2.extract_lane(v, 1));
}

/** Four f32 lanes from two f64x2 halves (rounded once). */
// @ts-ignore: decorator
@inline
export function demote4(lo: v128, hi: v128): v128 {
  return i64x2.replace_lane(f32x4.demote_f64x2_zero(lo), 1, i64x2.extract_lane(f32x4.demote_f64x2_zero(hi), 0));
}
