// f32-mean-squared-error over [rows, cols] (Keras: mean over the last axis,
// then over the batch, i.e. the mean over all rows*cols elements):
//   loss = mean((y - t)^2);  dy = 2 * (y - t) / (rows * cols)
//
// Contract
// - y (predictions), labels, dy: rows*cols floats; dy == y in place allowed.
//   Written with `=`. Returns the mean loss (f64); an empty input returns 0.
//   Scalar float64 math: once per batch, not a bottleneck.

import { F32_BYTES } from "../common/tile";

export function f32_mean_squared_error(y: usize, labels: usize, dy: usize, rows: i32, cols: i32): f64 {
  const count = rows * cols;
  if (count <= 0) return 0;
  const inv: f64 = 1.0 / <f64>count;
  let total: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i * F32_BYTES;
    const d = <f64>load<f32>(y + off) - <f64>load<f32>(labels + off);
    total += d * d;
    store<f32>(dy + off, <f32>(2.0 * d * inv));
  }
  return total * inv;
}
