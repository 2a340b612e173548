// f32-vactivation-bwd: dx[i] = dy[i] * act'(.) for i in [0, length), with the
// derivative written in terms of the forward OUTPUT y (what a layer keeps):
//   linear 1; relu y > 0 ? 1 : 0; leakyRelu y > 0 ? 1 : alpha (alpha > 0, so
//   y > 0 exactly when x > 0); sigmoid y * (1 - y); tanh 1 - y * y;
//   reluCapped 0 < y < alpha ? 1 : 0 (TensorFlow's Relu6Grad: no gradient
//   at either kink); elu y > 0 ? 1 : y + alpha (TF's EluGrad); hardSigmoid
//   0 < y < 1 ? 0.2 : 0; swish, from the forward INPUT x passed as y,
//   s (1 + x (1 - s)) with s = sigmoid(x) (the sigmoid of the forward pass).
// At the kink x = 0 (y = 0) relu and leakyRelu take the left slope, as
// TensorFlow's ReluGrad does (gradient where y > 0 only).
//
// Contract
// - y, dy, dx: `length` floats each. dx == dy (in place) is allowed; dx must
//   not overlap y otherwise. Written with `=`.
// - Over-read: none (four lanes, then a scalar tail of length % 4). No
//   alignment requirement. Plain mul/sub (never fused) in every build, so
//   the three binaries agree bit for bit.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, LANES } from "../common/tile";
import { sigmoidScalar, sigmoidVecShared } from "./math";

// @ts-ignore: decorator
@inline
function derivScalar(y: f32, g: f32, act: i32, alpha: f32): f32 {
  if (act == ActivationId.Relu) return y > 0 ? g : <f32>0;
  if (act == ActivationId.LeakyRelu) return y > 0 ? g : g * alpha;
  if (act == ActivationId.Sigmoid) return g * (y * (<f32>1 - y));
  if (act == ActivationId.Tanh) return g * (<f32>1 - y * y);
  if (act == ActivationId.ReluCapped) return y > 0 && y < alpha ? g : <f32>0;
  if (act == ActivationId.Elu) return y > 0 ? g : g * (y + alpha);
  if (act == ActivationId.HardSigmoid) return y > 0 && y < 1 ? g * <f32>0.2 : <f32>0;
  if (act == ActivationId.Swish) {
    const s = sigmoidScalar(y);
    return g * (s * (<f32>1 + y * (<f32>1 - s)));
  }
  return g;
}

// @ts-ignore: decorator
@inline
function derivVec(y: v128, g: v128, act: i32, alpha: f32): v128 {
  const one = f32x4.splat(1);
  if (act == ActivationId.Relu) return v128.and(g, f32x4.gt(y, f32x4.splat(0)));
  if (act == ActivationId.LeakyRelu) {
    return v128.bitselect(g, f32x4.mul(g, f32x4.splat(alpha)), f32x4.gt(y, f32x4.splat(0)));
  }
  if (act == ActivationId.Sigmoid) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(one, y)));
  if (act == ActivationId.Tanh) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
  if (act == ActivationId.ReluCapped) {
    return v128.and(g, v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, f32x4.splat(alpha))));
  }
  if (act == ActivationId.Elu) {
    return v128.bitselect(g, f32x4.mul(g, f32x4.add(y, f32x4.splat(alpha))), f32x4.gt(y, f32x4.splat(0)));
  }
  if (act == ActivationId.HardSigmoid) {
    const inside = v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, one));
    return v128.and(f32x4.mul(g, f32x4.splat(0.2)), inside);
  }
  if (act == ActivationId.Swish) {
    const s = sigmoidVecShared(y);
    return f32x4.mul(g, f32x4.mul(s, f32x4.add(one, f32x4.mul(y, f32x4.sub(one, s)))));
  }
  return g;
}

export function f32_vactivation_bwd(y: usize, dy: usize, dx: usize, length: i32, act: i32, alpha: f32): void {
  if (act == ActivationId.Linear) {
    if (dx != dy) memory.copy(dx, dy, <usize>length * F32_BYTES);
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      v128.store(dx + off, derivVec(v128.load(y + off), v128.load(dy + off), act, alpha));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    store<f32>(dx + off, derivScalar(load<f32>(y + off), load<f32>(dy + off), act, alpha));
  }
}
