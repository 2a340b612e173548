// Element-wise activation math, scalar and v128, shared by the GEMM/conv
// epilogues and the stand-alone activation/softmax kernels.
//
// exp is the Cephes expf scheme (range reduction x = n*ln2 + r with ln2 split
// in two so n*LN2_HI is exact, then a degree-5 polynomial for e^r): relative
// error about 1e-7 over the whole clamped range, no tables in linear memory,
// and the scalar and v128 versions do the same operations in the same order,
// so the scalar build and the SIMD builds agree to the last bit. Inputs are
// clamped to [EXP_MIN, EXP_MAX] so the 2^n built from exponent bits never
// overflows to Infinity (which would turn sigmoid/tanh into NaN); NaN in
// stays NaN out (wasm min/max propagate NaN).
// Relaxed-SIMD is deliberately not used here: a fused multiply-add would make
// results differ between machines, and this code is not the bottleneck.

import { ActivationId } from "../shared/ids";

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** Largest x whose e^x is finite after rounding n = 127. */
const EXP_MAX: f32 = 88.3762626647949;
/** ln(FLT_MIN): below it e^x would be denormal; clamped instead (abs error < 1.2e-38). */
const EXP_MIN: f32 = -87.3365447505531;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

/** hardSigmoid's slope, as tfjs-layers (Keras 3's hard_sigmoid uses 1/6 instead). */
const HARD_SIGMOID_SLOPE: f32 = 0.2;

/** Below this |x|, tanh uses its own odd polynomial (1 - 2/(e^2x+1) cancels). */
const TANH_SMALL: f32 = 0.625;
const T0: f32 = -5.70498872745e-3;
const T1: f32 = 2.06390887954e-2;
const T2: f32 = -5.37397155531e-2;
const T3: f32 = 1.33314422036e-1;
const T4: f32 = -3.33332819422e-1;

// ---- scalar ---------------------------------------------------------------

// @ts-ignore: decorator
@inline
export function expScalar(x: f32): f32 {
  x = min<f32>(max<f32>(x, EXP_MIN), EXP_MAX);
  const n = Mathf.floor(x * LOG2E + <f32>0.5);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  const z = r * r;
  let y = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
  y = y * z + r + <f32>1.0;
  return y * reinterpret<f32>((<i32>n + 127) << 23);
}

export function sigmoidScalar(x: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + expScalar(-x));
}

export function tanhScalar(x: f32): f32 {
  const ax = abs<f32>(x);
  if (ax < TANH_SMALL) {
    const z = x * x;
    return ((((T0 * z + T1) * z + T2) * z + T3) * z + T4) * z * x + x;
  }
  const t = <f32>1.0 - <f32>2.0 / (expScalar(ax + ax) + <f32>1.0);
  return copysign<f32>(t, x);
}

/**
 * The activations past relu and leakyRelu, out of line: activateScalar is
 * inlined into several epilogues, and each new id there would cost bytes at
 * every site.
 */
function activateRestScalar(x: f32, act: i32, alpha: f32): f32 {
  if (act == ActivationId.Sigmoid) return sigmoidScalar(x);
  if (act == ActivationId.Tanh) return tanhScalar(x);
  if (act == ActivationId.ReluCapped) return min<f32>(max<f32>(x, 0), alpha);
  if (act == ActivationId.Elu) return x > 0 ? x : alpha * (expScalar(x) - <f32>1);
  if (act == ActivationId.HardSigmoid) return max<f32>(min<f32>(x * HARD_SIGMOID_SLOPE + <f32>0.5, 1), 0);
  if (act == ActivationId.Swish) return x * sigmoidScalar(x);
  return x;
}

/** act(x) for one float; `alpha` is the leakyRelu slope or the ReluCapped cap. */
// @ts-ignore: decorator
@inline
export function activateScalar(x: f32, act: i32, alpha: f32): f32 {
  if (act == ActivationId.Relu) return max<f32>(x, 0);
  if (act == ActivationId.LeakyRelu) return x > 0 ? x : x * alpha;
  if (act == ActivationId.Linear) return x;
  return activateRestScalar(x, act, alpha);
}

