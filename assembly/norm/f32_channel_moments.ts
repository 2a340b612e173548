// f32-channel-moments: BatchNormalization's batch statistics,
//   mean[c] = sum x[o, c, i] / N,  variance[c] = sum (x[o, c, i] - mean[c])^2 / N
// (the BIASED variance) over N = outer * inner values per channel.
//
// Contract
// - x: [outer, channels, inner] row-major, read only. mean, variance:
//   [channels], written with `=`. No overlap. N >= 1.
// - Accuracy: one pass in f64 over the values shifted by the channel's first
//   value K = x[0, c, 0]: S1 = sum (x - K), S2 = sum (x - K)^2, then
//   mean = K + S1 / N and variance = (S2 - S1 * (S1 / N)) / N, clamped at 0.
//   With a sample as the shift the cancellation costs a few f64 ulps, far
//   below the final f32 rounding, even for N = 64 * 32 * 32 (so one pass
//   over x suffices instead of two).
// - SIMD builds: inner == 1 (channels-last, NHWC) takes four channels per
//   v128 (two f64x2 accumulators each for S1 and S2), walking the rows with
//   a stride of `channels` floats; the channel tail (channels % 4) and
//   inner > 1 run the same code one channel at a time in lane 0
//   (norm/lanes.ts). The scalar build loops over channels.
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
      const k = loadLanes(base, wide);
      const k0 = f64x2.promote_low_f32x4(k), k1 = f64x2.promote_low_f32x4(highHalf(k));
      let s0 = zero, s1 = zero, q0 = zero, q1 = zero;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const v = loadLanes(base + <usize>o * strideBytes + <usize>i * F32_BYTES, wide);
          const d0 = f64x2.sub(f64x2.promote_low_f32x4(v), k0);
          const d1 = f64x2.sub(f64x2.promote_low_f32x4(highHalf(v)), k1);
          s0 = f64x2.add(s0, d0);
          s1 = f64x2.add(s1, d1);
          q0 = f64x2.add(q0, f64x2.mul(d0, d0));
          q1 = f64x2.add(q1, f64x2.mul(d1, d1));
        }
      }
      const m0 = f64x2.div(s0, vn), m1 = f64x2.div(s1, vn);
      const v0 = f64x2.max(f64x2.div(f64x2.sub(q0, f64x2.mul(s0, m0)), vn), zero);
      const v1 = f64x2.max(f64x2.div(f64x2.sub(q1, f64x2.mul(s1, m1)), vn), zero);
      const off = <usize>c * F32_BYTES;
      storeLanes(mean + off, demote4(f64x2.add(m0, k0), f64x2.add(m1, k1)), wide);
      storeLanes(variance + off, demote4(v0, v1), wide);
      c += wide ? LANES : 1;
    }
  } else {
    for (let c = 0; c < channels; c++) {
      const base = x + <usize>c * planeBytes;
      const k = <f64>load<f32>(base);
      let s: f64 = 0, q: f64 = 0;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const d = <f64>load<f32>(base + <usize>o * strideBytes + <usize>i * F32_BYTES) - k;
          s += d;
          q += d * d;
        }
      }
      const m = s / n;
      store<f32>(mean + <usize>c * F32_BYTES, <f32>(k + m));
      store<f32>(variance + <usize>c * F32_BYTES, <f32>max<f64>((q - s * m) / n, 0));
    }
  }
}
