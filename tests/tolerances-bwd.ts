// Named tolerances of the backward-kernel tests (tests/kernels-bwd). The
// forward ones (tests/tolerances.ts) still apply to every f32 reduction:
// wasm gradients are f32 dot products, compared with accumulationTolerance(k)
// where k is the length of the reduction behind each gradient element.

import { F32_EPSILON } from "./tolerances.js";

/**
 * Central differences in float64 with step FD_STEP have truncation error
 * ~h^2 * f''' and rounding error ~1e-16 / h: about 1e-10 here, far below the
 * float32 rounding of the gradient the JS kernel stores (relative 6e-8).
 */
export const FD_STEP = 1e-5;

/** JS backward (f64 math, one f32 rounding) against float64 central differences. */
export const GRADCHECK_TOLERANCE = { abs: 1e-6, rel: 1e-5 };

/**
 * Activation backward: the derivative is formed from the f32-stored forward
 * output y, whose rounding (relative 2^-24, up to ~1.2e-7 absolute for |y| < 1)
 * passes into y(1 - y) and 1 - y^2 with a slope of at most 2.
 */
export const ACTIVATION_BWD_GRADCHECK_TOLERANCE = { abs: 1e-6, rel: 1e-5 };

/** Element-wise backward kernels (activation): a few f32 roundings of products of numbers <= 1. */
export const ELEMENTWISE_BWD_TOLERANCE = { abs: 4 * F32_EPSILON, rel: 4 * F32_EPSILON };

/**
 * Losses: the wasm kernels use float64 math, as the oracle does, but from the
 * AssemblyScript exp/log (correctly rounded to within 1 ulp of f64), then
 * store the gradient in f32: the only visible difference is the f32 rounding.
 */
export const LOSS_GRADIENT_TOLERANCE = { abs: 1e-9, rel: 2 * F32_EPSILON };
/** The mean loss itself is returned in float64 by both: only exp/log ulps differ. */
export const LOSS_VALUE_TOLERANCE = { abs: 1e-12, rel: 1e-12 };

/**
 * Optimizer steps: the wasm kernels update in f32 (as tfjs does), the oracle
 * in f64 with one rounding per stored value. After a few steps the
 * parameters differ by a few f32 ulps of the update sizes and of w.
 */
export const OPTIMIZER_TOLERANCE = { abs: 1e-6, rel: 1e-5 };

/** Against tf.train.* on the cpu backend, which also updates in f32 (its b^t is a running f32 product). */
export const TFJS_OPTIMIZER_TOLERANCE = { abs: 1e-6, rel: 1e-5 };

/**
 * BatchNorm backward dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))
 * formed in f32 from f32 sums: a handful of roundings of terms <= ~2, times
 * gamma * invStd <= ~3. The sums dbeta and dgamma use accumulationTolerance(N).
 */
export const BATCHNORM_DX_TOLERANCE = { abs: 64 * F32_EPSILON, rel: 16 * F32_EPSILON };

/**
 * Softmax backward, dx = y (dy - sum_k dy_k y_k): the wasm kernels sum the
 * row in f32, the reference in f64. With |dy| <= 1 and sum y = 1 every
 * partial sum is <= 1 in size, so the sum's rounding grows like sqrt(cols)
 * f32 ulps of 1, passed to dx with a factor y <= 1; then a subtraction and
 * a product add a couple of relative roundings.
 */
export const SOFTMAX_BWD_ABS_PER_SQRT_COLS = 4 * F32_EPSILON;
export const SOFTMAX_BWD_REL = 4 * F32_EPSILON;

/** Tolerance of a softmax backward row of `cols` floats. */
export function softmaxBackwardTolerance(cols: number): { abs: number; rel: number } {
  return { abs: SOFTMAX_BWD_ABS_PER_SQRT_COLS * Math.sqrt(Math.max(cols, 1)), rel: SOFTMAX_BWD_REL };
}
