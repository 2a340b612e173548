// f32-vbinary: y[i] = a[i] op b[i] for i in [0, length), op a BinaryOpId.
//
// Contract
// - a, b, y: `length` floats each. y == a or y == b (in place) is allowed:
//   each y[i] is written after a[i] and b[i] are read. Any other overlap is
//   not. Written with `=`.
// - Alignment: none required. Over-read: none (four lanes, then a scalar
//   tail of length % 4).
// - Max/Min are the IEEE-754-2019 maximum/minimum of wasm's f32.max and
//   f32x4.max: NaN in either operand gives NaN (TensorFlow's maximum), and
//   -0 < +0. Add/Sub/Mul are single correctly rounded f32 operations, so all
//   three binaries (and the f64 JS oracle, rounded once) agree bit for bit.
// - The op is tested inside the loop rather than hoisted into five loops:
//   the branch is perfectly predicted and the pass memory-bound (Add on 2^18
//   floats: 97 us against 92 us for an Add-only loop, simd.wasm, Node 20),
//   and one loop keeps simd.wasm under its size budget.

import { BinaryOpId } from "../shared/ids";
import { F32_BYTES, LANES } from "../common/tile";

// @ts-ignore: decorator
@inline
function binaryScalar(op: i32, a: f32, b: f32): f32 {
  if (op == BinaryOpId.Add) return a + b;
  if (op == BinaryOpId.Sub) return a - b;
  if (op == BinaryOpId.Mul) return a * b;
  if (op == BinaryOpId.Max) return max<f32>(a, b);
  return min<f32>(a, b);
}

// @ts-ignore: decorator
@inline
function binaryVec(op: i32, a: v128, b: v128): v128 {
  if (op == BinaryOpId.Add) return f32x4.add(a, b);
  if (op == BinaryOpId.Sub) return f32x4.sub(a, b);
  if (op == BinaryOpId.Mul) return f32x4.mul(a, b);
  if (op == BinaryOpId.Max) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

export function f32_vbinary(op: i32, a: usize, b: usize, y: usize, length: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + LANES <= length; i += LANES) {
      const off = <usize>i * F32_BYTES;
      v128.store(y + off, binaryVec(op, v128.load(a + off), v128.load(b + off)));
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    store<f32>(y + off, binaryScalar(op, load<f32>(a + off), load<f32>(b + off)));
  }
}
