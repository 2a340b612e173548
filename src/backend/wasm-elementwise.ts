// Adapts the element-wise exports of a simdcnn kernel binary (the
// "Element-wise" section of assembly/index.ts) to `ElementwiseKernels`:
// every method passes its arguments straight through.

import type { BinaryOpId } from "../../assembly/shared/ids.js";
import type { ElementwiseKernels } from "./kernels-elementwise.js";

/** The raw element-wise exports (pointers and sizes are numbers). */
interface ElementwiseExports {
  binary(op: number, a: number, b: number, y: number, length: number): void;
  scale(x: number, y: number, length: number, s: number): void;
  copyRows(x: number, y: number, rows: number, width: number, xStride: number, yStride: number): void;
  maximumBackward(x: number, y: number, dy: number, dx: number, length: number): void;
  dropoutForward(x: number, y: number, mask: number, length: number, seed: number, keep: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  firstNonFinite(x: number, length: number): number;
}

/** Every export `bindWasmElementwiseKernels` needs; checked up front so a stale binary fails loudly. */
export const ELEMENTWISE_EXPORTS: readonly (keyof ElementwiseExports)[] = [
  "binary", "scale", "copyRows", "maximumBackward", "dropoutForward", "softmaxBackward", "firstNonFinite",
];

/**
 * Binds the element-wise exports of an instantiated kernel binary.
 * @param exports `instance.exports` of a binary built from assembly/index.ts.
 * @throws Error naming the missing exports when the binary predates the element-wise kernels.
 * @example
 * const ew = bindWasmElementwiseKernels(instance.exports);
 * ew.scale(x, x, n, 0.5);
 */
export function bindWasmElementwiseKernels(exports: Record<string, unknown>): ElementwiseKernels {
  const missing = ELEMENTWISE_EXPORTS.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new Error(`not a simdcnn element-wise binary: missing export(s) ${missing.join(", ")}`);
  }
  const e = exports as unknown as ElementwiseExports;
  return {
    binary: (op: BinaryOpId, a, b, y, length) => e.binary(op, a, b, y, length),
    scale: (x, y, length, s) => e.scale(x, y, length, s),
    copyRows: (x, y, rows, width, xStride, yStride) => e.copyRows(x, y, rows, width, xStride, yStride),
    maximumBackward: (x, y, dy, dx, length) => e.maximumBackward(x, y, dy, dx, length),
    dropoutForward: (x, y, mask, length, seed, keep) => e.dropoutForward(x, y, mask, length, seed, keep),
    softmaxBackward: (y, dy, dx, rows, cols) => e.softmaxBackward(y, dy, dx, rows, cols),
    firstNonFinite: (x, length) => e.firstNonFinite(x, length),
  };
}
