// f32-sgd-momentum: one SGD step over a flat parameter buffer, as
// tf.train.momentum (tfjs-core momentum_optimizer.ts, useNesterov = false):
//   v = momentum * v + g;  w = w - lr * v
// and, when there is no velocity buffer (v == 0), plain SGD as tf.train.sgd:
//   w = w - lr * g
// (momentum 0 with a velocity buffer gives the same w: v becomes g).
//
// Contract
// - w, g, v: `length` floats; w and v updated in place (`=`), g read only;
//   no other overlap. No alignment requirement; no over-read (four lanes,
//   then a scalar tail).
// - lr and momentum arrive as f64 and are rounded to f32 once, as tfjs's
//   scalars are. Separate mul and add (never fused, even in the relaxed-SIMD
//   build) in tfjs's order, so every build matches tfjs's cpu backend.

import { F32_BYTES, LANES } from "../common/tile";

export function f32_sgd_momentum(w: usize, g: usize, v: usize, length: i32, lr: f64, momentum: f64): void {
  const lr32 = <f32>lr;
  const m32 = <f32>momentum;
  let i = 0;
  if (v == 0) {
    if (ASC_FEATURE_SIMD) {
      const vlr = f32x4.splat(lr32);
      for (; i + LANES <= length; i += LANES) {
        const off = <usize>i * F32_BYTES;
        v128.store(w + off, f32x4.sub(v128.load(w + off), f32x4.mul(vlr, v128.load(g + off))));
      }
    }
    for (; i < length; i++) {
      const off = <usize>i * F32_BYTES;
      store<f32>(w + off, load<f32>(w + off) - lr32 * load<f32>(g + off));
    }
    return;
  }
  if (ASC_FEATURE_SIMD) {
    const vlr = f32x4.splat(lr32);
    const vm = f32x4.splat(m32);
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      const vel = f32x4.add(f32x4.mul(vm, v128.load(v + off)), v128.load(g + off));
      v128.store(v + off, vel);
      v128.store(w + off, f32x4.sub(v128.load(w + off), f32x4.mul(vlr, vel)));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    const vel = m32 * load<f32>(v + off) + load<f32>(g + off);
    store<f32>(v + off, vel);
    store<f32>(w + off, load<f32>(w + off) - lr32 * vel);
  }
}
