// f32-softmax-fwd: row-wise numerically stable softmax over [rows, cols].
// y[r, j] = exp(x[r, j] - max_j x[r, j]) / sum_j exp(x[r, j] - max_j x[r, j])
//
// Contract
// - x, y: rows*cols floats, row-major. y == x (in place) is allowed: each row
//   is read fully (max pass) before it is overwritten (exp pass), and the
//   exp pass reads x[j] before writing y[j].
// - Written with `=`. No scratch. Alignment: none required.
// - Over-read: none (four lanes, then a scalar tail of cols % 4).
// - Subtracting the row max makes every exp argument <= 0, so nothing
//   overflows; a row of all -Infinity gives NaN, as in TensorFlow.

import { F32_BYTES, LANES } from "../common/tile";
import { expScalar, expVec } from "./math";

export function f32_softmax_fwd(x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols * F32_BYTES;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    // Pass 1: row max.
    let m: f32 = -Infinity;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      if (cols >= LANES) {
        let vm = v128.load(xr);
        for (j = LANES; j + LANES <= cols; j += LANES) {
          vm = f32x4.max(vm, v128.load(xr + <usize>j * F32_BYTES));
        }
        m = max<f32>(
          max<f32>(f32x4.extract_lane(vm, 0), f32x4.extract_lane(vm, 1)),
          max<f32>(f32x4.extract_lane(vm, 2), f32x4.extract_lane(vm, 3)),
        );
      }
    }
    for (; j < cols; j++) m = max<f32>(m, load<f32>(xr + <usize>j * F32_BYTES));
    // Pass 2: exponentials and their sum.
    let sum: f32 = 0;
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vmax = f32x4.splat(m);
      let vs = f32x4.splat(0);
      for (; j + LANES <= cols; j += LANES) {
        const off = <usize>j * F32_BYTES;
        const e = expVec(f32x4.sub(v128.load(xr + off), vmax));
        v128.store(yr + off, e);
        vs = f32x4.add(vs, e);
      }
      sum = (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1)) +
            (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    }
    for (; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      const e = expScalar(load<f32>(xr + off) - m);
      store<f32>(yr + off, e);
      sum += e;
    }
    // Pass 3: normalise. Division, not a reciprocal multiply: one rounding.
    j = 0;
    if (ASC_FEATURE_SIMD) {
      const vsum = f32x4.splat(sum);
      for (; j + LANES <= cols; j += LANES) {
        const off = <usize>j * F32_BYTES;
        v128.store(yr + off, f32x4.div(v128.load(yr + off), vsum));
      }
    }
    for (; j < cols; j++) {
      const off = <usize>j * F32_BYTES;
      store<f32>(yr + off, load<f32>(yr + off) / sum);
    }
  }
}
