// The one multiply-add of every GEMM/conv micro-kernel, chosen at compile
// time: fused `f32x4.relaxed_madd` (a*b + acc, one rounding where the CPU has
// FMA) in the relaxed-SIMD build, `f32x4.mul` then `f32x4.add` in the SIMD
// build. Only called from `if (ASC_FEATURE_SIMD)` branches.

// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, acc);
  } else {
    return f32x4.add(f32x4.mul(a, b), acc);
  }
}
