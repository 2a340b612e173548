// f64 exp, log and log1p without lookup tables, for the losses' log-sum-exp
// (which keep f64 so the reported loss matches the f64 oracle to ~1e-12).
//
// Why not Math.exp / Math.log: AssemblyScript's f64 versions are the
// table-driven musl ones; their tables were ~9.9 KB of the data section,
// high-entropy doubles that gzip barely shrinks: with them (and Adam's f64
// pow, now computed in JS) gone, simd.wasm went 24.4 -> 14.1 KB gzipped and
// scalar.wasm 15.9 -> 5.8. These run a few times per sample and class,
// never in a hot loop, so a longer polynomial costs nothing measurable.
//
// Accuracy (tests/kernels-bwd/f64math.test.ts, against V8's Math): exp64
// and log64 within 1 ulp, log1p64 within 2 (above 1 it rounds 1 + x).
// Method: Cody-Waite reduction by ln 2, then Taylor (exp) or the atanh
// series in fdlibm's form (log, log1p), in Horner form.

/** ln 2 split so k * LN2_HI is exact for |k| < 2^11 (fdlibm's constants). */
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e+00;
const SQRT2: f64 = 1.41421356237309504880;
/** Largest x with a finite exp(x), and the x below which exp(x) rounds to 0. */
const EXP_MAX: f64 = 709.782712893383973096;
const EXP_MIN: f64 = -745.133219101941108420;
const TWO_1023: f64 = 8.98846567431157953865e+307;
const TWO_M1022: f64 = 2.22507385850720138309e-308;
const TWO_54: f64 = 1.8014398509481984e+16;

/** p * 2^k for k in [-1075, 1024], via at most two exact power-of-two factors. */
// @ts-ignore: decorator
@inline
function scale(p: f64, k: i32): f64 {
  if (k > 1023) {
    p *= TWO_1023;
    k -= 1023;
  } else if (k < -1022) {
    p *= TWO_M1022;
    k += 1022;
  }
  return p * reinterpret<f64>(<u64>(k + 1023) << 52);
}

/** e^x. */
export function exp64(x: f64): f64 {
  if (x != x) return x;
  if (x > EXP_MAX) return Infinity;
  if (x < EXP_MIN) return 0;
  const kf = Math.floor(x * INV_LN2 + 0.5);
  const r = (x - kf * LN2_HI) - kf * LN2_LO; // |r| <= ln2 / 2 (+ rounding)
  // Taylor to r^13 / 13!: the next term is < 4e-18 relative at |r| = 0.347.
  let p: f64 = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return scale(p, <i32>kf);
}

/**
 * log(1 + f) for f in [-0.3, 1], as fdlibm writes it so the leading term f
 * is exact and rounding only touches the smaller corrections: with
 * s = f / (2 + f), log(1 + f) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R)),
 * R = 2s^2/3 + 2s^4/5 + ..., summed to `terms` terms.
 */
// @ts-ignore: decorator
@inline
function log1pCore(f: f64, terms: i32): f64 {
  const s = f / (2.0 + f);
  const z = s * s;
  let r: f64 = 2.0 / <f64>(2 * terms + 1);
  for (let n = terms - 1; n >= 1; n--) r = r * z + 2.0 / <f64>(2 * n + 1);
  const hfsq = 0.5 * f * f;
  return f - (hfsq - s * (hfsq + r * z));
}

/** Natural log; NaN below 0, -Infinity at 0. */
export function log64(x: f64): f64 {
  if (x != x || x == Infinity) return x;
  if (x <= 0) return x == 0 ? -Infinity : NaN;
  let k: i32 = 0;
  if (x < TWO_M1022) {
    x *= TWO_54; // subnormal: make it normal first
    k = -54;
  }
  const bits = reinterpret<u64>(x);
  k += <i32>(bits >> 52) - 1023;
  let f = reinterpret<f64>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000); // [1, 2)
  if (f > SQRT2) {
    f *= 0.5;
    k++;
  }
  // f in [sqrt(1/2), sqrt(2)]: f - 1 is exact and s = (f - 1) / (f + 1)
  // is in [-0.172, 0.172]; 10 terms of R: the next is < 1e-18 relative.
  const lf = log1pCore(f - 1.0, 10);
  const kf = <f64>k;
  return kf * LN2_HI + (lf + kf * LN2_LO);
}

/** log(1 + x), accurate for small x; x in [0, 1] by series, elsewhere log64(1 + x). */
export function log1p64(x: f64): f64 {
  if (x >= 0 && x <= 1) {
    // No 1 + x formed, so no cancellation for tiny x; s <= 1/3, and 17
    // terms of R leave the next < 3e-18 relative.
    return log1pCore(x, 17);
  }
  return log64(1.0 + x);
}
