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
//   v128 and walks the rows in order, twice (sums, then dx), up to
//   ROW_CHUNK channels at a time with their running sums in a scratch block
//   (norm/rows.ts); the channel tail (channels % 4) and inner > 1 walk one
//   channel at a time, one float per vector (norm/lanes.ts). The scalar
//   build loops over channels.
// - Alignment: none required. Over-read: none.

import { F32_BYTES, LANES } from "../common/tile";
import { demote4, highHalf } from "./lanes";
import { ROW_ACC, ROW_CHUNK, TAIL_CUT, TAIL_FROM, WIDE_CUT, WIDE_FROM } from "./rows";

export function f32_batchnorm_bwd(
  x: usize, dy: usize, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize,
  outer: i32, channels: i32, inner: i32,
): void {
  const n = <f64>outer * <f64>inner;
  const planeBytes = <usize>inner * F32_BYTES;
  const strideBytes = <usize>channels * planeBytes;
  let wide = 0;
  if (ASC_FEATURE_SIMD) {
    const rn = f32x4.splat(<f32>(1 / n));
    // Whole groups of four channels, channels-last: row by row, a chunk of channels at a time.
    wide = inner == 1 ? channels & ~(LANES - 1) : 0;
    const facs = ROW_ACC + <usize>ROW_CHUNK * 16;
    // The threaded builds may narrow the channels (WIDE_FROM, norm/rows.ts).
    const end = wide - WIDE_CUT;
    for (let c0 = WIDE_FROM; c0 < end; c0 += ROW_CHUNK) {
      const cn = min(ROW_CHUNK, end - c0);
      const co0 = <usize>c0 * F32_BYTES;
      memory.fill(ROW_ACC, 0, <usize>cn * 16);
      for (let o = 0; o < outer; o++) {
        const row = <usize>o * strideBytes + co0;
        for (let j = 0; j < cn; j += LANES) {
          const p = row + <usize>j * F32_BYTES, q = co0 + <usize>j * F32_BYTES, acc = ROW_ACC + <usize>j * 16;
          const d = v128.load(dy + p);
          const dh = f32x4.mul(d, f32x4.mul(f32x4.sub(v128.load(x + p), v128.load(mean + q)), v128.load(invStd + q)));
          v128.store(acc, f64x2.add(v128.load(acc), f64x2.promote_low_f32x4(d)));
          v128.store(acc, f64x2.add(v128.load(acc, 16), f64x2.promote_low_f32x4(highHalf(d))), 16);
          v128.store(acc, f64x2.add(v128.load(acc, 32), f64x2.promote_low_f32x4(dh)), 32);
          v128.store(acc, f64x2.add(v128.load(acc, 48), f64x2.promote_low_f32x4(highHalf(dh))), 48);
        }
      }
      for (let j = 0; j < cn; j += LANES) {
        const q = co0 + <usize>j * F32_BYTES, acc = ROW_ACC + <usize>j * 16, fac = facs + <usize>j * 12;
        const sb = demote4(v128.load(acc), v128.load(acc, 16)), sg = demote4(v128.load(acc, 32), v128.load(acc, 48));
        if (dbeta) v128.store(dbeta + q, sb);
        if (dgamma) v128.store(dgamma + q, sg);
        const is = v128.load(invStd + q);
        v128.store(fac, gamma ? f32x4.mul(v128.load(gamma + q), is) : is);
        v128.store(fac, f32x4.mul(sb, rn), 16);
        v128.store(fac, f32x4.mul(sg, rn), 32);
      }
      if (dx) {
        for (let o = 0; o < outer; o++) {
          const row = <usize>o * strideBytes + co0;
          for (let j = 0; j < cn; j += LANES) {
            const p = row + <usize>j * F32_BYTES, q = co0 + <usize>j * F32_BYTES, fac = facs + <usize>j * 12;
            const xh = f32x4.mul(f32x4.sub(v128.load(x + p), v128.load(mean + q)), v128.load(invStd + q));
            const t = f32x4.sub(f32x4.sub(v128.load(dy + p), v128.load(fac, 16)), f32x4.mul(xh, v128.load(fac, 32)));
            v128.store(dx + p, f32x4.mul(v128.load(fac), t));
          }
        }
      }
    }
  }
  // The rest (the scalar build: every channel), one channel at a time.
  const last = channels - TAIL_CUT;
  for (let c = wide + TAIL_FROM; c < last; c++) {
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
