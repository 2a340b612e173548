// f32-softmax-bwd: the unfused softmax gradient from its forward OUTPUT y,
// row by row over [rows, cols]:
//   dx[r, j] = y[r, j] * (dy[r, j] - sum_k dy[r, k] * y[r, k])
// (the softmax Jacobian diag(y) - y y^T applied to dy).
//
// Scalar in every build, on purpose: its tensor is a classifier head
// [batch, classes] (a few hundred floats per step), where v128 code saves
// microseconds but cost simd.wasm 60 gzipped bytes of its size budget.
//
// Contract
// - y, dy, dx: rows*cols floats, row-major. dx == dy (in place) is allowed:
//   each row's sum is taken over all of dy before any of it is overwritten,
//   and dy[j] is read before dx[j] is written. dx must not overlap y.
//   Written with `=`.
// - The row sum is an f32 sum in index order (the JS backend sums in f64).
// - Alignment: none required. Over-read: none.

import { F32_BYTES } from "../common/tile";

export function f32_softmax_bwd(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols * F32_BYTES;
  for (let r = 0; r < rows; r++) {
    const rowOff = <usize>r * rowBytes;
    const yr = y + rowOff;
    const gr = dy + rowOff;
    const xr = dx + rowOff;
    let dot: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      dot += load<f32>(gr + off) * load<f32>(yr + off);
    }
    for (let j = 0; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      store<f32>(xr + off, load<f32>(yr + off) * (load<f32>(gr + off) - dot));
    }
  }
}
