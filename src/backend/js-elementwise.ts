// The plain-JS element-wise kernels: every `ElementwiseKernels` method as a
// loop that mirrors its formula in kernels-elementwise.ts. They are the
// oracle the wasm kernels of assembly/elementwise/ are tested against, and
// the element-wise path of the JS backend.
//
// Each f32 result is computed in float64 and rounded once when stored. For
// one +, -, * of two floats that is exactly the f32 operation (double
// rounding through f64 is harmless for these: 53 >= 2 * 24 + 2), so this
// backend writes the same values as the wasm builds (a NaN's payload
// aside); only softmaxBackward's row sum (float64 here) differs by rounding.

import { BinaryOpId } from "../../assembly/shared/ids.js";
import { mulberry32 } from "../random.js";
import type { LinearMemory } from "./kernels.js";
import type { ElementwiseKernels } from "./kernels-elementwise.js";

/** Bytes per float32; pointers are byte offsets. */
const F32_BYTES = 4;

/** Index of the first float of a pointer. */
const at = (ptr: number): number => ptr / F32_BYTES;

/** a op b for one pair of floats (float64 in, float64 out). */
export function applyBinary(op: BinaryOpId, a: number, b: number): number {
  switch (op) {
    case BinaryOpId.Add:
      return a + b;
    case BinaryOpId.Sub:
      return a - b;
    case BinaryOpId.Mul:
      return a * b;
    case BinaryOpId.Max:
      return Math.max(a, b); // NaN propagates and -0 < +0, as wasm's f32.max
    case BinaryOpId.Min:
      return Math.min(a, b);
    default:
      throw new RangeError(`js backend: unknown binary op id ${String(op)}`);
  }
}

/**
 * Creates the JS element-wise kernels over `memory` (the memory of
 * `createJsKernels`, or any `LinearMemory`).
 * @example
 * const base = createJsKernels();
 * const ew = createJsElementwiseKernels(base.memory);
 * ew.binary(BinaryOpId.Add, a, b, a, n);
 */
export function createJsElementwiseKernels(memory: LinearMemory): ElementwiseKernels {
  const view = (): Float32Array => new Float32Array(memory.buffer);

  return {
    binary(op, a, b, y, length) {
      const f = view();
      for (let i = 0; i < length; i++) f[at(y) + i] = applyBinary(op, f[at(a) + i], f[at(b) + i]);
    },

    scale(x, y, length, s) {
      const f = view();
      const s32 = Math.fround(s); // the wasm export takes s as f32
      for (let i = 0; i < length; i++) f[at(y) + i] = s32 * f[at(x) + i];
    },

    copyRows(x, y, rows, width, xStride, yStride) {
      const f = view();
      for (let r = 0; r < rows; r++) {
        const from = at(x) + r * xStride;
        f.copyWithin(at(y) + r * yStride, from, from + width);
      }
    },

    maximumBackward(x, y, dy, dx, length) {
      const f = view();
      for (let i = 0; i < length; i++) {
        const routed = f[at(x) + i] === f[at(y) + i]; // false for NaN: no input gets its gradient
        f[at(dx) + i] = routed ? f[at(dy) + i] : 0;
        if (routed) f[at(dy) + i] = 0;
      }
    },

    dropoutForward(x, y, mask, length, seed, keep) {
      const f = view();
      const random = mulberry32(seed);
      const kept = Math.fround(1 / keep);
      for (let i = 0; i < length; i++) {
        const m = random() < keep ? kept : 0;
        f[at(mask) + i] = m;
        f[at(y) + i] = f[at(x) + i] * m;
      }
    },

    softmaxBackward(y, dy, dx, rows, cols) {
      const f = view();
      for (let r = 0; r < rows; r++) {
        const row = r * cols;
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += f[at(dy) + row + j] * f[at(y) + row + j];
        // dy[j] is read before dx[j] is written: in place (dx == dy) is safe.
        for (let j = 0; j < cols; j++) f[at(dx) + row + j] = f[at(y) + row + j] * (f[at(dy) + row + j] - dot);
      }
    },

    firstNonFinite(x, length) {
      const f = view();
      for (let i = 0; i < length; i++) if (!Number.isFinite(f[at(x) + i])) return i;
      return -1;
    },
  };
}
