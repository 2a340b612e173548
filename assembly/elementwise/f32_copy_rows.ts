// f32-copy-rows: y[r*yStride + j] = x[r*xStride + j] for r < rows, j < width
// (strides and width in floats): Concatenate's forward (each input's rows
// into a column band of the output) and backward (the band back out).
//
// Contract
// - x: rows of `width` floats, `xStride` floats apart; y likewise with
//   `yStride`. Only the `width` floats of each row are read or written
//   (with `=`); the gap between rows is left alone. x and y never overlap.
// - Alignment: none required. Over-read: none.
// - One memory.copy per row: the engine's bulk copy (SIMD inside) beats a
//   hand-written v128 loop and costs a handful of bytes of code.

import { F32_BYTES } from "../common/tile";

export function f32_copy_rows(x: usize, y: usize, rows: i32, width: i32, xStride: i32, yStride: i32): void {
  const rowBytes = <usize>width * F32_BYTES;
  const xStep = <usize>xStride * F32_BYTES;
  const yStep = <usize>yStride * F32_BYTES;
  for (let r = 0; r < rows; r++) {
    memory.copy(y, x, rowBytes);
    x += xStep;
    y += yStep;
  }
}
