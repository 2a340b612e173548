// Tap arithmetic shared by the depthwise convolution kernels, with dilation:
// along one axis, output o's tap t reads input o*s - pad + t*d.

/** ceil(a / s) for a > 0, else 0 (s >= 1). */
// @ts-ignore: decorator
@inline
export function ceilDivPos(a: i32, s: i32): i32 {
  return a <= 0 ? 0 : (a + s - 1) / s;
}

/** First tap of a window starting at `start` (may be negative) that lies inside the input. */
// @ts-ignore: decorator
@inline
export function tapLo(start: i32, d: i32): i32 {
  return ceilDivPos(-start, d);
}

/** One past the last tap (of k, spacing d) of a window starting at `start` inside an input of `extent`. */
// @ts-ignore: decorator
@inline
export function tapHi(start: i32, k: i32, d: i32, extent: i32): i32 {
  return min(k, ceilDivPos(extent - start, d));
}

// The taps that reach input i, as an arithmetic progression (set by axisTaps).
/** First tap t (valid when tapCount > 0). */
export let tapFirst: i32 = 0;
/** Taps between two consecutive reaching taps. */
export let tapStep: i32 = 1;
/** How many taps reach input i. */
export let tapCount: i32 = 0;
/** The output o whose tap tapFirst reads input i. */
export let tapOut: i32 = 0;

/**
 * The taps t in [0, k) through which input `i` feeds an output o in
 * [0, outSize): i = o*s - pad + t*d. They form an arithmetic progression
 * (t*d = i + pad mod s, and o bounded on both sides), found by one scan of
 * the k taps; o falls by step*d/s per step. Sets tapFirst, tapStep,
 * tapCount, tapOut.
 */
export function axisTaps(i: i32, pad: i32, s: i32, d: i32, k: i32, outSize: i32): void {
  let count = 0, first = 0, step = 1;
  for (let t = 0; t < k; t++) {
    const q = i + pad - t * d;
    if (q < 0) break;
    const o = q / s;
    if (o * s != q || o >= outSize) continue;
    if (count == 0) first = t;
    else if (count == 1) step = t - first;
    count++;
  }
  tapFirst = first;
  tapStep = step;
  tapCount = count;
  tapOut = (i + pad - first * d) / s;
}
