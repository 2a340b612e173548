// The normalization half of the kernel contract: BatchNormalization's
// per-channel affine map, batch statistics and training backward. Same
// conventions as `Kernels` (kernels.ts): pointers are 16-byte-aligned BYTE
// offsets into the backend's memory, 0 means "absent", kernels never allocate
// nor validate user input, outputs are written with `=`.
//
// Layout: every tensor `x` is viewed as row-major [outer, channels, inner],
// and the per-channel vectors (scale, shift, mean, variance, invStd, gamma and
// their gradients) hold `channels` floats. Channels-last BatchNorm over the
// last axis of an NHWC tensor is inner = 1, outer = batch * height * width
// (the fast path); normalising a non-last axis uses inner > 1.

import type { ActivationId } from "../../assembly/shared/ids.js";

export interface NormKernels {
  /**
   * y[o, c, i] = act(x[o, c, i] * scale[c] + shift[c]), `act` and `alpha` as
   * in `Kernels.gemm` (alpha is the leakyRelu slope). `scale` 0 means all
   * ones, `shift` 0 means all zeros. In place (y == x) allowed.
   * BatchNorm at inference (scale = gamma / sqrt(var + eps), shift = beta -
   * mean * scale), and in training once the batch statistics are known.
   */
  channelAffine(x: number, scale: number, shift: number, y: number, outer: number, channels: number, inner: number,
                act: ActivationId, alpha: number): void;
  /**
   * mean[c] and the BIASED variance[c] = mean((x - mean[c])^2) over the outer
   * and inner axes (N = outer * inner values per channel; N == 0 is not
   * allowed). Accumulated in f64, accurate for large N (64 * 32 * 32 rows):
   * within a few f32 roundings of a float64 two-pass computation.
   */
  channelMoments(x: number, outer: number, channels: number, inner: number, mean: number, variance: number): void;
  /**
   * BatchNorm training backward. With xhat = (x - mean[c]) * invStd[c] and
   * N = outer * inner:
   * dbeta[c] = sum dy; dgamma[c] = sum dy * xhat;
   * dx = gamma[c] * invStd[c] / N * (N * dy - dbeta[c] - xhat * dgamma[c]).
   * `gamma` 0 means all ones (scale = false). `dgamma` / `dbeta` 0: not
   * written (the sums are still formed for dx). `dx` 0: not written. All
   * written with `=`. dx may alias dy (in place); no other overlap.
   */
  batchNormBackward(x: number, dy: number, mean: number, invStd: number, gamma: number, dx: number, dgamma: number,
                    dbeta: number, outer: number, channels: number, inner: number): void;
}
