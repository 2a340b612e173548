// Pooling: every wasm binary against the plain-JS oracle. Max pooling must be
// bit-exact (it selects a value); average pooling divides by the number of
// real cells in the window, as TensorFlow does, so 'same' windows at the
// border are the interesting ones. The oracle is checked by hand first.

import { beforeAll, describe, expect, it } from "vitest";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, type Padding, type WindowCase } from "../support/geometry.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { runGlobalAvgPool, runPool, type PoolMode } from "../support/run.js";
import { avgPoolTolerance, KNOWN_ANSWER_ABS, MAX_POOL_ABS } from "../tolerances.js";

type Geometry = Omit<WindowCase, "inChannels">;

const geo = (batch: number, inHeight: number, inWidth: number, kernelHeight: number, kernelWidth: number,
             strideHeight: number, strideWidth: number, padding: Padding): Geometry =>
  ({ batch, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padding });

const GEOMETRIES: Geometry[] = [
  geo(1, 4, 4, 2, 2, 2, 2, "valid"),  // the classic 2x2/2
  geo(2, 5, 5, 2, 2, 2, 2, "valid"),  // odd input: last row/column dropped
  geo(2, 28, 28, 2, 2, 2, 2, "valid"), // LeNet's first pool (6 channels below), batch 2
  geo(1, 5, 5, 2, 2, 2, 2, "same"),   // odd input: padding (0, 1)
  geo(1, 6, 6, 3, 3, 2, 2, "same"),   // total padding 1: extra at the bottom/right
  geo(1, 7, 7, 3, 3, 2, 2, "same"),   // total padding 2: symmetric
  geo(1, 6, 7, 3, 3, 1, 1, "same"),
  geo(1, 7, 7, 3, 3, 1, 1, "valid"),
  geo(1, 5, 8, 1, 3, 1, 2, "same"),   // 1x3, unequal strides
  geo(1, 8, 5, 3, 1, 2, 1, "valid"),  // 3x1
  geo(2, 9, 11, 2, 5, 2, 3, "same"),  // 2x5
  geo(1, 11, 11, 5, 5, 3, 3, "same"),
  geo(1, 13, 13, 7, 7, 2, 2, "same"),
  geo(1, 1, 1, 3, 3, 1, 1, "same"),   // a single pixel
  geo(3, 3, 3, 3, 3, 1, 1, "valid"),  // window covers the image (global pool)
];

/** 4..8 channels take the two-vector 2x2 path (f32_maxpool2d_fwd.ts), 6 is LeNet's. */
const CHANNELS = [1, 3, 4, 5, 6, 8, 9, 17];

interface PoolCase {
  label: string;
  shape: WindowCase;
}

const CASES: PoolCase[] = GEOMETRIES.flatMap((g) => CHANNELS.map((inChannels) => {
  const shape = { ...g, inChannels };
  return { label: describeWindow(shape), shape };
}));

const GLOBAL_SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1], [1, 1, 1, 4], [2, 7, 7, 17], [1, 5, 3, 8], [3, 2, 2, 5], [1, 13, 13, 33],
];

const js = createJsKernels();

const inputLength = (s: WindowCase): number => s.batch * s.inHeight * s.inWidth * s.inChannels;

describe("js pooling: known answers", () => {
  const shape3x3 = (padding: Padding, stride = 1): WindowCase => ({
    batch: 1, inHeight: 3, inWidth: 3, inChannels: 1, kernelHeight: 3, kernelWidth: 3,
    strideHeight: stride, strideWidth: stride, padding,
  });
  const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);

  it("avgPool 'same' divides by the real cells (corner 4, edge 6, centre 9)", () => {
    const got = runPool(js, "avg", shape3x3("same"), x, "avg same");
    // [0,0] = (1+2+4+5)/4 = 3; [0,1] = (1+2+3+4+5+6)/6 = 3.5; [1,1] = 45/9 = 5
    expectAllClose(got, Float32Array.of(3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7),
      { abs: KNOWN_ANSWER_ABS, rel: 0 }, "avg same");
  });

  it("maxPool 'same' ignores padding even when every real value is negative", () => {
    const got = runPool(js, "max", shape3x3("same"), x.map((v) => -v), "max same");
    // [0,0] = max(-1, -2, -4, -5) = -1 (a zero pad would wrongly give 0)
    expect(Array.from(got)).toEqual([-1, -1, -2, -1, -1, -2, -4, -4, -5]);
  });

  it("'same' 2x2 stride 2 on an odd input pads at the bottom/right only", () => {
    // 3x3 input, out 2, total padding 1 -> windows rows {0,1},{2} and cols {0,1},{2}
    const shape: WindowCase = { ...shape3x3("same", 2), kernelHeight: 2, kernelWidth: 2 };
    expect(Array.from(runPool(js, "max", shape, x, "max odd"))).toEqual([5, 6, 8, 9]);
    // avg: (1+2+4+5)/4 = 3, (3+6)/2 = 4.5, (7+8)/2 = 7.5, 9/1 = 9
    expect(Array.from(runPool(js, "avg", shape, x, "avg odd"))).toEqual([3, 4.5, 7.5, 9]);
  });

  it("globalAvgPool averages each channel over height and width", () => {
    // 1 x 2 x 2 x 2: channel 0 = 1, 2, 3, 4 -> 2.5; channel 1 = 10, 20, 30, 40 -> 25
    const got = runGlobalAvgPool(js, 1, 2, 2, 2, Float32Array.of(1, 10, 2, 20, 3, 30, 4, 40), "gap");
    expect(Array.from(got)).toEqual([2.5, 25]);
  });
});

describe.each(WASM_VARIANTS)("pooling: %s.wasm vs js", (variant) => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await loadWasmKernels(variant);
  });

  const modes: PoolMode[] = ["max", "avg"];
  describe.each(modes)("%sPool2d", (mode) => {
    it.each(CASES)("$label", ({ label, shape }) => {
      const x = randomFloats(inputLength(shape), seedFrom(label));
      const expected = runPool(js, mode, shape, x, label);
      const actual = runPool(wasm, mode, shape, x, label);
      const tol = mode === "max"
        ? { abs: MAX_POOL_ABS, rel: 0 }
        : avgPoolTolerance(shape.kernelHeight * shape.kernelWidth);
      expectAllClose(actual, expected, tol, `${variant}.wasm ${mode}Pool2d ${label}`);
    });
  });

  it.each(GLOBAL_SHAPES)("globalAvgPool2d b%i %ix%ix%i", (batch, height, width, channels) => {
    const label = `gap b${batch} ${height}x${width}x${channels}`;
    const x = randomFloats(batch * height * width * channels, seedFrom(label));
    const expected = runGlobalAvgPool(js, batch, height, width, channels, x, label);
    const actual = runGlobalAvgPool(wasm, batch, height, width, channels, x, label);
    expectAllClose(actual, expected, avgPoolTolerance(height * width), `${variant}.wasm ${label}`);
  });
});
