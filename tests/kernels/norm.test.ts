// BatchNormalization forward kernels (channelAffine, channelMoments): the JS
// backend and every wasm binary against a float64 reference written below, on
// tensors viewed as [outer, channels, inner]. inner = 1 is channels-last NHWC
// (the SIMD path: channels around the 4-lane width, 1..33); inner 2, 3, 9
// normalise a non-last axis. Outer 4097 runs long row loops with an odd count.

import { beforeAll, describe, expect, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { activation64 } from "../support/reference64.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { activationName, ALL_ACTIVATIONS, freshArena, LEAKY_ALPHA } from "../support/run.js";
import { CHANNEL_AFFINE_TOLERANCE, CHANNEL_MOMENTS_TOLERANCE, KNOWN_ANSWER_ABS } from "../tolerances.js";

const CHANNELS = [1, 3, 4, 5, 7, 8, 16, 17, 33];
const OUTERS = [1, 2, 5, 64, 4097];
/** inner > 1: the long outer loop only with a few channel counts, to keep the run short. */
const INNER_CASES: [outer: number, channels: number, inner: number][] = [
  ...[2, 3, 9].flatMap((inner) => [1, 2, 5, 64].flatMap((outer) => CHANNELS.map((c) => [outer, c, inner] as [number, number, number]))),
  [4097, 3, 2], [4097, 5, 3],
];
const INNER1_CASES: [number, number, number][] = OUTERS.flatMap((outer) => CHANNELS.map((c) => [outer, c, 1] as [number, number, number]));
const ALL_CASES = [...INNER1_CASES, ...INNER_CASES];

const caseName = ([outer, channels, inner]: [number, number, number]): string => `outer ${outer} channels ${channels} inner ${inner}`;

// ---- float64 reference ---------------------------------------------------------

/** Index of x[o, c, i] in a row-major [outer, channels, inner] tensor. */
const index = (o: number, c: number, i: number, channels: number, inner: number): number => (o * channels + c) * inner + i;

/** y = act(x * scale[c] + shift[c]) in float64; null scale/shift mean ones/zeros. */
function affine64(x: Float32Array, scale: Float32Array | null, shift: Float32Array | null, outer: number,
                  channels: number, inner: number, act: ActivationId): Float64Array {
  const pre = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < inner; i++) {
        const k = index(o, c, i, channels, inner);
        pre[k] = x[k] * (scale ? scale[c] : 1) + (shift ? shift[c] : 0);
      }
    }
  }
  return activation64(pre, act, LEAKY_ALPHA);
}

/** Two-pass float64 mean and biased variance per channel. */
function moments64(x: Float32Array, outer: number, channels: number, inner: number): { mean: Float64Array; variance: Float64Array } {
  const n = outer * inner;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) sum += x[index(o, c, i, channels, inner)];
    mean[c] = sum / n;
    let squares = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) squares += (x[index(o, c, i, channels, inner)] - mean[c]) ** 2;
    }
    variance[c] = squares / n;
  }
  return { mean, variance };
}

// ---- running a kernel through the test arena ------------------------------------

interface AffineCall {
  x: Float32Array;
  scale: Float32Array | null;
  shift: Float32Array | null;
  outer: number;
  channels: number;
  inner: number;
  act: ActivationId;
  inPlace: boolean;
}

function runAffine(k: Kernels, a: AffineCall, context: string): Float32Array {
  const arena = freshArena(k);
  const x = arena.upload(a.x, "x");
  const scale = a.scale ? arena.upload(a.scale, "scale") : 0;
  const shift = a.shift ? arena.upload(a.shift, "shift") : 0;
  const y = a.inPlace ? x : arena.alloc(a.x.length, "y");
  if (a.inPlace) arena.markWritable(x);
  k.channelAffine(x, scale, shift, y, a.outer, a.channels, a.inner, a.act, LEAKY_ALPHA);
  arena.verify(`${k.name} channelAffine ${context}`);
  return arena.read(y, a.x.length);
}

function runMoments(k: Kernels, xData: Float32Array, outer: number, channels: number, inner: number,
                    context: string): { mean: Float32Array; variance: Float32Array } {
  const arena = freshArena(k);
  const x = arena.upload(xData, "x");
  const mean = arena.alloc(channels, "mean");
  const variance = arena.alloc(channels, "variance");
  k.channelMoments(x, outer, channels, inner, mean, variance);
  arena.verify(`${k.name} channelMoments ${context}`);
  return { mean: arena.read(mean, channels), variance: arena.read(variance, channels) };
}

