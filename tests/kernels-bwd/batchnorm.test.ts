// BatchNormalization training backward (batchNormBackward), at two levels:
// (1) a float64 reference backward, written below, against central finite
//     differences of a float64 forward pass of the full training-mode
//     BatchNorm (batch statistics included) for x, gamma and beta;
// (2) the JS backend and every wasm binary against that reference, on the
//     [outer, channels, inner] shape table of the forward tests, with and
//     without gamma, with absent outputs, and in place (dx == dy).

import { beforeAll, describe, expect, it } from "vitest";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { dot64, numericGradient } from "../support/reference64.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { freshArena } from "../support/run.js";
import { accumulationTolerance } from "../tolerances.js";
import { BATCHNORM_DX_TOLERANCE, FD_STEP, GRADCHECK_TOLERANCE } from "../tolerances-bwd.js";

/** Keras's default BatchNormalization epsilon. */
const EPSILON = 1e-3;

type Shape = [outer: number, channels: number, inner: number];

const CHANNELS = [1, 3, 4, 5, 7, 8, 16, 17, 33];
const SHAPES: Shape[] = [
  ...[1, 2, 5, 64, 4097].flatMap((outer) => CHANNELS.map((c): Shape => [outer, c, 1])),
  ...[2, 3, 9].flatMap((inner) => [1, 2, 5, 64].flatMap((outer) => CHANNELS.map((c): Shape => [outer, c, inner]))),
  [4097, 3, 2], [4097, 5, 3],
];
const shapeName = ([outer, channels, inner]: Shape): string => `outer ${outer} channels ${channels} inner ${inner}`;

/** Calls visit(k) for the flat index k of every x[o, c, i] of channel c. */
function forChannel(c: number, [outer, channels, inner]: Shape, visit: (k: number) => void): void {
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) visit((o * channels + c) * inner + i);
}

// ---- float64 reference -------------------------------------------------------------

/** Batch mean and 1 / sqrt(biased variance + EPSILON) per channel. */
function batchStats64(x: ArrayLike<number>, s: Shape): { mean: Float64Array; invStd: Float64Array } {
  const [outer, channels, inner] = s;
  const n = outer * inner;
  const mean = new Float64Array(channels);
  const invStd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    forChannel(c, s, (k) => { sum += x[k]; });
    mean[c] = sum / n;
    let squares = 0;
    forChannel(c, s, (k) => { squares += (x[k] - mean[c]) ** 2; });
    invStd[c] = 1 / Math.sqrt(squares / n + EPSILON);
  }
  return { mean, invStd };
}

/** Training-mode BatchNorm: y = gamma * (x - mean) / sqrt(var + eps) + beta with the batch's own statistics. */
function batchNorm64(x: Float64Array, gamma: Float64Array, beta: Float64Array, s: Shape): Float64Array {
  const { mean, invStd } = batchStats64(x, s);
  const y = new Float64Array(x.length);
  for (let c = 0; c < s[1]; c++) {
    forChannel(c, s, (k) => { y[k] = gamma[c] * (x[k] - mean[c]) * invStd[c] + beta[c]; });
  }
  return y;
}

interface Gradients {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/** The backward formula of the contract, in float64, from given mean and invStd (null gamma: ones). */
function batchNormBackward64(x: ArrayLike<number>, dy: ArrayLike<number>, mean: ArrayLike<number>,
                             invStd: ArrayLike<number>, gamma: ArrayLike<number> | null, s: Shape): Gradients {
  const [outer, channels, inner] = s;
  const n = outer * inner;
  const dx = new Float64Array(x.length);
  const dgamma = new Float64Array(channels);
  const dbeta = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const xhat = (k: number): number => (x[k] - mean[c]) * invStd[c];
    forChannel(c, s, (k) => {
      dbeta[c] += dy[k];
      dgamma[c] += dy[k] * xhat(k);
    });
    const g = gamma ? gamma[c] : 1;
    forChannel(c, s, (k) => {
      dx[k] = g * invStd[c] / n * (n * dy[k] - dbeta[c] - xhat(k) * dgamma[c]);
    });
  }
  return { dx, dgamma, dbeta };
}

const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);

// ---- (1) the reference backward against central differences --------------------------

describe("gradient check: float64 batchnorm backward vs central differences", () => {
  const GRADCHECK_SHAPES: Shape[] = [[6, 3, 1], [5, 4, 1], [3, 2, 4], [2, 3, 3], [7, 1, 1], [2, 1, 1]];
  it.each(GRADCHECK_SHAPES.map((s) => [shapeName(s), s] as const))("%s", (label, s) => {
    const [outer, channels, inner] = s;
    const x = Float64Array.from(randomFloats(outer * channels * inner, seedFrom(label + "x"), -2, 2));
    const gamma = Float64Array.from(randomFloats(channels, seedFrom(label + "gamma"), 0.5, 1.5));
    const beta = Float64Array.from(randomFloats(channels, seedFrom(label + "beta")));
    const r = randomFloats(x.length, seedFrom(label + "r"));
    const loss = (): number => dot64(batchNorm64(x, gamma, beta, s), r);
    const { mean, invStd } = batchStats64(x, s);
    const got = batchNormBackward64(x, r, mean, invStd, gamma, s);
    expectAllClose(f32(got.dx), numericGradient(loss, x, FD_STEP), GRADCHECK_TOLERANCE, `${label} dx`);
    expectAllClose(f32(got.dgamma), numericGradient(loss, gamma, FD_STEP), GRADCHECK_TOLERANCE, `${label} dgamma`);
    expectAllClose(f32(got.dbeta), numericGradient(loss, beta, FD_STEP), GRADCHECK_TOLERANCE, `${label} dbeta`);
  });
});

