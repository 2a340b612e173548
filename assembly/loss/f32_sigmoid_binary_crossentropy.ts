// f32-sigmoid-binary-crossentropy: sigmoid fused with binary cross-entropy,
// from the logits z, over [rows, cols] (Keras: mean over the last axis, then
// over the batch, i.e. the mean over all rows*cols elements):
//   loss = mean( max(z, 0) - z*t + log(1 + exp(-|z|)) )
//   dz   = (sigmoid(z) - t) / (rows * cols)      ((p - t)/batch when cols == 1)
// The loss form is TensorFlow's sigmoid_cross_entropy_with_logits: exp only
// of a non-positive number, no log of a rounded-to-zero probability.
//
// Contract
// - logits, labels, dlogits: rows*cols floats. dlogits == logits in place is
//   allowed. Written with `=`. Returns the mean loss (f64); an empty input
//   returns 0. Scalar float64 math: once per batch, not a bottleneck.

import { F32_BYTES } from "../common/tile";
import { exp64, log1p64 } from "../common/f64math";

export function f32_sigmoid_binary_crossentropy(logits: usize, labels: usize, dlogits: usize, rows: i32, cols: i32): f64 {
  const count = rows * cols;
  if (count <= 0) return 0;
  const inv: f64 = 1.0 / <f64>count;
  let total: f64 = 0;
  for (let i = 0; i < count; i++) {
    const off = <usize>i * F32_BYTES;
    const z = <f64>load<f32>(logits + off);
    const t = <f64>load<f32>(labels + off);
    const e = exp64(-Math.abs(z)); // in (0, 1]
    total += max<f64>(z, 0) - z * t + log1p64(e);
    const p = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    store<f32>(dlogits + off, <f32>((p - t) * inv));
  }
  return total * inv;
}
