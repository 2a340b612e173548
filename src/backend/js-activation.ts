// Activations of the plain-JS backend in float64, shared by its forward
// kernels (js.ts) and the normalization kernels (js-norm.ts); a module of its
// own so js-norm.ts need not import js.ts, which imports it.

import { ActivationId } from "../../assembly/shared/ids.js";

/** Applies one activation to a pre-activation value (float64 in, float64 out). */
export function applyActivation(v: number, act: ActivationId, alpha: number): number {
  switch (act) {
    case ActivationId.Linear:
      return v;
    case ActivationId.Relu:
      return v < 0 ? 0 : v; // NaN passes through, as in TensorFlow and the wasm builds
    case ActivationId.LeakyRelu:
      return v > 0 ? v : alpha * v;
    case ActivationId.Sigmoid:
      return sigmoid(v);
    case ActivationId.Tanh:
      return Math.tanh(v);
    case ActivationId.ReluCapped:
      return v < 0 ? 0 : v > alpha ? alpha : v; // NaN passes through, as relu
    case ActivationId.Elu:
      return v > 0 ? v : alpha * Math.expm1(v);
    case ActivationId.HardSigmoid: {
      const t = 0.2 * v + 0.5;
      return t < 0 ? 0 : t > 1 ? 1 : t; // NaN passes through
    }
    case ActivationId.Swish:
      return v * sigmoid(v);
    default:
      throw new RangeError(`js backend: unknown activation id ${String(act)}`);
  }
}

/** 1 / (1 + exp(-x)) without overflow: exp is only ever taken of a non-positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