// ---- v128 (only referenced from `if (ASC_FEATURE_SIMD)` branches) ---------

// @ts-ignore: decorator
@inline
export function expVec(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_MIN)), f32x4.splat(EXP_MAX));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let y = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(P2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(P3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(P4));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(P5));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, e);
}

function sigmoidVec(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expVec(f32x4.neg(x))));
}

/** sigmoid(x) for the backward kernel (swish): an inline door to the one out-of-line copy. */
// @ts-ignore: decorator
@inline
export function sigmoidVecShared(x: v128): v128 {
  return sigmoidVec(x);
}

function tanhVec(x: v128): v128 {
  const ax = f32x4.abs(x);
  // Large |x|: 1 - 2 / (e^(2|x|) + 1), sign restored below.
  const big = f32x4.sub(
    f32x4.splat(1.0),
    f32x4.div(f32x4.splat(2.0), f32x4.add(expVec(f32x4.add(ax, ax)), f32x4.splat(1.0))),
  );
  const signMask = i32x4.splat(0x80000000);
  const bigSigned = v128.or(big, v128.and(x, signMask));
  // Small |x|: odd polynomial, no cancellation.
  const z = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(f32x4.splat(T0), z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T4));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, bigSigned, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
}

/** Relu and leakyRelu: cheap enough to inline into every epilogue. */
// @ts-ignore: decorator
@inline
export function activateCheapVec(v: v128, act: i32, alpha: f32): v128 {
  // pmax(v, 0) = v < 0 ? 0 : v is one x86 maxps; f32x4.max (IEEE NaN and
  // -0 rules) costs V8 eight instructions per vector, which in a K = 9 conv
  // tile epilogue was as much work as the multiply-adds. NaN still passes
  // through (the comparison is false), as with Math.max.
  if (act == ActivationId.Relu) return f32x4.pmax(v, f32x4.splat(0));
  if (act == ActivationId.LeakyRelu) {
    return v128.bitselect(v, f32x4.mul(v, f32x4.splat(alpha)), f32x4.gt(v, f32x4.splat(0)));
  }
  return v;
}

/** act(v) for four floats, every activation. */
// @ts-ignore: decorator
@inline
export function activateVec(v: v128, act: i32, alpha: f32): v128 {
  if (act == ActivationId.Sigmoid) return sigmoidVec(v);
  if (act == ActivationId.Tanh) return tanhVec(v);
  // pmin/pmax keep NaN (both comparisons false), as relu's pmax above.
  if (act == ActivationId.ReluCapped) return f32x4.pmin(f32x4.pmax(v, f32x4.splat(0)), f32x4.splat(alpha));
  if (act == ActivationId.Elu) {
    const neg = f32x4.mul(f32x4.splat(alpha), f32x4.sub(expVec(v), f32x4.splat(1)));
    return v128.bitselect(v, neg, f32x4.gt(v, f32x4.splat(0)));
  }
  if (act == ActivationId.HardSigmoid) {
    const t = f32x4.add(f32x4.mul(v, f32x4.splat(HARD_SIGMOID_SLOPE)), f32x4.splat(0.5));
    return f32x4.pmax(f32x4.pmin(t, f32x4.splat(1)), f32x4.splat(0));
  }
  if (act == ActivationId.Swish) return f32x4.mul(v, sigmoidVec(v));
  return activateCheapVec(v, act, alpha);
}

/**
 * True for activations the GEMM epilogue applies in a second pass over the
 * stored tile: every id past leakyRelu. ReluCapped is cheap, but fusing it in
 * registers would copy it into every inlined epilogue (bytes the 18 KiB
 * budget does not have); the pass runs while the tile is still in L1.
 */
// @ts-ignore: decorator
@inline
export function isExpensive(act: i32): bool {
  return act > ActivationId.LeakyRelu;
}
