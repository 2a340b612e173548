// f32-vactivation-fwd: y[i] = act(x[i]) for i in [0, length).
//
// Contract
// - x, y: `length` floats each; y == x (in place) is allowed, any other
//   overlap is not. Written with `=`.
// - Alignment: none required (v128.load/store are unaligned-safe); the arena
//   hands out 16-byte aligned blocks anyway.
// - Over-read: none. Four lanes at a time, then a scalar tail of length % 4.
// - `alpha` is the leakyRelu slope or the ReluCapped cap, ignored otherwise.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, LANES } from "../common/tile";
import { activateScalar, activateVec } from "./math";

export function f32_vactivation_fwd(x: usize, y: usize, length: i32, act: i32, alpha: f32): void {
  if (act == ActivationId.Linear) {
    if (x != y) memory.copy(y, x, <usize>length * F32_BYTES);
    return;
  }
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      v128.store(y + off, activateVec(v128.load(x + off), act, alpha));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    store<f32>(y + off, activateScalar(load<f32>(x + off), act, alpha));
  }
}
