// f32-maximum-bwd: the gradient of y = maximum(x_1, ..., x_n) for ONE input
// x, called once per input in input order, the first input winning ties:
//   where x[i] == y[i]: dx[i] = dy[i] and dy[i] = 0 (a later input that ties
//                       then receives 0);
//   elsewhere:          dx[i] = 0, dy[i] unchanged.
// NaN compares unequal, so where the forward output is NaN no input gets a
// gradient (TensorFlow's maximum gradient also masks with a comparison).
//
// Contract
// - x (forward input), y (forward output), dy (upstream gradient), dx:
//   `length` floats each. dx written with `=`; dy read and updated in place
//   (every element is stored, unchanged ones with their own value). dx must
//   not overlap x, y or dy.
// - Alignment: none required. Over-read: none (four lanes, then a scalar
//   tail of length % 4).

import { F32_BYTES, LANES } from "../common/tile";

export function f32_maximum_bwd(x: usize, y: usize, dy: usize, dx: usize, length: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      const routed = f32x4.eq(v128.load(x + off), v128.load(y + off));
      const g = v128.load(dy + off);
      v128.store(dx + off, v128.and(g, routed));
      v128.store(dy + off, v128.andnot(g, routed));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    const g = load<f32>(dy + off);
    const routed = load<f32>(x + off) == load<f32>(y + off);
    store<f32>(dx + off, routed ? g : <f32>0);
    store<f32>(dy + off, routed ? <f32>0 : g);
  }
}
