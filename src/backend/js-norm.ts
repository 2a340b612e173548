// The plain-JS normalization kernels: every `NormKernels` method as loops that
// mirror its formula in kernels-norm.ts. They are the oracle the wasm kernels
// are tested against and the normalization path of the JS backend.
//
// Written for clarity: sums accumulate in float64 (JS numbers), two passes for
// the variance (mean first, then squared deviations), and every value is
// rounded to float32 once, when stored.

import type { ActivationId } from "../../assembly/shared/ids.js";
import { applyActivation } from "./js-activation.js";
import type { LinearMemory } from "./kernels.js";
import type { NormKernels } from "./kernels-norm.js";

/** Bytes per float32; pointers are byte offsets. */
const F32_BYTES = 4;

/** Index of the first float of a pointer. */
const at = (ptr: number): number => ptr / F32_BYTES;

/**
 * Creates the JS normalization kernels over `memory` (the memory of
 * `createJsKernels`, or any `LinearMemory`).
 * @example
 * const norm = createJsNormKernels(createJsKernels().memory);
 * norm.channelMoments(x, rows, channels, 1, mean, variance);
 */
export function createJsNormKernels(memory: LinearMemory): NormKernels {
  const view = (): Float32Array => new Float32Array(memory.buffer);

  /** Calls visit(index) for every float of channel c of an [outer, channels, inner] tensor at `ptr`. */
  const forChannel = (ptr: number, c: number, outer: number, channels: number, inner: number,
                      visit: (index: number) => void): void => {
    for (let o = 0; o < outer; o++) {
      const row = at(ptr) + (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) visit(row + i);
    }
  };

  return {
    channelAffine(x, scale, shift, y, outer, channels, inner, act: ActivationId, alpha) {
      const f = view();
      for (let c = 0; c < channels; c++) {
        const s = scale !== 0 ? f[at(scale) + c] : 1;
        const b = shift !== 0 ? f[at(shift) + c] : 0;
        // x and y share the layout, so an index into x is the same cell of y (in place works).
        forChannel(x, c, outer, channels, inner, (i) => {
          f[i - at(x) + at(y)] = applyActivation(f[i] * s + b, act, alpha);
        });
      }
    },

    channelMoments(x, outer, channels, inner, mean, variance) {
      const f = view();
      const n = outer * inner;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        forChannel(x, c, outer, channels, inner, (i) => { sum += f[i]; });
        const m = sum / n;
        let squares = 0;
        forChannel(x, c, outer, channels, inner, (i) => { squares += (f[i] - m) ** 2; });
        f[at(mean) + c] = m;
        f[at(variance) + c] = squares / n;
      }
    },

    batchNormBackward(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner) {
      const f = view();
      const n = outer * inner;
      for (let c = 0; c < channels; c++) {
        const m = f[at(mean) + c];
        const is = f[at(invStd) + c];
        const g = gamma !== 0 ? f[at(gamma) + c] : 1;
        const dyAt = (i: number): number => f[i - at(x) + at(dy)];
        let sumDy = 0;
        let sumDyXhat = 0;
        forChannel(x, c, outer, channels, inner, (i) => {
          sumDy += dyAt(i);
          sumDyXhat += dyAt(i) * (f[i] - m) * is;
        });
        if (dbeta !== 0) f[at(dbeta) + c] = sumDy;
        if (dgamma !== 0) f[at(dgamma) + c] = sumDyXhat;
        if (dx === 0) continue;
        // Each dx cell is written after its own dy is read, and only this channel's: dx == dy is safe.
        forChannel(x, c, outer, channels, inner, (i) => {
          const xhat = (f[i] - m) * is;
          f[i - at(x) + at(dx)] = (g * is / n) * (n * dyAt(i) - sumDy - xhat * sumDyXhat);
        });
      }
    },
  };
}
