// f32-batchnorm-bwd-dx: the second pass of f32_batchnorm_bwd alone, from
// the sums the first pass stored (dbeta[c], dgamma[c], rounded to f32):
//   dx = a[c] * ((dy - dbeta[c] / N) - xhat * (dgamma[c] / N)),
//   a[c] = gamma[c] * invStd[c] (invStd[c] without gamma),
//   xhat = (x - mean[c]) * invStd[c],  1 / N rounded to f32 once.
// Only the threaded builds have it (threads.ts): there the sums split by
// channel blocks and this pass by rows, each row its own. Every float goes
// through the very f32 operations, in the same order, that
// f32_batchnorm_bwd applies to it (no fused multiply-add in either), so dx
// has the same bits as in one call of that kernel.
//
// Contract
// - x, dy, dx: [outer, channels, inner] row-major (the rows of one part);
//   mean, invStd, gamma (0: all ones), dgamma, dbeta: [channels]. dx written
//   with `=`; dx == dy allowed. n: the N of the whole call (outer * inner of
//   all its rows), not of this part.
// - SIMD builds: inner == 1 takes four channels per v128, the channel tail
//   one float at a time; inner > 1 one float at a time.

import { F32_BYTES, LANES } from "../common/tile";

export function f32_batchnorm_bwd_dx(
  x: usize, dy: usize, mean: usize, invStd: usize, gamma: usize, dx: usize, dgamma: usize, dbeta: usize,
  outer: i32, channels: i32, inner: i32, n: f64,
): void {
  const rn = <f32>(1 / n);
  const planeBytes = <usize>inner * F32_BYTES;
  const strideBytes = <usize>channels * planeBytes;
  let wide = 0;
  if (ASC_FEATURE_SIMD) {
    wide = inner == 1 ? channels & ~(LANES - 1) : 0;
    const vrn = f32x4.splat(rn);
    for (let o = 0; o < outer; o++) {
      const row = <usize>o * strideBytes;
      for (let j = 0; j < wide; j += LANES) {
        const p = row + <usize>j * F32_BYTES, q = <usize>j * F32_BYTES;
        const is = v128.load(invStd + q);
        const a = gamma ? f32x4.mul(v128.load(gamma + q), is) : is;
        const mb = f32x4.mul(v128.load(dbeta + q), vrn), mg = f32x4.mul(v128.load(dgamma + q), vrn);
        const xh = f32x4.mul(f32x4.sub(v128.load(x + p), v128.load(mean + q)), is);
        v128.store(dx + p, f32x4.mul(a, f32x4.sub(f32x4.sub(v128.load(dy + p), mb), f32x4.mul(xh, mg))));
      }
    }
  }
  for (let c = wide; c < channels; c++) {
    const co = <usize>c * F32_BYTES;
    const m = load<f32>(mean + co), is = load<f32>(invStd + co);
    const a = gamma ? load<f32>(gamma + co) * is : is;
    const mb = load<f32>(dbeta + co) * rn, mg = load<f32>(dgamma + co) * rn;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const p = <usize>c * planeBytes + <usize>o * strideBytes + <usize>i * F32_BYTES;
        const xh = (load<f32>(x + p) - m) * is;
        store<f32>(dx + p, a * (load<f32>(dy + p) - mb - xh * mg));
      }
    }
  }
}
