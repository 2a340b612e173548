// Level 2 of the gradient checks: every wasm binary's Dense, Conv2D, pooling
// and activation backward kernels against the JS reference backward (itself
// checked against finite differences in gradcheck.test.ts), on shapes chosen
// like the forward tests: 1, 4, 7, 8, 9, primes, channels not divisible by 4,
// non-square kernels, strides 2 and 3, both paddings, batch 1 and > 1.

import { beforeAll, describe, expect, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, windowGeometry, type Padding, type WindowCase } from "../support/geometry.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { activationName, ALL_ACTIVATIONS, LEAKY_ALPHA } from "../support/run.js";
import {
  createJsTrainingBackend, loadWasmTrainingBackend, WASM_VARIANTS, type TrainingBackend,
} from "../support/train-backends.js";
import {
  runActivationBackward, runConvBackward, runDenseBackward, runGlobalAvgPoolBackward, runPoolBackward,
} from "../support/train-run.js";
import { accumulationTolerance, avgPoolTolerance } from "../tolerances.js";
import { ELEMENTWISE_BWD_TOLERANCE } from "../tolerances-bwd.js";

const js = createJsTrainingBackend();

// ---- shape tables ---------------------------------------------------------------

const DENSE_SHAPES: [m: number, k: number, n: number][] = [
  [1, 1, 1], [1, 7, 9], [4, 8, 16], [3, 5, 17], [9, 4, 8], [7, 13, 33], [2, 64, 10], [32, 9, 7], [5, 3, 50],
];

const win = (batch: number, inHeight: number, inWidth: number, kernelHeight: number, kernelWidth: number,
             strideHeight: number, strideWidth: number, padding: Padding): Omit<WindowCase, "inChannels"> =>
  ({ batch, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padding });

const WINDOWS = [
  win(1, 4, 4, 2, 2, 2, 2, "valid"),
  win(2, 5, 5, 3, 3, 1, 1, "same"),
  win(1, 6, 6, 3, 3, 2, 2, "same"),   // odd total padding
  win(1, 7, 8, 2, 3, 1, 2, "same"),   // non-square kernel, unequal strides
  win(2, 9, 7, 3, 3, 3, 3, "valid"),
  win(1, 8, 9, 1, 3, 3, 2, "same"),
  win(1, 11, 11, 5, 5, 2, 2, "same"),
  win(1, 7, 7, 3, 1, 3, 3, "valid"),  // stride > kernel: cells in no window
  win(3, 1, 1, 3, 3, 1, 1, "same"),   // a single pixel
];

/** Conv: (cin, cout) pairs around the SIMD widths (4 lanes, 16-column dw blocks). */
const CONV_CHANNELS: [cin: number, cout: number][] = [[1, 1], [3, 4], [4, 7], [5, 16], [8, 17], [2, 33]];

const CONV_CASES = [
  ...WINDOWS.flatMap((w, i) => [CONV_CHANNELS[i % CONV_CHANNELS.length], CONV_CHANNELS[(i + 3) % CONV_CHANNELS.length]]
    .map(([cin, cout]) => ({ shape: { ...w, inChannels: cin }, cout }))),
  // 1x1 stride-1 unpadded: the dense fast path of the input gradient.
  { shape: { ...win(2, 3, 5, 1, 1, 1, 1, "valid"), inChannels: 6 }, cout: 9 },
  { shape: { ...win(1, 4, 4, 1, 1, 1, 1, "same"), inChannels: 4 }, cout: 8 },
  // The filter gradient walks pixels in blocks of x + dy <= 128 KiB
  // (assembly/conv/f32_conv2d_bwd_filter.ts): bands of output rows when one
  // image is larger (25 + 25 + 17 rows; at stride 2, 29 + 6), groups of whole
  // images when it is smaller (3 + 2 images).
  { shape: { ...win(2, 67, 61, 3, 3, 1, 1, "same"), inChannels: 5 }, cout: 16 },
  { shape: { ...win(1, 70, 45, 3, 3, 2, 2, "same"), inChannels: 8 }, cout: 17 },
  { shape: { ...win(5, 16, 16, 3, 3, 1, 1, "same"), inChannels: 8 }, cout: 33 },
].map((c) => ({ ...c, label: `${describeWindow(c.shape)} cout${c.cout}` }));

