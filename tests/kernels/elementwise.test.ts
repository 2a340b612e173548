// Element-wise kernels (ElementwiseKernels, src/backend/kernels-elementwise.ts):
// the JS backend and every wasm binary against references written out here
// as plain float64 loops, on lengths around the 4-lane SIMD width (1, 3, 4,
// 5, 7, 8, 15, 16, 17, 33, 1001) and random ones, in place and out of place.
//
// binary, scale, copyRows, maximumBackward, dropoutForward and
// firstNonFinite are single f32 operations, copies or comparisons, so every
// backend must reproduce the reference exactly (signed zeros included;
// NaN matches NaN). softmaxBackward sums a row and is compared within
// softmaxBackwardTolerance.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BinaryOpId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { PROPERTY_RUNS, PROPERTY_SEED } from "../support/property.js";
import { mulberry32, randomFloats, seedFrom } from "../support/rng.js";
import { freshArena } from "../support/run.js";
import { DROPOUT_RATE_SIGMAS } from "../tolerances.js";
import { softmaxBackwardTolerance } from "../tolerances-bwd.js";

const BACKENDS = ["js", ...WASM_VARIANTS] as const;
type BackendName = (typeof BACKENDS)[number];

/** Around the 4-lane width (body, tail, both), then long with an odd tail. */
const LENGTHS = [1, 3, 4, 5, 7, 8, 15, 16, 17, 33, 1001];
const ALL_OPS = [BinaryOpId.Add, BinaryOpId.Sub, BinaryOpId.Mul, BinaryOpId.Max, BinaryOpId.Min];
const opName = (op: BinaryOpId): string => BinaryOpId[op];

/** Values whose handling differs between careless implementations: signed zeros, infinities, NaN. */
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-40, -3e38];

// ---- references (float64, one rounding to f32 when stored) ------------------------

/** IEEE-754-2019 maximum/minimum, as TensorFlow's maximum: NaN wins, and -0 < +0. */
function refMaxMin(a: number, b: number, max: boolean): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) {
    // Equal: only zeros of opposite sign differ; max takes +0, min takes -0.
    if (a !== 0) return a;
    const bothNegative = Object.is(a, -0) && Object.is(b, -0);
    const bothPositive = Object.is(a, 0) && Object.is(b, 0);
    return max ? (bothNegative ? -0 : 0) : (bothPositive ? 0 : -0);
  }
  return max === a > b ? a : b;
}

function refBinary(op: BinaryOpId, a: Float32Array, b: Float32Array): Float32Array {
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (op === BinaryOpId.Add) y[i] = a[i] + b[i];
    else if (op === BinaryOpId.Sub) y[i] = a[i] - b[i];
    else if (op === BinaryOpId.Mul) y[i] = a[i] * b[i];
    else y[i] = refMaxMin(a[i], b[i], op === BinaryOpId.Max);
  }
  return y;
}

function refScale(x: Float32Array, s: number): Float32Array {
  const y = new Float32Array(x.length);
  const s32 = Math.fround(s);
  for (let i = 0; i < x.length; i++) y[i] = s32 * x[i];
  return y;
}

function refCopyRows(x: Float32Array, y0: Float32Array, c: CopyCase): Float32Array {
  const y = y0.slice();
  for (let r = 0; r < c.rows; r++) {
    for (let j = 0; j < c.width; j++) y[r * c.yStride + j] = x[r * c.xStride + j];
  }
  return y;
}

interface MaximumGradients {
  /** dx of each input, in input order. */
  dxs: Float32Array[];
  /** dy after every input's call: non-zero only where no input was routed. */
  dyAfter: Float32Array;
}

/** The Maximum gradient as TensorFlow routes it, but first input wins ties, NaN routes nowhere. */
function refMaximumBackward(inputs: Float32Array[], dy: Float32Array): MaximumGradients {
  const n = dy.length;
  const dxs = inputs.map(() => new Float32Array(n));
  const dyAfter = dy.slice();
  for (let i = 0; i < n; i++) {
    let y = -Infinity;
    let isNaN = false;
    for (const x of inputs) {
      if (Number.isNaN(x[i])) isNaN = true;
      else y = Math.max(y, x[i]);
    }
    if (isNaN) continue; // y is NaN: no input equals it
    const winner = inputs.findIndex((x) => x[i] === y);
    dxs[winner][i] = dy[i];
    dyAfter[i] = 0;
  }
  return { dxs, dyAfter };
}

