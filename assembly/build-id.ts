// Which build a binary is, chosen by the same constants that choose its
// kernels: init() reads it from the whole and the inference binaries, and
// checks that a training companion matches the inference binary it joins.
import { BuildId } from "./shared/ids";

/** Which build this binary is, chosen by the same constants that choose its kernels: init() reads it. */
export function buildId(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) return BuildId.RelaxedSimd;
  if (ASC_FEATURE_SIMD) return BuildId.Simd;
  return BuildId.Scalar;
}