const POOL_CHANNELS = [1, 3, 4, 5, 8, 9, 17];
const POOL_CASES = WINDOWS.flatMap((w) => POOL_CHANNELS.map((inChannels) => {
  const shape = { ...w, inChannels };
  return { label: describeWindow(shape), shape };
}));

const ACTIVATION_LENGTHS = [1, 3, 4, 5, 8, 9, 31, 64];

/** Max pooling: how many windows can send a gradient to one cell (the sum each dx element holds). */
const overlap = (s: WindowCase): number =>
  Math.ceil(s.kernelHeight / s.strideHeight) * Math.ceil(s.kernelWidth / s.strideWidth);

describe.each(WASM_VARIANTS)("backward: %s.wasm vs js", (variant) => {
  let wasm: TrainingBackend;
  beforeAll(async () => {
    wasm = await loadWasmTrainingBackend(variant);
  });

  it.each(DENSE_SHAPES)("dense m%i k%i n%i", (m, k, n) => {
    const label = `m${m} k${k} n${n}`;
    const inputs = {
      m, k, n, bias: (m + k + n) % 2 === 0,
      x: randomFloats(m * k, seedFrom(label + "x")),
      w: randomFloats(k * n, seedFrom(label + "w")),
      dy: randomFloats(m * n, seedFrom(label + "dy")),
    };
    const expected = runDenseBackward(js, inputs, label);
    const actual = runDenseBackward(wasm, inputs, label);
    expectAllClose(actual.dx, expected.dx, accumulationTolerance(n), `${variant} dense dx ${label}`);
    expectAllClose(actual.dw, expected.dw, accumulationTolerance(m), `${variant} dense dw ${label}`);
    if (expected.dbias) expectAllClose(actual.dbias!, expected.dbias, accumulationTolerance(m), `${variant} dense dbias ${label}`);
  });

  it.each(CONV_CASES)("conv2d $label", ({ label, shape, cout }) => {
    const g = windowGeometry(shape);
    const inputs = {
      shape, outChannels: cout, bias: true,
      x: randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seedFrom(label + "x")),
      w: randomFloats(g.kernelHeight * g.kernelWidth * g.inChannels * cout, seedFrom(label + "w")),
      dy: randomFloats(g.batch * g.outHeight * g.outWidth * cout, seedFrom(label + "dy")),
    };
    const expected = runConvBackward(js, inputs, label);
    const actual = runConvBackward(wasm, inputs, label);
    const pixels = g.batch * g.outHeight * g.outWidth;
    expectAllClose(actual.dx, expected.dx, accumulationTolerance(g.kernelHeight * g.kernelWidth * cout),
      `${variant} conv dx ${label}`);
    expectAllClose(actual.dw, expected.dw, accumulationTolerance(pixels), `${variant} conv dw ${label}`);
    expectAllClose(actual.dbias!, expected.dbias!, accumulationTolerance(pixels), `${variant} conv dbias ${label}`);
  });

  describe.each(["max", "avg"] as const)("%sPool2dBackward", (mode) => {
    it.each(POOL_CASES)("$label", ({ label, shape }) => {
      const g = windowGeometry(shape);
      const x = randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seedFrom(label + "x"));
      const dy = randomFloats(g.batch * g.outHeight * g.outWidth * g.inChannels, seedFrom(label + "dy"));
      const expected = runPoolBackward(js, mode, shape, x, dy, label);
      const actual = runPoolBackward(wasm, mode, shape, x, dy, label);
      const tol = mode === "max"
        ? accumulationTolerance(overlap(shape))
        : avgPoolTolerance(overlap(shape) * shape.kernelHeight * shape.kernelWidth);
      expectAllClose(actual, expected, tol, `${variant} ${mode}Pool2dBackward ${label}`);
    });
  });

  it("maxPool2dBackward: the first of tied maxima takes the gradient", () => {
    // Every value equal: each 2x2 window routes to its top-left cell only.
    const shape: WindowCase = { ...win(1, 4, 4, 2, 2, 2, 2, "valid"), inChannels: 5 };
    const x = new Float32Array(4 * 4 * 5).fill(0.5);
    const dy = randomFloats(2 * 2 * 5, seedFrom("ties dy"));
    const expected = runPoolBackward(js, "max", shape, x, dy, "ties");
    const actual = runPoolBackward(wasm, "max", shape, x, dy, "ties");
    expectAllClose(actual, expected, { abs: 0, rel: 0 }, `${variant} maxPool2dBackward ties`);
    for (let c = 0; c < 5; c++) {
      if (expected[c] !== dy[c]) throw new Error(`js oracle: tie in window (0,0) channel ${c} did not go to cell (0,0)`);
    }
  });

  it.each([[1, 1, 1, 1], [2, 3, 3, 4], [1, 5, 7, 17], [3, 2, 2, 9]])(
    "globalAvgPool2dBackward b%i %ix%ix%i", (batch, height, width, ch) => {
      const label = `gap b${batch} ${height}x${width}x${ch}`;
      const dy = randomFloats(batch * ch, seedFrom(label));
      const expected = runGlobalAvgPoolBackward(js, batch, height, width, ch, dy, label);
      const actual = runGlobalAvgPoolBackward(wasm, batch, height, width, ch, dy, label);
      expectAllClose(actual, expected, avgPoolTolerance(1), `${variant} ${label}`);
    });

  it("activationBackward relu6 (cap 6): dy only where 0 < y < 6, NaN gives 0", () => {
    const y = Float32Array.of(0, 1e-7, 3, 5.9999995, 6, NaN, 0, 6, 2.5, 6, 0.5, NaN, 1);
    const dy = randomFloats(y.length, seedFrom("relu6 dy"));
    const expected = runActivationBackward(js, y, dy, ActivationId.ReluCapped, 6, false, "relu6");
    expect(Array.from(expected, (g, i) => g === dy[i])).toEqual(Array.from(y, (v) => v > 0 && v < 6));
    for (const inPlace of [false, true]) {
      const actual = runActivationBackward(wasm, y, dy, ActivationId.ReluCapped, 6, inPlace, "relu6");
      expectAllClose(actual, expected, { abs: 0, rel: 0 }, `${variant} activationBackward relu6${inPlace ? " in place" : ""}`);
    }
  });

  it("activationBackward elu(1) and hardSigmoid at their output ranges' ends and NaN", () => {
    const cases = [
      [ActivationId.Elu, 1, Float32Array.of(-1, -0.9999999, -0.5, 0, 1e-7, 3, NaN, -1, 0, 2, -0.25, NaN, 1)],
      [ActivationId.HardSigmoid, 0, Float32Array.of(0, 1e-7, 0.5, 0.9999999, 1, NaN, 0, 1, 0.3, 1, 0.7, NaN, 0.5)],
    ] as const;
    for (const [act, alpha, y] of cases) {
      const dy = randomFloats(y.length, seedFrom(`${act} dy`));
      const expected = runActivationBackward(js, y, dy, act, alpha, false, String(act));
      for (const inPlace of [false, true]) {
        const actual = runActivationBackward(wasm, y, dy, act, alpha, inPlace, String(act));
        expectAllClose(actual, expected, ELEMENTWISE_BWD_TOLERANCE, `${variant} activationBackward ${activationName(act)}`);
      }
    }
  });

  describe.each(ALL_ACTIVATIONS.map((a) => [activationName(a), a] as const))("activationBackward %s", (name, act) => {
    it.each(ACTIVATION_LENGTHS)("length %i", (length) => {
      const label = `${name} ${length}`;
      // y in the forward output's range: (0, 1) for sigmoid, (-1, 1) otherwise; exact zeros included for relu.
      const y = randomFloats(length, seedFrom(label + "y"), name === "Sigmoid" ? 0 : -1, 1);
      if (length > 2) y[2] = 0;
      const dy = randomFloats(length, seedFrom(label + "dy"));
      const expected = runActivationBackward(js, y, dy, act, LEAKY_ALPHA, false, label);
      for (const inPlace of [false, true]) {
        const actual = runActivationBackward(wasm, y, dy, act, LEAKY_ALPHA, inPlace, label);
        expectAllClose(actual, expected, ELEMENTWISE_BWD_TOLERANCE,
          `${variant} activationBackward ${label}${inPlace ? " in place" : ""}`);
      }
    });
  });
});
