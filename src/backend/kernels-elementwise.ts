// The element-wise half of the kernel contract: the single passes a graph
// engine needs between layers (merge layers, scaling, dropout, the unfused
// softmax gradient, a finiteness check). Same conventions as `Kernels`
// (kernels.ts): pointers are 16-byte-aligned BYTE offsets into the backend's
// memory, lengths and strides count float32, outputs are written with `=`,
// kernels never allocate nor validate user input (src/ checks first).
//
// Every backend gives the same values for binary, scale, copyRows,
// maximumBackward, dropoutForward and firstNonFinite (single f32 operations,
// copies or comparisons; only a NaN's payload bits may differ);
// softmaxBackward sums a row, so backends differ by rounding.

import type { BinaryOpId } from "../../assembly/shared/ids.js";

export interface ElementwiseKernels {
  /**
   * y[i] = a[i] op b[i] for `length` floats. In place (y == a or y == b)
   * allowed. Max/Min: NaN in either operand gives NaN (as TensorFlow's
   * maximum/minimum), and -0 counts as less than +0.
   * @example
   * k.binary(BinaryOpId.Add, a, b, a, n); // a += b
   */
  binary(op: BinaryOpId, a: number, b: number, y: number, length: number): void;
  /**
   * y[i] = s * x[i] for `length` floats; in place (y == x) allowed. `s` is
   * rounded to float32 first, so every backend computes one f32 product.
   */
  scale(x: number, y: number, length: number, s: number): void;
  /**
   * For r in [0, rows): y[r*yStride + j] = x[r*xStride + j] for j < width
   * (all in floats); the floats between rows are left alone. x and y regions
   * never overlap. Concatenate forward (each input into a column band of the
   * output) and backward (the band back out): strided row copies.
   */
  copyRows(x: number, y: number, rows: number, width: number, xStride: number, yStride: number): void;
  /**
   * Backward of an element-wise Maximum for ONE of its inputs `x`, given the
   * forward output `y`; called for each input in order, the first input
   * wins ties: where x[i] == y[i]: dx[i] = dy[i] and dy[i] = 0 (so a later
   * input that ties gets nothing); else dx[i] = 0 and dy[i] is unchanged.
   * NaN compares unequal, so a NaN output routes its gradient to no input.
   * `dy` is updated in place; dx overlaps none of x, y, dy.
   */
  maximumBackward(x: number, y: number, dy: number, dx: number, length: number): void;
  /**
   * Inverted dropout: mask[i] = (u_i < keep) ? 1/keep : 0, with u_i the i-th
   * draw of mulberry32(seed) as src/random.ts (uint32 / 2^32, compared in
   * f64 so every backend gives the same bits) and 1/keep rounded to float32;
   * y[i] = x[i] * mask[i]. keep in (0, 1]; seed taken modulo 2^32. In place
   * y == x allowed; mask overlaps neither. The backward pass is
   * `binary(BinaryOpId.Mul, dy, mask, dx, length)`.
   */
  dropoutForward(x: number, y: number, mask: number, length: number, seed: number, keep: number): void;
  /**
   * Unfused softmax backward from its OUTPUT y [rows, cols]:
   * dx = y * (dy - sum_j dy_j * y_j), row by row. In place dx == dy allowed;
   * dx must not overlap y otherwise.
   */
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /** Index of the first NaN or +-Infinity in x[0..length), or -1 when all are finite. */
  firstNonFinite(x: number, length: number): number;
}
