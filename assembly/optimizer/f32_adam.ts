// f32-adam: one Adam step over a flat parameter buffer, exactly as
// tf.train.adam computes it (tfjs-core adam_optimizer.ts, 4.22):
//   m = b1 * m + (1 - b1) * g
//   v = b2 * v + (1 - b2) * g^2
//   w = w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// i.e. epsilon is added to the square root of the BIAS-CORRECTED second
// moment (Keras's lr_t * m / (sqrt(v) + eps_hat) form differs only in where
// eps sits; with eps = 1e-7 the two agree to ~eps/sqrt(v_hat)).
//
// Contract
// - w, g, m, v: `length` floats; w, m, v updated in place (`=`), g read only;
//   no other overlap. No alignment requirement; no over-read (four lanes,
//   then a scalar tail).
// - lrHat = lr / (1 - b1^t) and rsc2 = 1 / sqrt(1 - b2^t), for the 1-based
//   step t (tfjs's accBeta1 = b1^t), arrive precomputed in f64 from the
//   caller (src/backend/wasm.ts): JS's Math.pow is exact enough, and
//   AssemblyScript's f64 pow would ship ~4 KB of lookup tables for one call
//   per step (see common/f64math.ts). b1, b2, eps arrive as f64; 1 - b1 and
//   1 - b2 are formed in f64 and everything is rounded to f32 once.
// - Separate mul/add/div/sqrt (never fused) in every build.
// - One division per element, not three: the bias corrections are folded
//   into lrHat and rsc2, so w -= (m * lrHat) / (sqrt(v) * rsc2 + eps) (same
//   value up to f32 rounding; a divide costs as much as ~10 multiply-adds).

import { F32_BYTES, LANES } from "../common/tile";

export function f32_adam(
  w: usize, g: usize, m: usize, v: usize, length: i32,
  beta1: f64, beta2: f64, epsilon: f64, lrHat64: f64, rsc2_64: f64,
): void {
  const b1 = <f32>beta1;
  const b2 = <f32>beta2;
  const c1 = <f32>(1.0 - beta1);
  const c2 = <f32>(1.0 - beta2);
  const lrHat = <f32>lrHat64;
  const rsc2 = <f32>rsc2_64;
  const eps = <f32>epsilon;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
    const vlrHat = f32x4.splat(lrHat), vrsc2 = f32x4.splat(rsc2), veps = f32x4.splat(eps);
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      const gv = v128.load(g + off);
      const mv = f32x4.add(f32x4.mul(v128.load(m + off), vb1), f32x4.mul(gv, vc1));
      const vv = f32x4.add(f32x4.mul(v128.load(v + off), vb2), f32x4.mul(f32x4.mul(gv, gv), vc2));
      v128.store(m + off, mv);
      v128.store(v + off, vv);
      const stepv = f32x4.div(f32x4.mul(mv, vlrHat), f32x4.add(f32x4.mul(f32x4.sqrt(vv), vrsc2), veps));
      v128.store(w + off, f32x4.sub(v128.load(w + off), stepv));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    const gs = load<f32>(g + off);
    const ms = load<f32>(m + off) * b1 + gs * c1;
    const vs = load<f32>(v + off) * b2 + (gs * gs) * c2;
    store<f32>(m + off, ms);
    store<f32>(v + off, vs);
    const stepv = (ms * lrHat) / (Mathf.sqrt(vs) * rsc2 + eps);
    store<f32>(w + off, load<f32>(w + off) - stepv);
  }
}
