// Every numeric tolerance the tests use, named once. Tests import these and
// never write a tolerance literal.
//
// A wasm kernel accumulates in float32 (in whatever order its tiles and SIMD
// lanes dictate, with or without fused multiply-add); the JS oracle
// accumulates in float64 and rounds once. With inputs uniform in [-1, 1] the
// rounding error of a k-term float32 dot product grows like sqrt(k) * eps *
// (size of the partial sums), so the accumulation tolerance scales with
// sqrt(k). A real indexing bug gives errors of order 0.1..1, far above these.

/** float32 machine epsilon (2^-23). */
export const F32_EPSILON = 2 ** -23;

/** Absolute slack per sqrt(reduction length) for f32 dot products (GEMM, conv). */
export const ACCUMULATION_ABS_PER_SQRT_K = 64 * F32_EPSILON; // ~7.6e-6

/** Relative slack for f32 dot products (rounding of the stored result and of the bias add). */
export const ACCUMULATION_REL = 16 * F32_EPSILON; // ~1.9e-6

/**
 * Element-wise exp-based activations (sigmoid, tanh, softmax): a float32
 * exp/tanh (libm-style or a SIMD polynomial) is within a few ulp; outputs lie
 * in [-1, 1].
 */
export const ACTIVATION_ABS = 2e-6;
export const ACTIVATION_REL = 1e-5;

/** Max pooling selects an input value: it must be bit-exact. */
export const MAX_POOL_ABS = 0;

/** Average pooling sums at most a few hundred values then divides (or multiplies by a reciprocal). */
export const AVG_POOL_ABS_PER_SQRT_CELLS = 16 * F32_EPSILON;
export const AVG_POOL_REL = 4 * F32_EPSILON;

/** Known-answer tests of the JS oracle on hand-computed cases (exact small integers or closed forms). */
export const KNOWN_ANSWER_ABS = 1e-6;

/**
 * The JS oracle against a float64 reference of the same formula: it also sums
 * in float64 and rounds once when storing, so only that rounding differs.
 */
export const ORACLE_ROUNDING = { abs: 1e-12, rel: F32_EPSILON };

/** Tolerance of a GEMM/conv output whose dot product has `k` terms. */
export function accumulationTolerance(k: number): { abs: number; rel: number } {
  return { abs: ACCUMULATION_ABS_PER_SQRT_K * Math.sqrt(Math.max(k, 1)), rel: ACCUMULATION_REL };
}

/**
 * Tolerance of a GEMM/conv output with a fused activation: the accumulation
 * error passes through the activation (whose slope is at most 1 for every
 * activation we have) plus the activation's own rounding.
 */
export function fusedTolerance(k: number): { abs: number; rel: number } {
  const acc = accumulationTolerance(k);
  return { abs: acc.abs + ACTIVATION_ABS, rel: acc.rel + ACTIVATION_REL };
}

/** Tolerance of an average pool over `cells` values. */
export function avgPoolTolerance(cells: number): { abs: number; rel: number } {
  return { abs: AVG_POOL_ABS_PER_SQRT_CELLS * Math.sqrt(Math.max(cells, 1)), rel: AVG_POOL_REL };
}

/**
 * BatchNorm's per-channel affine map y = act(x * scale + shift) with |x|,
 * |scale|, |shift| <= 2: two f32 roundings (or one fused) of values up to ~6,
 * then the activation's own error (slope <= 1).
 */
export const CHANNEL_AFFINE_TOLERANCE = { abs: 16 * F32_EPSILON + ACTIVATION_ABS, rel: 4 * F32_EPSILON + ACTIVATION_REL };

/**
 * Batch mean and biased variance against a float64 two-pass reference: the
 * kernels accumulate in f64, so only the final f32 rounding (and a few f64
 * ulps scaled by the mean^2/variance cancellation) may differ, even over
 * 65536 rows of data far from zero. A naive f32 sum of squares is ~1e-3 off.
 */
export const CHANNEL_MOMENTS_TOLERANCE = { abs: 4 * F32_EPSILON, rel: 8 * F32_EPSILON };

/**
 * Dropout's kept count over n draws is Binomial(n, keep) for a good
 * generator: it must lie within this many standard deviations
 * (sqrt(n keep (1 - keep))) of n * keep. Five sigmas: a correct kernel
 * fails with probability < 1e-6, while a threshold off by a few percent of
 * keep fails at n = 10^5.
 */
export const DROPOUT_RATE_SIGMAS = 5;