interface DropoutResult {
  y: Float32Array;
  mask: Float32Array;
}

/** Inverted dropout from the tests' own mulberry32 (tests/support/rng.ts). */
function refDropout(x: Float32Array, seed: number, keep: number): DropoutResult {
  const u = mulberry32(seed);
  const mask = new Float32Array(x.length);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    mask[i] = u() < keep ? 1 / keep : 0;
    y[i] = x[i] * mask[i];
  }
  return { y, mask };
}

function refSoftmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number): Float32Array {
  const dx = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[r * cols + j] * y[r * cols + j];
    for (let j = 0; j < cols; j++) dx[r * cols + j] = y[r * cols + j] * (dy[r * cols + j] - dot);
  }
  return dx;
}

function refFirstNonFinite(x: Float32Array): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

// ---- inputs and comparisons --------------------------------------------------------

/** Softmax rows (f64 softmax of logits in [-4, 4), rounded to f32): what the forward pass keeps. */
function softmaxRows(rows: number, cols: number, seed: number): Float32Array {
  const z = randomFloats(rows * cols, seed, -4, 4);
  const y = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, z[r * cols + j]);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(z[r * cols + j] - max);
    for (let j = 0; j < cols; j++) y[r * cols + j] = Math.exp(z[r * cols + j] - max) / sum;
  }
  return y;
}

/** Random floats in [-1, 1) with the special values spread over body and tail lanes. */
function withSpecials(length: number, seed: number, shift: number): Float32Array {
  const x = randomFloats(length, seed);
  for (let k = 0; k < SPECIAL.length && k * 3 + shift < length; k++) x[k * 3 + shift] = SPECIAL[k];
  if (length > 40) x.set(SPECIAL.slice(0, 3), length - 3); // the tail of 1001 too
  return x;
}