// ---- (2) every backend against the reference --------------------------------------------

interface BackwardCall {
  x: Float32Array;
  dy: Float32Array;
  mean: Float32Array;
  invStd: Float32Array;
  gamma: Float32Array | null;
  /** Which outputs to pass (the others are 0). */
  outputs: { dx: boolean; dgamma: boolean; dbeta: boolean };
  inPlace: boolean;
}

function runBackward(k: Kernels, b: BackwardCall, s: Shape, context: string): Partial<Record<keyof Gradients, Float32Array>> {
  const [outer, channels, inner] = s;
  const arena = freshArena(k);
  const x = arena.upload(b.x, "x");
  const dy = arena.upload(b.dy, "dy");
  const mean = arena.upload(b.mean, "mean");
  const invStd = arena.upload(b.invStd, "invStd");
  const gamma = b.gamma ? arena.upload(b.gamma, "gamma") : 0;
  const dx = !b.outputs.dx ? 0 : b.inPlace ? dy : arena.alloc(b.x.length, "dx");
  if (b.inPlace) arena.markWritable(dy);
  const dgamma = b.outputs.dgamma ? arena.alloc(channels, "dgamma") : 0;
  const dbeta = b.outputs.dbeta ? arena.alloc(channels, "dbeta") : 0;
  k.batchNormBackward(x, dy, mean, invStd, gamma, dx, dgamma, dbeta, outer, channels, inner);
  arena.verify(`${k.name} batchNormBackward ${context}`);
  return {
    dx: dx ? arena.read(dx, b.x.length) : undefined,
    dgamma: dgamma ? arena.read(dgamma, channels) : undefined,
    dbeta: dbeta ? arena.read(dbeta, channels) : undefined,
  };
}

const BACKENDS = ["js", ...WASM_VARIANTS] as const;

describe.each(BACKENDS)("batchNormBackward: %s vs float64 reference", (name) => {
  let k: Kernels;
  beforeAll(async () => {
    k = name === "js" ? createJsKernels() : await loadWasmKernels(name);
  });

  it.each(SHAPES.map((s) => [shapeName(s), s] as const))("%s", (label, s) => {
    const [outer, channels, inner] = s;
    // Offset inputs: mean ~ 0.5, so a kernel that forgets to subtract it is caught.
    const x = randomFloats(outer * channels * inner, seedFrom(label + "x"), -1.5, 2.5);
    const dy = randomFloats(x.length, seedFrom(label + "dy"));
    const stats = batchStats64(x, s);
    // The kernel's inputs are float32: the reference works from the same rounded values.
    const mean = f32(stats.mean);
    const invStd = f32(stats.invStd);
    const gamma = randomFloats(channels, seedFrom(label + "gamma"), -1.5, 1.5);
    const sumTolerance = accumulationTolerance(outer * inner);
    const all = { dx: true, dgamma: true, dbeta: true };
    const call: BackwardCall = { x, dy, mean, invStd, gamma, outputs: all, inPlace: false };

    for (const withGamma of [true, false]) {
      const want = batchNormBackward64(x, dy, mean, invStd, withGamma ? gamma : null, s);
      const what = withGamma ? "" : " without gamma";
      for (const inPlace of [false, true]) {
        const got = runBackward(k, { ...call, gamma: withGamma ? gamma : null, inPlace }, s, label + what);
        const where = `${name} ${label}${what}${inPlace ? " in place" : ""}`;
        expectAllClose(got.dx!, f32(want.dx), BATCHNORM_DX_TOLERANCE, `${where} dx`);
        expectAllClose(got.dgamma!, f32(want.dgamma), sumTolerance, `${where} dgamma`);
        expectAllClose(got.dbeta!, f32(want.dbeta), sumTolerance, `${where} dbeta`);
      }
    }

    // Absent outputs: what is passed is still right, and nothing else is written (the arena's guards).
    const want = batchNormBackward64(x, dy, mean, invStd, gamma, s);
    const onlyDx = runBackward(k, { ...call, outputs: { dx: true, dgamma: false, dbeta: false } }, s, label + " dx only");
    expectAllClose(onlyDx.dx!, f32(want.dx), BATCHNORM_DX_TOLERANCE, `${name} ${label} dx only`);
    const onlySums = runBackward(k, { ...call, outputs: { dx: false, dgamma: true, dbeta: true } }, s, label + " sums only");
    expectAllClose(onlySums.dgamma!, f32(want.dgamma), sumTolerance, `${name} ${label} dgamma only`);
    expectAllClose(onlySums.dbeta!, f32(want.dbeta), sumTolerance, `${name} ${label} dbeta only`);
    const onlyBeta = runBackward(k, { ...call, outputs: { dx: false, dgamma: false, dbeta: true } }, s, label + " dbeta only");
    expectAllClose(onlyBeta.dbeta!, f32(want.dbeta), sumTolerance, `${name} ${label} dbeta alone`);
    expect(onlyBeta.dx).toBeUndefined();
  });
});
