// f32-softmax-crossentropy: softmax fused with categorical cross-entropy,
// from the logits z (not the probabilities), over [rows, cols]:
//   loss = (1/rows) * sum_r sum_j t[r, j] * (lse_r - z[r, j]),
//     lse_r = max_j z[r, j] + log(sum_j exp(z[r, j] - max_j z[r, j]))
//   dz[r, j] = (p[r, j] * T_r - t[r, j]) / rows,  p = softmax(z), T_r = sum_j t[r, j]
// which is (p - t) / rows for one-hot (or any normalised) labels. The
// log-sum-exp form never takes log of a rounded-to-zero probability, so it
// is finite for any finite logits (Keras instead clips p to [1e-7, 1 - 1e-7]
// when given probabilities).
// f32_sparse_softmax_crossentropy takes the class index per row instead of
// a one-hot row: labels[r] is an f32 holding an integer in [0, cols); a label
// outside that range (or NaN) makes its row contribute 0 to the loss and to
// the gradient — src/ validates labels before calling.
//
// Contract
// - logits, dlogits: [rows, cols]; labels: [rows, cols] (dense) or [rows]
//   (sparse). dlogits == logits (in place) is allowed: a row is fully read
//   before it is written. Written with `=`. Returns the mean loss (f64);
//   rows == 0 returns 0.
// - Scalar, float64 math (exp/log from the AS standard library): this runs
//   once per batch over [batch, classes] and is never the bottleneck.

import { F32_BYTES } from "../common/tile";
import { exp64, log64 } from "../common/f64math";

/** log(sum_j exp(z[j])) of one row, shifted by the row max so no exp overflows. */
function logSumExp(z: usize, cols: i32): f64 {
  let m: f64 = -Infinity;
  for (let j = 0; j < cols; j++) m = max<f64>(m, <f64>load<f32>(z + <usize>j * F32_BYTES));
  let s: f64 = 0;
  for (let j = 0; j < cols; j++) s += exp64(<f64>load<f32>(z + <usize>j * F32_BYTES) - m);
  return m + log64(s);
}

export function f32_softmax_crossentropy(logits: usize, labels: usize, dlogits: usize, rows: i32, cols: i32): f64 {
  if (rows <= 0) return 0;
  const rowBytes = <usize>cols * F32_BYTES;
  const inv: f64 = 1.0 / <f64>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * rowBytes;
    const t = labels + <usize>r * rowBytes;
    const dz = dlogits + <usize>r * rowBytes;
    const lse = logSumExp(z, cols);
    let tSum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      const tj = <f64>load<f32>(t + off);
      tSum += tj;
      if (tj != 0) total += tj * (lse - <f64>load<f32>(z + off));
    }
    for (let j = 0; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      const p = exp64(<f64>load<f32>(z + off) - lse);
      store<f32>(dz + off, <f32>((p * tSum - <f64>load<f32>(t + off)) * inv));
    }
  }
  return total * inv;
}

export function f32_sparse_softmax_crossentropy(logits: usize, labels: usize, dlogits: usize, rows: i32, cols: i32): f64 {
  if (rows <= 0) return 0;
  const rowBytes = <usize>cols * F32_BYTES;
  const inv: f64 = 1.0 / <f64>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * rowBytes;
    const dz = dlogits + <usize>r * rowBytes;
    const lf = load<f32>(labels + <usize>r * F32_BYTES);
    // The comparison also rejects NaN before the float-to-int conversion.
    const valid = lf >= 0 && lf < <f32>cols;
    const label = valid ? <i32>lf : -1;
    const lse = logSumExp(z, cols);
    if (valid) total += lse - <f64>load<f32>(z + <usize>label * F32_BYTES);
    for (let j = 0; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      const g = valid ? exp64(<f64>load<f32>(z + off) - lse) - (j == label ? 1.0 : 0.0) : 0.0;
      store<f32>(dz + off, <f32>(g * inv));
    }
  }
  return total * inv;
}
