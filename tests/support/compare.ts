// Element-wise comparison of a kernel's output with the oracle's, failing
// with the case, the index, both values and the largest difference — the
// numbers a report needs, not just "expected false to be true".

export interface Tolerance {
  /** Allowed |actual - expected| regardless of magnitude. */
  abs: number;
  /** Allowed |actual - expected| per unit of |expected|. */
  rel: number;
}

export interface Difference {
  maxAbsDiff: number;
  worstIndex: number;
  /** Elements outside abs + rel * |expected| (non-finite values must match exactly). */
  failures: number;
  firstFailure: number;
}

export function difference(actual: Float32Array, expected: Float32Array, tol: Tolerance): Difference {
  if (actual.length !== expected.length) {
    throw new Error(`length mismatch: actual ${actual.length}, expected ${expected.length}`);
  }
  let maxAbsDiff = 0;
  let worstIndex = 0;
  let failures = 0;
  let firstFailure = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    let diff: number;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      ok = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
      diff = ok ? 0 : Infinity;
    } else {
      diff = Math.abs(a - e);
      ok = diff <= tol.abs + tol.rel * Math.abs(e);
    }
    if (diff > maxAbsDiff) {
      maxAbsDiff = diff;
      worstIndex = i;
    }
    if (!ok) {
      failures++;
      if (firstFailure < 0) firstFailure = i;
    }
  }
  return { maxAbsDiff, worstIndex, failures, firstFailure };
}

/** Throws a descriptive Error when any element is outside tolerance. */
export function expectAllClose(actual: Float32Array, expected: Float32Array, tol: Tolerance, context: string): void {
  const d = difference(actual, expected, tol);
  if (d.failures === 0) return;
  const i = d.firstFailure;
  const w = d.worstIndex;
  throw new Error(
    `${context}: ${d.failures}/${expected.length} elements out of tolerance ` +
    `(abs ${tol.abs.toExponential(2)} + rel ${tol.rel.toExponential(2)}); ` +
    `first at [${i}]: got ${actual[i]}, expected ${expected[i]}; ` +
    `max |diff| ${d.maxAbsDiff} at [${w}]: got ${actual[w]}, expected ${expected[w]}`);
}