/** Same values exactly: signed zeros must match, NaN matches NaN. */
function expectSameValues(actual: Float32Array, expected: Float32Array, context: string): void {
  expect(actual.length, context).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const same = Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]));
    if (!same) throw new Error(`${context}: [${i}] is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Same f32 bit patterns (NaN payloads included). */
function expectSameBits(actual: Float32Array, expected: Float32Array, context: string): void {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) {
      throw new Error(`${context}: [${i}] bits ${a[i].toString(16)} (${actual[i]}), expected ${e[i].toString(16)} (${expected[i]})`);
    }
  }
}

// ---- one kernel call through a guarded test arena -----------------------------------

type InPlace = "no" | "y=a" | "y=b";

function runBinary(k: Kernels, op: BinaryOpId, aData: Float32Array, bData: Float32Array, inPlace: InPlace,
                   context: string): Float32Array {
  const arena = freshArena(k);
  const a = arena.upload(aData, "a");
  const b = arena.upload(bData, "b");
  const y = inPlace === "y=a" ? a : inPlace === "y=b" ? b : arena.alloc(aData.length, "y");
  arena.markWritable(y);
  k.binary(op, a, b, y, aData.length);
  arena.verify(`${k.name} binary ${context}`);
  return arena.read(y, aData.length);
}

function runScale(k: Kernels, xData: Float32Array, s: number, inPlace: boolean, context: string): Float32Array {
  const arena = freshArena(k);
  const x = arena.upload(xData, "x");
  const y = inPlace ? x : arena.alloc(xData.length, "y");
  arena.markWritable(y);
  k.scale(x, y, xData.length, s);
  arena.verify(`${k.name} scale ${context}`);
  return arena.read(y, xData.length);
}

interface CopyCase {
  rows: number;
  width: number;
  xStride: number;
  yStride: number;
}

function runCopyRows(k: Kernels, xData: Float32Array, yData: Float32Array, c: CopyCase, context: string): Float32Array {
  const arena = freshArena(k);
  const x = arena.upload(xData, "x");
  const y = arena.upload(yData, "y");
  arena.markWritable(y);
  k.copyRows(x, y, c.rows, c.width, c.xStride, c.yStride);
  arena.verify(`${k.name} copyRows ${context}`);
  return arena.read(y, yData.length);
}

function runMaximumBackward(k: Kernels, inputs: Float32Array[], dyData: Float32Array, context: string): MaximumGradients {
  const n = dyData.length;
  const arena = freshArena(k);
  const xs = inputs.map((x, i) => arena.upload(x, `x${i}`));
  const yData = new Float32Array(n);
  for (let i = 0; i < n; i++) yData[i] = inputs.reduce((m, x) => refMaxMin(m, x[i], true), -Infinity);
  const y = arena.upload(yData, "y");
  const dy = arena.upload(dyData, "dy");
  arena.markWritable(dy);
  const dxs = inputs.map((_, i) => arena.alloc(n, `dx${i}`));
  xs.forEach((x, i) => k.maximumBackward(x, y, dy, dxs[i], n));
  arena.verify(`${k.name} maximumBackward ${context}`);
  return { dxs: dxs.map((dx) => arena.read(dx, n)), dyAfter: arena.read(dy, n) };
}

function runDropout(k: Kernels, xData: Float32Array, seed: number, keep: number, inPlace: boolean,
                    context: string): DropoutResult {
  const arena = freshArena(k);
  const x = arena.upload(xData, "x");
  const y = inPlace ? x : arena.alloc(xData.length, "y");
  arena.markWritable(y);
  const mask = arena.alloc(xData.length, "mask");
  k.dropoutForward(x, y, mask, xData.length, seed, keep);
  arena.verify(`${k.name} dropoutForward ${context}`);
  return { y: arena.read(y, xData.length), mask: arena.read(mask, xData.length) };
}

function runSoftmaxBackward(k: Kernels, yData: Float32Array, dyData: Float32Array, rows: number, cols: number,
                            inPlace: boolean, context: string): Float32Array {
  const arena = freshArena(k);
  const y = arena.upload(yData, "y");
  const dy = arena.upload(dyData, "dy");
  const dx = inPlace ? dy : arena.alloc(rows * cols, "dx");
  arena.markWritable(dx);
  k.softmaxBackward(y, dy, dx, rows, cols);
  arena.verify(`${k.name} softmaxBackward ${context}`);
  return arena.read(dx, rows * cols);
}

function runFirstNonFinite(k: Kernels, xData: Float32Array, context: string): number {
  const arena = freshArena(k);
  const x = arena.upload(xData, "x");
  const index = k.firstNonFinite(x, xData.length);
  arena.verify(`${k.name} firstNonFinite ${context}`);
  return index;
}

// ---- the references themselves, on hand-checked cases --------------------------------

describe("element-wise references: known answers", () => {
  it("maximum/minimum propagate NaN and order -0 below +0", () => {
    expect(refMaxMin(NaN, 1, true)).toBeNaN();
    expect(refMaxMin(1, NaN, false)).toBeNaN();
    expect(Object.is(refMaxMin(-0, 0, true), 0)).toBe(true);
    expect(Object.is(refMaxMin(0, -0, true), 0)).toBe(true);
    expect(Object.is(refMaxMin(-0, 0, false), -0)).toBe(true);
    expect([refMaxMin(2, -3, true), refMaxMin(2, -3, false), refMaxMin(-Infinity, 5, true)]).toEqual([2, -3, 5]);
  });

  it("the softmax backward formula equals the full Jacobian (diag(y) - y y^T) dy", () => {
    const cols = 5;
    const y = softmaxRows(1, cols, 7);
    const dy = randomFloats(cols, 8);
    const viaJacobian = new Float32Array(cols);
    for (let i = 0; i < cols; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += ((i === j ? y[i] : 0) - y[i] * y[j]) * dy[j];
      viaJacobian[i] = s;
    }
    expectAllClose(refSoftmaxBackward(y, dy, 1, cols), viaJacobian, softmaxBackwardTolerance(cols), "jacobian");
  });

  it("maximum backward routes each gradient to the first input that attains the maximum", () => {
    const a = Float32Array.of(1, 5, 2, NaN);
    const b = Float32Array.of(3, 5, 2, 0);
    const c = Float32Array.of(3, 4, 2, 9);
    const g = refMaximumBackward([a, b, c], Float32Array.of(10, 20, 30, 40));
    expect(g.dxs.map((dx) => Array.from(dx))).toEqual([[0, 20, 30, 0], [10, 0, 0, 0], [0, 0, 0, 0]]);
    expect(Array.from(g.dyAfter)).toEqual([0, 0, 0, 40]);
  });
});

// ---- every backend against the references ----------------------------------------------

describe.each(BACKENDS)("element-wise kernels: %s", (name: BackendName) => {
  let k: Kernels;
  beforeAll(async () => {
    k = name === "js" ? createJsKernels() : await loadWasmKernels(name);
  });

  describe.each(ALL_OPS.map((op) => [opName(op), op] as const))("binary %s", (label, op) => {
    it.each(LENGTHS)("length %i: out of place, y == a, y == b", (length) => {
      const context = `${label} length ${length}`;
      const a = withSpecials(length, seedFrom(`${context} a`), 0);
      const b = withSpecials(length, seedFrom(`${context} b`), 1);
      // Ties and opposite-signed zeros at fixed places (Max/Min pick among equals).
      for (let i = 5; i < length; i += 6) b[i] = a[i];
      if (length > 10) [a[9], b[9], a[10], b[10]] = [-0, 0, 0, -0];
      const expected = refBinary(op, a, b);
      for (const inPlace of ["no", "y=a", "y=b"] as const) {
        expectSameValues(runBinary(k, op, a, b, inPlace, context), expected, `${name} ${context} ${inPlace}`);
      }
    });
  });

  it("binary: NaN in the vector body and the scalar tail propagates through Max and Min", () => {
    const a = Float32Array.of(NaN, 1, 2, 3, 4, 5, NaN);
    const b = Float32Array.of(0, NaN, 2, 3, 4, NaN, 0);
    for (const op of [BinaryOpId.Max, BinaryOpId.Min]) {
      const y = runBinary(k, op, a, b, "no", `${opName(op)} NaN`);
      expect(Array.from(y, Number.isNaN), `${name} ${opName(op)}`).toEqual([true, true, false, false, false, true, true]);
    }
  });

  it("property: binary of random lengths and ops matches the reference", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.constantFrom(...ALL_OPS), fc.integer({ min: 0, max: 0x7fffffff }),
        (length, op, seed) => {
          const a = withSpecials(length, seed, 2);
          const b = randomFloats(length, seed + 1);
          expectSameValues(runBinary(k, op, a, b, "y=b", `property`), refBinary(op, a, b),
            `${name} ${opName(op)} length ${length} seed ${seed}`);
        }),
      { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED },
    );
  });

  it.each(LENGTHS)("scale, length %i: out of place and in place, factors not representable in f32 too", (length) => {
    const x = withSpecials(length, seedFrom(`scale ${length}`), 0);
    for (const s of [0.5, -3, 1 / 3, 0, 1e30]) {
      const expected = refScale(x, s);
      for (const inPlace of [false, true]) {
        expectSameValues(runScale(k, x, s, inPlace, `length ${length} s ${s}`), expected,
          `${name} scale length ${length} s ${s}${inPlace ? " in place" : ""}`);
      }
    }
  });

  const COPY_CASES: CopyCase[] = [
    { rows: 1, width: 1, xStride: 1, yStride: 1 },
    { rows: 1, width: 5, xStride: 5, yStride: 9 },
    { rows: 1, width: 1001, xStride: 1001, yStride: 1003 },
    { rows: 3, width: 5, xStride: 7, yStride: 5 },
    { rows: 4, width: 3, xStride: 9, yStride: 11 },
    { rows: 5, width: 7, xStride: 7, yStride: 12 },
    { rows: 2, width: 17, xStride: 17, yStride: 33 },
    { rows: 7, width: 4, xStride: 13, yStride: 4 },
    { rows: 16, width: 33, xStride: 40, yStride: 35 },
    { rows: 3, width: 0, xStride: 2, yStride: 2 },
  ];

  it.each(COPY_CASES)("copyRows $rows x $width, strides $xStride -> $yStride", (c) => {
    const context = `${c.rows}x${c.width} ${c.xStride}->${c.yStride}`;
    // x and y hold whole strided rows; the floats between copied rows must stay as they were.
    const x = randomFloats(Math.max(c.rows * c.xStride, 1), seedFrom(`copy x ${context}`));
    const y0 = randomFloats(Math.max(c.rows * c.yStride, 1), seedFrom(`copy y ${context}`), 10, 20);
    expectSameValues(runCopyRows(k, x, y0, c, context), refCopyRows(x, y0, c), `${name} copyRows ${context}`);
  });

  it.each(LENGTHS)("maximumBackward, length %i: ties go to the first input, NaN routes nowhere", (length) => {
    const seed = seedFrom(`maximum ${length}`);
    const a = randomFloats(length, seed);
    const b = randomFloats(length, seed + 1);
    const c = randomFloats(length, seed + 2);
    for (let i = 0; i < length; i++) {
      if (i % 3 === 0) b[i] = a[i]; // a and b tie; sometimes they are the maximum
      if (i % 5 === 1) c[i] = Math.max(a[i], b[i]); // c ties with an earlier maximum: gets nothing
      if (i % 7 === 2) a[i] = c[i] = Math.max(b[i], 2); // a and c tie above b: a wins
    }
    if (length > 3) b[length - 2] = NaN; // tail lane (or body for short lengths)
    if (length > 8) c[4] = NaN; // vector body
    const dy = randomFloats(length, seed + 3, 0.5, 1.5); // never 0, so routing is visible
    const expected = refMaximumBackward([a, b, c], dy);
    const actual = runMaximumBackward(k, [a, b, c], dy, `length ${length}`);
    actual.dxs.forEach((dx, i) => expectSameValues(dx, expected.dxs[i], `${name} maximumBackward dx${i} length ${length}`));
    expectSameValues(actual.dyAfter, expected.dyAfter, `${name} maximumBackward dy after length ${length}`);
  });

  const KEEPS = [0.5, 0.8, 1 / 3, 0.1, 1];
  const SEEDS = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];

  it.each(LENGTHS)("dropoutForward, length %i: the reference's bits for every seed and keep, in place too", (length) => {
    const x = randomFloats(length, seedFrom(`dropout ${length}`), -2, 2);
    for (const keep of KEEPS) {
      for (const seed of SEEDS) {
        const context = `length ${length} keep ${keep} seed ${seed}`;
        const expected = refDropout(x, seed, keep);
        for (const inPlace of [false, true]) {
          const got = runDropout(k, x, seed, keep, inPlace, context);
          expectSameBits(got.mask, expected.mask, `${name} dropout mask ${context}`);
          expectSameBits(got.y, expected.y, `${name} dropout y ${context}${inPlace ? " in place" : ""}`);
        }
      }
    }
  });

  it("dropoutForward: a draw equal to keep is dropped, one just below it is kept (u < keep, exactly)", () => {
    const u = mulberry32(12345);
    const draws = Array.from({ length: 9 }, () => u());
    const x = new Float32Array(9).fill(1);
    // keep = draw 6 itself: draw 6 must be dropped; keep just above it keeps it.
    for (const keep of [draws[6], draws[6] + 2 ** -40]) {
      const got = runDropout(k, x, 12345, keep, false, `keep ${keep}`);
      expect(got.mask[6] !== 0, `${name} keep ${keep}`).toBe(keep > draws[6]);
      expectSameBits(got.mask, refDropout(x, 12345, keep).mask, `${name} dropout keep == a draw`);
    }
  });

  it.each([0.1, 0.5, 0.9])("dropoutForward keep %f: kept fraction within the binomial bound, mask only 0 or 1/keep", (keep) => {
    const n = 100_003;
    const x = randomFloats(n, seedFrom(`dropout rate ${keep}`), 0.5, 1.5);
    const got = runDropout(k, x, seedFrom(`dropout seed ${keep}`), keep, false, `rate ${keep}`);
    const scale = Math.fround(1 / keep);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (got.mask[i] === scale) kept++;
      else if (!Object.is(got.mask[i], 0)) throw new Error(`${name}: mask[${i}] = ${got.mask[i]}, not 0 or ${scale}`);
    }
    const sd = Math.sqrt(n * keep * (1 - keep));
    expect(Math.abs(kept - n * keep), `${name} kept ${kept} of ${n}`).toBeLessThanOrEqual(DROPOUT_RATE_SIGMAS * sd);
  });

  const SOFTMAX_SHAPES: [number, number][] = [
    [1, 1], [1, 3], [2, 4], [3, 5], [4, 7], [2, 8], [5, 15], [3, 16], [3, 17], [2, 33], [2, 1001],
  ];

  it.each(SOFTMAX_SHAPES)("softmaxBackward %i x %i, out of place and in place", (rows, cols) => {
    const context = `${rows}x${cols}`;
    const y = softmaxRows(rows, cols, seedFrom(`softmax y ${context}`));
    const dy = randomFloats(rows * cols, seedFrom(`softmax dy ${context}`));
    const expected = refSoftmaxBackward(y, dy, rows, cols);
    for (const inPlace of [false, true]) {
      expectAllClose(runSoftmaxBackward(k, y, dy, rows, cols, inPlace, context), expected,
        softmaxBackwardTolerance(cols), `${name} softmaxBackward ${context}${inPlace ? " in place" : ""}`);
    }
  });

  it("property: softmaxBackward of random shapes matches the reference", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 0x7fffffff }),
        (rows, cols, seed) => {
          const y = softmaxRows(rows, cols, seed);
          const dy = randomFloats(rows * cols, seed + 1);
          expectAllClose(runSoftmaxBackward(k, y, dy, rows, cols, seed % 2 === 0, "property"),
            refSoftmaxBackward(y, dy, rows, cols), softmaxBackwardTolerance(cols),
            `${name} softmaxBackward ${rows}x${cols} seed ${seed}`);
        }),
      { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED },
    );
  });

  it.each(LENGTHS)("firstNonFinite, length %i: NaN/+-Infinity first, last, in the middle, in the tail, or none", (length) => {
    const base = randomFloats(length, seedFrom(`nonfinite ${length}`), -3e38, 3e38);
    base[0] = -0; // finite extremes must not count: signed zero, a subnormal, the largest floats
    if (length > 1) base[length - 1] = 1e-45;
    if (length > 2) base[1] = 3.4028234663852886e38;
    expect(runFirstNonFinite(k, base, "all finite"), `${name} all finite`).toBe(-1);
    // First, last, middle, the last lane of the 4-lane body and every lane of the length % 4 tail.
    const tailStart = length - (length % 4);
    const positions = new Set([0, length - 1, length >> 1, Math.max(tailStart - 1, 0)]);
    for (let p = tailStart; p < length; p++) positions.add(p);
    for (const p of positions) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const x = base.slice();
        x[p] = bad;
        // Later ones must not win: in the same 4-lane group (p + 2) and in a later one (p + 5).
        if (p + 2 < length) x[p + 2] = Infinity;
        if (p + 5 < length) x[p + 5] = NaN;
        expect(runFirstNonFinite(k, x, `${bad} at ${p}`), `${name} ${bad} at ${p} of ${length}`).toBe(refFirstNonFinite(x));
        expect(refFirstNonFinite(x)).toBe(p);
      }
    }
  });

  it("firstNonFinite of an empty range is -1", () => {
    expect(runFirstNonFinite(k, new Float32Array(0), "empty")).toBe(-1);
  });
});

// Every backend draws the same dropout mask for the same seed: checked above
// against one reference, and here directly, wasm against js, on a long input.
describe("dropoutForward is bit-identical across backends", () => {
  const backends: Kernels[] = [];
  beforeAll(async () => {
    backends.push(createJsKernels());
    for (const variant of WASM_VARIANTS) backends.push(await loadWasmKernels(variant));
  });

  it.each([[0.5, 42], [0.7, 0xdeadbeef]])("keep %f, seed %i", (keep, seed) => {
    const x = randomFloats(4099, seedFrom(`cross ${seed}`));
    const [js, ...wasm] = backends.map((k) => runDropout(k, x, seed, keep, false, `cross ${seed}`));
    for (const [i, got] of wasm.entries()) {
      expectSameBits(got.mask, js.mask, `${WASM_VARIANTS[i]} vs js mask`);
      expectSameBits(got.y, js.y, `${WASM_VARIANTS[i]} vs js y`);
    }
  });
});
