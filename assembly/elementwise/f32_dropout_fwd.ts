// f32-dropout-fwd: inverted dropout with the library's seeded generator.
//   mask[i] = (u_i < keep) ? 1/keep : 0,   y[i] = x[i] * mask[i]
// where u_i = t_i / 2^32 is the i-th draw of mulberry32(seed) (src/random.ts)
// and 1/keep is rounded to f32 once.
//
// mulberry32's state after i+1 draws is just seed + (i+1) * 0x6d2b79f5: the
// generator is a counter fed through an integer hash, so four consecutive
// draws are four lanes of the same i32x4 arithmetic (mul keeps the low 32
// bits, as Math.imul does) and every binary writes the same bits as the JS
// backend. The f64 test u < keep becomes an exact integer one: for an
// integer t and real K = keep * 2^32 (exact, a power-of-two scaling),
// t < K <=> t < ceil(K) <=> t <= ceil(K) - 1, a u32 in [0, 2^32 - 1] for
// keep in (0, 1].
//
// Contract
// - x, y, mask: `length` floats each. y == x (in place) is allowed; mask
//   overlaps neither. y and mask written with `=`. keep in (0, 1] (the
//   caller validates); seed taken modulo 2^32.
// - Alignment: none required. Over-read: none: the SIMD builds draw the
//   last length % 4 masks as one more vector (they read no input) and store
//   them one float at a time; the scalar build runs the hash per float.
// - x * 0 is NaN for a non-finite x, as in TensorFlow's x * mask.

import { F32_BYTES, LANES } from "../common/tile";

/** mulberry32's state increment (src/random.ts). */
const GOLDEN: u32 = 0x6d2b79f5;
const TWO_POW_32: f64 = 4294967296.0;

// @ts-ignore: decorator
@inline
function hashScalar(a: u32): u32 {
  let t = a;
  t = (t ^ (t >>> 15)) * (t | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return t ^ (t >>> 14);
}

// @ts-ignore: decorator
@inline
function hashVec(a: v128): v128 {
  let t = i32x4.mul(v128.xor(a, i32x4.shr_u(a, 15)), v128.or(a, i32x4.splat(1)));
  t = v128.xor(t, i32x4.add(t, i32x4.mul(v128.xor(t, i32x4.shr_u(t, 7)), v128.or(t, i32x4.splat(61)))));
  return v128.xor(t, i32x4.shr_u(t, 14));
}

export function f32_dropout_fwd(x: usize, y: usize, mask: usize, length: i32, seed: u32, keep: f64): void {
  // The conversion saturates: keep = 1 gives 2^32 - 1 (every draw kept).
  const last = <u32>(Math.ceil(keep * TWO_POW_32) - 1.0);
  const scale = <f32>(1.0 / keep);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // Lane k of `state` is the generator state of draw i + k.
    let state = i32x4.add(i32x4.splat(seed), i32x4.mul(i32x4.splat(GOLDEN), i32x4(1, 2, 3, 4)));
    const vlast = i32x4.splat(last);
    const vscale = f32x4.splat(scale);
    while (true) {
      // The masks need no input, so the next four are drawn before knowing
      // whether four floats remain: one copy of the hash serves body and
      // tail (2^18 floats: 158 us, against 210 us with a scalar-hash tail
      // loop and 397 us with per-step partial loads and stores).
      let m = v128.and(vscale, i32x4.le_u(hashVec(state), vlast));
      if (i + LANES > length) {
        // 0..3 floats left: take the masks from lane 0, rotating the next one in.
        for (; i < length; i++) {
          const off = <usize>i * F32_BYTES;
          const mi = f32x4.extract_lane(m, 0);
          store<f32>(mask + off, mi);
          store<f32>(y + off, load<f32>(x + off) * mi);
          m = v128.shuffle<f32>(m, m, 1, 2, 3, 0);
        }
        return;
      }
      const off = <usize>i * F32_BYTES;
      v128.store(mask + off, m);
      v128.store(y + off, f32x4.mul(v128.load(x + off), m));
      state = i32x4.add(state, i32x4.splat(GOLDEN * LANES));
      i += LANES;
    }
  }
  for (; i < length; i++) {
    const off = <usize>i * F32_BYTES;
    const m: f32 = hashScalar(seed + <u32>(i + 1) * GOLDEN) <= last ? scale : 0;
    store<f32>(mask + off, m);
    store<f32>(y + off, load<f32>(x + off) * m);
  }
}