const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);

// ---- the reference itself, on hand-computed cases -------------------------------

describe("float64 reference: known answers", () => {
  it("affine and moments of a 2 x 2 x 2 tensor", () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8); // [o][c][i]
    const y = affine64(x, Float32Array.of(2, -1), Float32Array.of(0.5, 1), 2, 2, 2, ActivationId.Relu);
    expect(Array.from(y)).toEqual([2.5, 4.5, 0, 0, 10.5, 12.5, 0, 0]);
    const { mean, variance } = moments64(x, 2, 2, 2);
    // channel 0 holds 1, 2, 5, 6; channel 1 holds 3, 4, 7, 8.
    expectAllClose(f32(mean), Float32Array.of(3.5, 5.5), { abs: KNOWN_ANSWER_ABS, rel: 0 }, "mean");
    expectAllClose(f32(variance), Float32Array.of(4.25, 4.25), { abs: KNOWN_ANSWER_ABS, rel: 0 }, "variance");
  });
});

// ---- every backend against the reference ---------------------------------------

const BACKENDS = ["js", ...WASM_VARIANTS] as const;

describe.each(BACKENDS)("batchnorm forward: %s vs float64 reference", (name) => {
  let k: Kernels;
  beforeAll(async () => {
    k = name === "js" ? createJsKernels() : await loadWasmKernels(name);
  });

  it.each(ALL_CASES.map((c) => [caseName(c), c] as const))("channelAffine %s", (label, [outer, channels, inner]) => {
    const x = randomFloats(outer * channels * inner, seedFrom(label + "x"), -2, 2);
    const scale = randomFloats(channels, seedFrom(label + "scale"), -2, 2);
    const shift = randomFloats(channels, seedFrom(label + "shift"), -2, 2);
    const check = (a: AffineCall, what: string): void => {
      const expected = f32(affine64(a.x, a.scale, a.shift, outer, channels, inner, a.act));
      expectAllClose(runAffine(k, a, `${label} ${what}`), expected, CHANNEL_AFFINE_TOLERANCE,
        `${name} channelAffine ${label} ${what}`);
    };
    const base = { x, scale, shift, outer, channels, inner, act: ActivationId.Linear, inPlace: false };
    for (const act of ALL_ACTIVATIONS) {
      check({ ...base, act }, activationName(act));
      check({ ...base, act, inPlace: true }, `${activationName(act)} in place`);
    }
    check({ ...base, scale: null }, "no scale");
    check({ ...base, shift: null }, "no shift");
    check({ ...base, scale: null, shift: null, act: ActivationId.LeakyRelu }, "no scale, no shift, leakyRelu");
  });

  it.each(ALL_CASES.map((c) => [caseName(c), c] as const))("channelMoments %s", (label, [outer, channels, inner]) => {
    // Offset data (mean ~ 3): a variance from E[x^2] - E[x]^2 would cancel badly.
    const x = randomFloats(outer * channels * inner, seedFrom(label + "x"), 1, 5);
    const got = runMoments(k, x, outer, channels, inner, label);
    const want = moments64(x, outer, channels, inner);
    expectAllClose(got.mean, f32(want.mean), CHANNEL_MOMENTS_TOLERANCE, `${name} mean ${label}`);
    expectAllClose(got.variance, f32(want.variance), CHANNEL_MOMENTS_TOLERANCE, `${name} variance ${label}`);
  });

  it("channelMoments stays accurate over 64 x 32 x 32 rows far from zero", () => {
    const [outer, channels] = [64 * 32 * 32, 5];
    const x = randomFloats(outer * channels, seedFrom("large N"), 99, 101);
    x[0] = 140; // one outlier row
    const got = runMoments(k, x, outer, channels, 1, "large N");
    const want = moments64(x, outer, channels, 1);
    expectAllClose(got.mean, f32(want.mean), CHANNEL_MOMENTS_TOLERANCE, `${name} mean large N`);
    expectAllClose(got.variance, f32(want.variance), CHANNEL_MOMENTS_TOLERANCE, `${name} variance large N`);
  });

  it("channelMoments of a constant channel is exactly (value, 0)", () => {
    const x = new Float32Array(7 * 5).fill(0.1);
    const got = runMoments(k, x, 7, 5, 1, "constant");
    expect(Array.from(got.mean)).toEqual(Array(5).fill(Math.fround(0.1)));
    expect(Array.from(got.variance)).toEqual(Array(5).fill(0));
  });
});
