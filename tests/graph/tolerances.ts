// Tolerances of the graph suites, named once (as tests/tolerances.ts does for kernels).

import { expect } from "vitest";

/**
 * Central-difference step for whole-model gradient checks. The activations
 * are stored as float32 (~6e-8 relative), so the step must be large enough
 * that (loss(w + h) - loss(w - h)) / 2h is not rounding noise: with losses
 * near 1, an error of ~1e-7 / 2e-3 = 5e-5 in the difference quotient.
 */
export const GRAPH_GRADIENT_STEP = 1e-3;

/**
 * Analytic vs numeric gradient: |a - n| <= ABS + REL * |n|. The quotient's
 * truncation error is O(h^2 * third derivative) ~ 1e-6 here, its rounding
 * error ~5e-5 (above); a dropped fan-out term or a wrong merge rule is off
 * by a whole term, orders of magnitude more.
 */
export const GRAPH_GRADIENT_ABS = 2e-4;
export const GRAPH_GRADIENT_REL = 1e-2;

/**
 * A BatchNorm folded into the conv/dense weights vs the same graph run
 * layer by layer: (x W) s + t against x (W s) + t reorders one multiply per
 * weight, a few float32 roundings on outputs that are probabilities.
 */
export const FOLD_ABS = 1e-5;

/** BatchNorm at inference against its formula in float64: a multiply and an add in float32 on values up to ~10. */
export const BN_AXIS_ABS = 1e-5;

/**
 * A BatchNorm folded into a Conv2DTranspose vs the graph run layer by layer,
 * relative to the largest output: x (W s) against (x W) s rounds each of the
 * up to kh*kw*in products once more in float32 (~6e-8 each), through two
 * such layers; a stale fold or a wrong axis is off by far more.
 */
export const TRANSPOSE_FOLD_REL = 1e-5;

/**
 * Checks the analytic gradient of weight tensor `i`, element `j`, against the
 * central difference of `lossAt` (a loss over a full weight list) around
 * `start`, within GRAPH_GRADIENT_ABS + GRAPH_GRADIENT_REL of the numeric value.
 */
export function expectCentralDifference(
  lossAt: (weights: Float32Array[]) => number, start: Float32Array[], i: number, j: number, analytic: number,
  label: string,
): void {
  const plus = start.map((a) => a.slice());
  const minus = start.map((a) => a.slice());
  plus[i]![j]! += GRAPH_GRADIENT_STEP;
  minus[i]![j]! -= GRAPH_GRADIENT_STEP;
  const numeric = (lossAt(plus) - lossAt(minus)) / (2 * GRAPH_GRADIENT_STEP);
  expect(Math.abs(analytic - numeric), `${label}: ${analytic} vs ${numeric}`)
    .toBeLessThanOrEqual(GRAPH_GRADIENT_ABS + GRAPH_GRADIENT_REL * Math.abs(numeric));
}
