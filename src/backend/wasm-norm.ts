// Adapts the normalization exports of a simdcnn kernel binary
// (assembly/index.ts, assembly/backward.ts) to `NormKernels`: every argument
// passes through unchanged.

import type { NormKernels } from "./kernels-norm.js";

/** The raw normalization exports (pointers and sizes are numbers). */
type NormExports = { [K in keyof NormKernels]: (...args: Parameters<NormKernels[K]>) => void };

/** Every export `bindWasmNormKernels` needs; checked up front so a stale binary fails loudly. */
export const NORM_EXPORTS: readonly (keyof NormExports)[] = ["channelAffine", "channelMoments", "batchNormBackward"];

/**
 * Binds the normalization exports of an instantiated kernel binary.
 * @param exports `instance.exports` of a binary built from assembly/index.ts.
 * @throws Error naming the missing exports when the binary predates the normalization kernels.
 * @example
 * const norm = bindWasmNormKernels(instance.exports);
 * norm.channelMoments(x, rows, channels, 1, mean, variance);
 */
export function bindWasmNormKernels(exports: Record<string, unknown>): NormKernels {
  const missing = NORM_EXPORTS.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new Error(`not a simdcnn normalization binary: missing export(s) ${missing.join(", ")}`);
  }
  const e = exports as unknown as NormExports;
  return {
    channelAffine: (x, scale, shift, y, outer, channels, inner, act, alpha) =>
      e.channelAffine(x, scale, shift, y, outer, channels, inner, act, alpha),
    channelMoments: (x, outer, channels, inner, mean, variance) =>
      e.channelMoments(x, outer, channels, inner, mean, variance),
    batchNormBackward: (x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner) =>
      e.batchNormBackward(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner),
  };
}
