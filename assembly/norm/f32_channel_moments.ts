// f32-channel-moments: BatchNormalization's batch statistics,
//   mean[c] = sum x[o, c, i] / N,  variance[c] = sum (x[o, c, i] - mean[c])^2 / N
// (the BIASED variance) over N = outer * inner values per channel.
//
// Contract
// - x: [outer, channels, inner] row-major, read only. mean, variance:
//   [channels], written with `=`. No overlap. N >= 1.
// - Accuracy: one pass in f64, S1 = sum x and S2 = sum x^2 (the square of
//   an f32 is exact in f64), then mean = S1 / N and variance =
//   max(S2 / N - mean^2, 0). The cancellation in S2 / N - mean^2 multiplies
//   the f64 summation error (~sqrt(N) ulps, 2^-53 each) by
//   (mean^2 + variance) / variance: still below the final f32 rounding for
//   N = 64 * 32 * 32 unless |mean| exceeds ~1000 standard deviations. So one
//   pass over x suffices; an f32 sum would need two passes and more.
// - SIMD builds: inner == 1 (channels-last, NHWC) takes four channels per
//   v128 (two f64x2 sums each for S1 and S2) and walks the rows in order,
//   up to ROW_CHUNK channels at a time with their sums in a scratch block
//   (norm/rows.ts); the channel tail (channels % 4) and inner > 1 walk one
//   channel at a time, one float per vector. The scalar build loops over
//   channels.
// - Alignment: none required. Over-read: none.

import { F32_BYTES, LANES } from "../common/tile";
import { demote4, highHalf } from "./lanes";
import { ROW_ACC, ROW_CHUNK, TAIL_CUT, TAIL_FROM, WIDE_CUT, WIDE_FROM } from "./rows";

export function f32_channel_moments(x: usize, outer: i32, channels: i32, inner: i32, mean: usize, variance: usize): void {
  const n = <f64>outer * <f64>inner;
  const planeBytes = <usize>inner * F32_BYTES;
  const strideBytes = <usize>channels * planeBytes;
  let wide = 0;
  if (ASC_FEATURE_SIMD) {
    const vn = f64x2.splat(n), zero = f64x2.splat(0);
    // Whole groups of four channels, channels-last: row by row, a chunk of channels at a time.
    wide = inner == 1 ? channels & ~(LANES - 1) : 0;
    // The threaded builds may narrow the channels (WIDE_FROM, norm/rows.ts).
    const end = wide - WIDE_CUT;
    for (let c0 = WIDE_FROM; c0 < end; c0 += ROW_CHUNK) {
      const cn = min(ROW_CHUNK, end - c0);
      const co0 = <usize>c0 * F32_BYTES;
      memory.fill(ROW_ACC, 0, <usize>cn * 16);
      for (let o = 0; o < outer; o++) {
        const row = x + <usize>o * strideBytes + co0;
        for (let j = 0; j < cn; j += LANES) {
          const v = v128.load(row + <usize>j * F32_BYTES), acc = ROW_ACC + <usize>j * 16;
          const x0 = f64x2.promote_low_f32x4(v);
          const x1 = f64x2.promote_low_f32x4(highHalf(v));
          v128.store(acc, f64x2.add(v128.load(acc), x0));
          v128.store(acc, f64x2.add(v128.load(acc, 16), x1), 16);
          v128.store(acc, f64x2.add(v128.load(acc, 32), f64x2.mul(x0, x0)), 32);
          v128.store(acc, f64x2.add(v128.load(acc, 48), f64x2.mul(x1, x1)), 48);
        }
      }
      for (let j = 0; j < cn; j += LANES) {
        const acc = ROW_ACC + <usize>j * 16, off = co0 + <usize>j * F32_BYTES;
        const m0 = f64x2.div(v128.load(acc), vn), m1 = f64x2.div(v128.load(acc, 16), vn);
        const v0 = f64x2.max(f64x2.sub(f64x2.div(v128.load(acc, 32), vn), f64x2.mul(m0, m0)), zero);
        const v1 = f64x2.max(f64x2.sub(f64x2.div(v128.load(acc, 48), vn), f64x2.mul(m1, m1)), zero);
        v128.store(mean + off, demote4(m0, m1));
        v128.store(variance + off, demote4(v0, v1));
      }
    }
  }
  // The rest (the scalar build: every channel), one channel at a time.
  const last = channels - TAIL_CUT;
  for (let c = wide + TAIL_FROM; c < last; c++) {
    const base = x + <usize>c * planeBytes;
    let s: f64 = 0, q: f64 = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const v = <f64>load<f32>(base + <usize>o * strideBytes + <usize>i * F32_BYTES);
        s += v;
        q += v * v;
      }
    }
    const m = s / n;
    store<f32>(mean + <usize>c * F32_BYTES, <f32>m);
    store<f32>(variance + <usize>c * F32_BYTES, <f32>max<f64>(q / n - m * m, 0));
  }
}
