// f32-batchnorm-bwd: BatchNormalization's training backward. With
// xhat = (x - mean[c]) * invStd[c] and N = outer * inner values per channel:
//   dbeta[c]  = sum dy
//   dgamma[c] = sum dy * xhat
//   dx        = gamma[c] * invStd[c] * (dy - dbeta[c] / N - xhat * dgamma[c] / N)
// (the same as gamma * invStd / N * (N dy - dbeta - xhat dgamma)).
//
// Contract
// - x, dy, dx: [outer, channels, inner] row-major. mean, invStd, gamma,
//   dgamma, dbeta: [channels]. gamma 0 means all ones; dgamma, dbeta, dx 0
//   mean "not written" (both sums are formed anyway, dx needs them).
//   Everything written with `=`. dx == dy (in place) is allowed: each channel
//   block reads all its dy before writing its dx, and writes only its own
//   channels. No other overlap.
// - xhat and dy * xhat in f32, the two sums accumulated in f64, then rounded
//   to f32 (as stored); dx in f32 from those.
// - SIMD builds: inner == 1 (channels-last, NHWC) takes four channels per
//   v128, two passes over the rows (sums, then dx) with a stride of
//   `channels` floats; the channel tail (channels % 4) and inner > 1 run the
//   same code one channel at a time, one float per vector (norm/lanes.ts).
//   The scalar build loops over channels.
// - Alignment: none required. Over-read: none.

import { F32_BYTES, LANES } from "../common/tile";
import { demote4, highHalf, loadLanes, storeLanes } from "./lanes";

export function f32_batchnorm_bwd(
  x: usize, dy: usize, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize,
  outer: i32, channels: i32, inner: i32,
): void {
  const n = <f64>outer * <f64>inner;
  const planeBytes = <usize>inner * F32_BYTES;
  const strideBytes = <usize>channels * planeBytes;
  if (ASC_FEATURE_SIMD) {
    const rn = f32x4.splat(<f32>(1 / n));
    for (let c = 0; c < channels;) {
      const wide = inner == 1 && c + LANES <= channels;
      const co = <usize>c * F32_BYTES;
      const base = <usize>c * planeBytes;
      const m = loadLanes(mean + co, wide), is = loadLanes(invStd + co, wide);
      let b0 = f64x2.splat(0), b1 = b0, g0 = b0, g1 = b0;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const p = base + <usize>o * strideBytes + <usize>i * F32_BYTES;
          const d = loadLanes(dy + p, wide);
          const dh = f32x4.mul(d, f32x4.mul(f32x4.sub(loadLanes(x + p, wide), m), is));
          b0 = f64x2.add(b0, f64x2.promote_low_f32x4(d));
          b1 = f64x2.add(b1, f64x2.promote_low_f32x4(highHalf(d)));
          g0 = f64x2.add(g0, f64x2.promote_low_f32x4(dh));
          g1 = f64x2.add(g1, f64x2.promote_low_f32x4(highHalf(dh)));
        }
      }
      const sb = demote4(b0, b1), sg = demote4(g0, g1);
      if (dbeta) storeLanes(dbeta + co, sb, wide);
      if (dgamma) storeLanes(dgamma + co, sg, wide);
      if (dx) {
        const a = gamma ? f32x4.mul(loadLanes(gamma + co, wide), is) : is;
        const mb = f32x4.mul(sb, rn), mg = f32x4.mul(sg, rn);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const p = base + <usize>o * strideBytes + <usize>i * F32_BYTES;
            const xh = f32x4.mul(f32x4.sub(loadLanes(x + p, wide), m), is);
            const t = f32x4.sub(f32x4.sub(loadLanes(dy + p, wide), mb), f32x4.mul(xh, mg));
            storeLanes(dx + p, f32x4.mul(a, t), wide);
          }
        }
      }
      c += wide ? LANES : 1;
    }
  } else {
    for (let c = 0; c < channels; c++) {
      const co = <usize>c * F32_BYTES;
      const base = <usize>c * planeBytes;
      const m = load<f32>(mean + co), is = load<f32>(invStd + co);
      let sb: f64 = 0, sg: f64 = 0;
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const p = base + <usize>o * strideBytes + <usize>i * F32_BYTES;
          const d = load<f32>(dy + p);
          sb += <f64>d;
          sg += <f64>(d * ((load<f32>(x + p) - m) * is));
        }
      }
      if (dbeta) store<f32>(dbeta + co, <f32>sb);
      if (dgamma) store<f32>(dgamma + co, <f32>sg);
      if (dx) {
        const a = gamma ? load<f32>(gamma + co) * is : is;
        const rn = <f32>(1 / n), mb = <f32>sb * rn, mg = <f32>sg * rn;
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const p = base + <usize>o * strideBytes + <usize>i * F32_BYTES;
            const xh = (load<f32>(x + p) - m) * is;
            store<f32>(dx + p, a * (load<f32>(dy + p) - mb - xh * mg));
          }
        }
      }
    }
  }
}
