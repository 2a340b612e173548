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
//   v128 (two f64x2 accumulators each for S1 and S2), walking the rows with
//   a stride of `channels` floats; the channel tail (channels % 4) and
//   inner > 1 run the same code one channel at a time, one float per
//   vector (norm/lanes.ts). The scalar build loops over channels.
// - Alignment: none required. Over-read: none.

import { F32_BYTES, LANES } from "../common/tile";
import { demote4, highHalf, loadLanes, storeLanes } from "./lanes";

export function f32_channel_moments(x: usize, outer: i32, channels: i32, inner: i32, mean: usize, variance: usize): void {
  const n = <f64>outer * <f64>inner;
  const planeBytes = <usize>inner * F32_BYTES;
  const strideBytes = <usize>channels * planeBytes;
  if (ASC_FEATURE_SIMD) {
    const vn = f64x2.splat(n), zero = f64x2.splat(0);
    for (let c = 0; c < channels;) {
      const wide = inner == 1 && c + LANES <= channels;
      const base = x + <usize>c * planeBytes;
      let s0 = zero, s1 = zero, q0 = zero, q1 = zero;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const v = loadLanes(base + <usize>o * strideBytes + <usize>i * F32_BYTES, wide);
          const x0 = f64x2.promote_low_f32x4(v);
          const x1 = f64x2.promote_low_f32x4(highHalf(v));
          s0 = f64x2.add(s0, x0);
          s1 = f64x2.add(s1, x1);
          q0 = f64x2.add(q0, f64x2.mul(x0, x0));
          q1 = f64x2.add(q1, f64x2.mul(x1, x1));
        }
      }
      const m0 = f64x2.div(s0, vn), m1 = f64x2.div(s1, vn);
      const v0 = f64x2.max(f64x2.sub(f64x2.div(q0, vn), f64x2.mul(m0, m0)), zero);
      const v1 = f64x2.max(f64x2.sub(f64x2.div(q1, vn), f64x2.mul(m1, m1)), zero);
      const off = <usize>c * F32_BYTES;
      storeLanes(mean + off, demote4(m0, m1), wide);
      storeLanes(variance + off, demote4(v0, v1), wide);
      c += wide ? LANES : 1;
    }
  } else {
    for (let c = 0; c < channels; c++) {
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
}
