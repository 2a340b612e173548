// Conv2D forward: every wasm binary against the plain-JS oracle on a table of
// geometries chosen like XNNPACK's ConvolutionOperatorTester: 1x1, 3x3, 5x5
// and 7x7 kernels, non-square kernels (1x3, 3x1, 2x5), strides 1, 2, 3 and
// unequal, 'valid' and 'same' (including odd total padding, whose extra row
// and column go at the bottom/right as in TensorFlow), channel counts around
// the SIMD width, batch 1 and > 1, every fused activation. The oracle itself
// is checked on hand-computed cases first.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, windowAxis, windowGeometry, type Padding, type WindowCase } from "../support/geometry.js";
import { PROPERTY_RUNS, PROPERTY_SEED } from "../support/property.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import {
  ALL_ACTIVATIONS, activationName, LEAKY_ALPHA, runConv2d, runGemm, type ConvInputs,
} from "../support/run.js";
import { accumulationTolerance, fusedTolerance, KNOWN_ANSWER_ABS } from "../tolerances.js";

interface ConvCase {
  label: string;
  shape: WindowCase;
  outChannels: number;
  act: ActivationId;
  bias: boolean;
}

type Geometry = Omit<WindowCase, "inChannels">;

const geo = (batch: number, inHeight: number, inWidth: number, kernelHeight: number, kernelWidth: number,
             strideHeight: number, strideWidth: number, padding: Padding): Geometry =>
  ({ batch, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padding });

/** Window geometries; each runs with every channel pair below. */
const GEOMETRIES: Geometry[] = [
  geo(1, 5, 5, 1, 1, 1, 1, "valid"),   // 1x1: straight GEMM
  geo(2, 7, 6, 1, 1, 2, 2, "valid"),   // 1x1 strided
  geo(1, 4, 4, 3, 3, 1, 1, "same"),    // 3x3 'same', even input
  geo(1, 7, 7, 3, 3, 1, 1, "valid"),
  geo(2, 8, 8, 3, 3, 2, 2, "same"),    // total padding 1: extra at the bottom/right
  geo(1, 9, 9, 3, 3, 2, 2, "same"),    // total padding 2: symmetric
  geo(1, 10, 11, 3, 3, 3, 3, "same"),
  geo(1, 6, 6, 2, 2, 1, 1, "same"),    // even kernel, stride 1: padding (0, 1)
  geo(1, 5, 9, 1, 3, 1, 1, "same"),    // 1x3
  geo(1, 9, 5, 3, 1, 1, 1, "valid"),   // 3x1
  geo(2, 8, 11, 2, 5, 1, 2, "same"),   // 2x5, unequal strides
  geo(1, 7, 10, 3, 3, 2, 1, "valid"),  // unequal strides
  geo(2, 11, 10, 3, 2, 3, 3, "valid"), // the last rows/columns lie in no window (and batch 2)
  geo(1, 12, 12, 5, 5, 1, 1, "valid"), // LeNet-style 5x5
  geo(1, 9, 8, 5, 5, 2, 2, "same"),
  geo(1, 15, 15, 7, 7, 2, 2, "same"),  // ResNet-stem-style 7x7 stride 2
  geo(1, 8, 9, 7, 7, 1, 1, "valid"),
  geo(1, 1, 1, 3, 3, 1, 1, "same"),    // a single pixel, all neighbours padding
  geo(1, 3, 3, 3, 3, 1, 1, "valid"),   // kernel covers the whole image
  geo(3, 5, 4, 3, 2, 3, 2, "same"),    // batch 3, strides 3x2
];

/** (inChannels, outChannels): 1, around the 4-lane SIMD width, and primes. */
const CHANNEL_PAIRS: [number, number][] = [[1, 1], [3, 8], [4, 4], [5, 7], [8, 9], [17, 16]];

function convCase(shape: WindowCase, outChannels: number, act: ActivationId, bias: boolean): ConvCase {
  const label = `${describeWindow(shape)} -> ${outChannels} ${activationName(act)}${bias ? " +bias" : ""}`;
  return { label, shape, outChannels, act, bias };
}

const SHAPE_CASES: ConvCase[] = GEOMETRIES.flatMap((g, gi) =>
  CHANNEL_PAIRS.map(([cin, cout], ci) =>
    convCase({ ...g, inChannels: cin }, cout, ActivationId.Linear, (gi + ci) % 3 !== 0)));

const ACTIVATION_CASES: ConvCase[] = ALL_ACTIVATIONS.flatMap((act) => [
  convCase({ ...geo(2, 6, 5, 3, 3, 1, 1, "same"), inChannels: 3 }, 5, act, true),
  convCase({ ...geo(1, 7, 7, 3, 3, 2, 2, "valid"), inChannels: 4 }, 8, act, false),
]);

/** Realistic layer sizes: many full tiles plus ragged edges. */
const LARGE_CASES: ConvCase[] = [
  convCase({ ...geo(1, 14, 14, 3, 3, 1, 1, "same"), inChannels: 32 }, 64, ActivationId.Relu, true),
  convCase({ ...geo(2, 28, 28, 5, 5, 1, 1, "valid"), inChannels: 1 }, 6, ActivationId.Relu, true),
  convCase({ ...geo(1, 16, 16, 1, 1, 1, 1, "valid"), inChannels: 24 }, 33, ActivationId.Linear, true),
  // Segments of >= 64 floats with >= 4 panels: windows read in place by the
  // relaxed build's one-pointer tile; odd widths, a tail panel, stride 2, batch 2.
  convCase({ ...geo(2, 9, 11, 3, 3, 1, 1, "same"), inChannels: 24 }, 37, ActivationId.Relu, true),
  convCase({ ...geo(1, 13, 10, 3, 3, 2, 2, "same"), inChannels: 32 }, 32, ActivationId.LeakyRelu, false),
  convCase({ ...geo(1, 6, 7, 3, 3, 1, 1, "valid"), inChannels: 64 }, 40, ActivationId.Linear, true),
];

/**
 * One input channel, horizontal stride 1, 1..7 filters and rows of >= 16
 * output pixels: the 16-pixel x 2-filter kernel (assembly/conv/
 * f32_conv2d_fwd_cin1.ts) in the SIMD builds. Rows of exactly one tile
 * (16), of a tile plus 1..15 pixels (its shifted-back last tile), odd
 * filter counts (the last pair's zero column), vertical strides, odd 'same'
 * padding, unpadded 'valid', batch > 1, and 8 filters (back on the 4x8 path).
 * Kernels of more than 12288 taps (kh*kw) do not fit the kernel's tap
 * table and go back to the general path: the two 1-row cases at the end.
 */
const CIN1_CASES: ConvCase[] = [
  convCase({ ...geo(1, 28, 28, 5, 5, 1, 1, "same"), inChannels: 1 }, 6, ActivationId.Relu, true),  // LeNet conv 1
  convCase({ ...geo(3, 28, 28, 5, 5, 1, 1, "same"), inChannels: 1 }, 6, ActivationId.Relu, true),
  convCase({ ...geo(1, 16, 16, 3, 3, 1, 1, "valid"), inChannels: 1 }, 1, ActivationId.Linear, false), // out 14: no path
  convCase({ ...geo(1, 5, 16, 3, 3, 1, 1, "same"), inChannels: 1 }, 2, ActivationId.Linear, true),    // one tile per row
  convCase({ ...geo(2, 9, 17, 3, 3, 1, 1, "same"), inChannels: 1 }, 3, ActivationId.Tanh, true),      // 16 + 1
  convCase({ ...geo(1, 7, 31, 5, 5, 2, 1, "same"), inChannels: 1 }, 5, ActivationId.LeakyRelu, true),  // 16 + 15, stride 2x1
  convCase({ ...geo(2, 11, 37, 4, 2, 3, 1, "same"), inChannels: 1 }, 7, ActivationId.Sigmoid, false), // even kernel, odd padding
  convCase({ ...geo(1, 13, 40, 7, 7, 1, 1, "valid"), inChannels: 1 }, 4, ActivationId.Relu, true),
  convCase({ ...geo(1, 6, 23, 1, 5, 1, 1, "valid"), inChannels: 1 }, 1, ActivationId.Relu, true),    // 1x5
  convCase({ ...geo(2, 19, 21, 3, 3, 1, 1, "same"), inChannels: 1 }, 8, ActivationId.Relu, true),    // 8: the 4x8 path
  convCase({ ...geo(2, 1, 12306, 1, 12289, 1, 1, "valid"), inChannels: 1 }, 3, ActivationId.Relu, true), // no table: general path, out 18
  convCase({ ...geo(1, 3, 6217, 2, 6200, 1, 1, "valid"), inChannels: 1 }, 2, ActivationId.Tanh, false),  // no table: general path, kh 2
];

/**
 * Filters in groups of 16: the 2-pixel x 16-filter kernel (assembly/conv/
 * f32_conv2d_fwd_2x16.ts) in the SIMD builds (the (17, 16) channel pair
 * above runs every geometry through it too). Even and odd row lengths (the
 * last single pixel), strides, padding, batch > 1, every activation; then
 * 32..64 filters (2-4 groups), where the schedule also depends on the
 * build: one input channel and, in relaxed SIMD, segments (kw*cin) of 64
 * floats or more go to the 4x8 paths instead.
 */
const X16_CASES: ConvCase[] = [
  convCase({ ...geo(1, 14, 14, 5, 5, 1, 1, "valid"), inChannels: 6 }, 16, ActivationId.Relu, true), // LeNet conv 2
  convCase({ ...geo(3, 14, 14, 5, 5, 1, 1, "valid"), inChannels: 6 }, 16, ActivationId.Relu, true),
  convCase({ ...geo(1, 9, 11, 3, 3, 1, 1, "same"), inChannels: 3 }, 16, ActivationId.Linear, false),  // odd rows
  convCase({ ...geo(2, 12, 13, 3, 3, 2, 2, "same"), inChannels: 5 }, 16, ActivationId.LeakyRelu, true),
  convCase({ ...geo(1, 8, 7, 2, 4, 1, 3, "same"), inChannels: 1 }, 16, ActivationId.Sigmoid, true),
  convCase({ ...geo(1, 6, 9, 3, 1, 3, 2, "valid"), inChannels: 9 }, 16, ActivationId.Tanh, false),
  convCase({ ...geo(1, 1, 1, 3, 3, 1, 1, "same"), inChannels: 2 }, 16, ActivationId.Relu, true),     // one pixel
  convCase({ ...geo(1, 11, 11, 3, 3, 1, 1, "same"), inChannels: 3 }, 32, ActivationId.Relu, true),    // VGG conv 1, odd rows
  convCase({ ...geo(2, 10, 9, 5, 5, 1, 1, "same"), inChannels: 6 }, 48, ActivationId.Tanh, true),     // 3 groups, batch 2
  convCase({ ...geo(1, 9, 8, 3, 3, 2, 2, "same"), inChannels: 7 }, 64, ActivationId.LeakyRelu, false), // stride 2
  convCase({ ...geo(1, 7, 9, 3, 3, 1, 1, "valid"), inChannels: 16 }, 32, ActivationId.Sigmoid, true), // segments of 48
  convCase({ ...geo(1, 8, 7, 3, 3, 1, 1, "same"), inChannels: 24 }, 32, ActivationId.Relu, true),     // 72: 4x8 in relaxed
  convCase({ ...geo(2, 9, 17, 3, 3, 1, 1, "same"), inChannels: 1 }, 32, ActivationId.Relu, true),     // cin 1: packed 4x8
  convCase({ ...geo(1, 5, 5, 1, 1, 1, 1, "same"), inChannels: 4 }, 32, ActivationId.Linear, true),    // 1x1: the GEMM
];

function inputsFor(c: ConvCase, seed: number): ConvInputs {
  const s = c.shape;
  return {
    shape: s,
    outChannels: c.outChannels,
    x: randomFloats(s.batch * s.inHeight * s.inWidth * s.inChannels, seed),
    w: randomFloats(s.kernelHeight * s.kernelWidth * s.inChannels * c.outChannels, seed + 1),
    bias: c.bias ? randomFloats(c.outChannels, seed + 2) : null,
    act: c.act,
    alpha: LEAKY_ALPHA,
  };
}

const reductionLength = (c: ConvCase): number => c.shape.kernelHeight * c.shape.kernelWidth * c.shape.inChannels;

const js = createJsKernels();

/** A ramp 1, 2, 3, ... over an h x w single-channel image: every cell distinguishable. */
const ramp = (length: number): Float32Array => Float32Array.from({ length }, (_, i) => i + 1);

describe("js conv2d: known answers", () => {
  const ones = (length: number): Float32Array => new Float32Array(length).fill(1);
  const single = (inHeight: number, inWidth: number, k: number, stride: number, padding: Padding): WindowCase =>
    ({ batch: 1, inHeight, inWidth, inChannels: 1, kernelHeight: k, kernelWidth: k,
       strideHeight: stride, strideWidth: stride, padding });
  const run = (shape: WindowCase, x: Float32Array, w: Float32Array, label: string): Float32Array =>
    runConv2d(js, { shape, outChannels: 1, x, w, bias: null, act: ActivationId.Linear, alpha: LEAKY_ALPHA }, label);

  it("3x3 all-ones kernel, 'same', on a 4x4 all-ones input counts the real neighbours", () => {
    const got = run(single(4, 4, 3, 1, "same"), ones(16), ones(9), "ones");
    expect(Array.from(got)).toEqual([
      4, 6, 6, 4,
      6, 9, 9, 6,
      6, 9, 9, 6,
      4, 6, 6, 4,
    ]);
  });

  it("'same' stride 2 on an even input puts the odd padding row/column at the bottom/right", () => {
    // in 4, kernel 3, stride 2: out 2, total padding (2-1)*2 + 3 - 4 = 1 -> top 0, bottom 1.
    const shape = single(4, 4, 3, 2, "same");
    expect(windowAxis(4, 3, 2, "same")).toEqual({ out: 2, padBefore: 0, padAfter: 1 });
    expect(windowGeometry(shape).padTop).toBe(0);
    // x = 1..16 row-major; windows start at rows/cols 0 and 2.
    // [0,0]: rows 0-2, cols 0-2 = (1+2+3)+(5+6+7)+(9+10+11) = 54
    // [0,1]: rows 0-2, cols 2-3 (col 4 padding) = (3+4)+(7+8)+(11+12) = 45
    // [1,0]: rows 2-3 (row 4 padding), cols 0-2 = (9+10+11)+(13+14+15) = 72
    // [1,1]: rows 2-3, cols 2-3 = (11+12)+(15+16) = 54
    // (With the extra row on top instead, [0,0] would be 1+2+5+6 = 14.)
    expect(Array.from(run(shape, ramp(16), ones(9), "ramp"))).toEqual([54, 45, 72, 54]);
  });

  it("'valid' with stride 3 drops the cells no window reaches", () => {
    // in 5, kernel 2, stride 3: out floor((5-2)/3)+1 = 2, windows at 0 and 3; row/col 2 unused.
    const shape = single(5, 5, 2, 3, "valid");
    // [0,0] = 1+2+6+7 = 16, [0,1] = 4+5+9+10 = 28, [1,0] = 16+17+21+22 = 76, [1,1] = 19+20+24+25 = 88
    expect(Array.from(run(shape, ramp(25), ones(4), "stride3"))).toEqual([16, 28, 76, 88]);
  });

  it("uses the Keras [kh, kw, cin, cout] kernel layout, bias and activation", () => {
    // 1x1 image, 1x1 kernel, cin 2, cout 3: y[co] = x0*w[0,co] + x1*w[1,co] + b[co]
    const shape: WindowCase = { ...single(1, 1, 1, 1, "valid"), inChannels: 2 };
    const w = Float32Array.of(1, 2, 3, /* ci = 1: */ 10, 20, 30);
    const got = runConv2d(js, {
      shape, outChannels: 3, x: Float32Array.of(1, -1), w, bias: Float32Array.of(0, 5, 100),
      act: ActivationId.LeakyRelu, alpha: LEAKY_ALPHA,
    }, "layout");
    // pre-activation: [1-10, 2-20+5, 3-30+100] = [-9, -13, 73]; leakyRelu(0.2): [-1.8, -2.6, 73]
    expectAllClose(got, Float32Array.of(-1.8, -2.6, 73), { abs: KNOWN_ANSWER_ABS, rel: 0 }, "layout");
  });

  it("a 1x1 convolution equals GEMM over the pixels (batch 2, strided-free)", () => {
    const shape: WindowCase = { ...single(3, 5, 1, 1, "valid"), batch: 2, inChannels: 7 };
    const pixels = 2 * 3 * 5;
    const x = randomFloats(pixels * 7, 11);
    const w = randomFloats(7 * 9, 12);
    const bias = randomFloats(9, 13);
    const conv = runConv2d(js, { shape, outChannels: 9, x, w, bias, act: ActivationId.Tanh, alpha: LEAKY_ALPHA }, "1x1");
    const gemm = runGemm(js, { m: pixels, k: 7, n: 9, a: x, b: w, bias, act: ActivationId.Tanh, alpha: LEAKY_ALPHA }, "1x1");
    expectAllClose(conv, gemm, accumulationTolerance(7), "1x1 conv vs gemm");
  });
});

describe.each(WASM_VARIANTS)("conv2d: %s.wasm vs js", (variant) => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await loadWasmKernels(variant);
  });

  const check = (c: ConvCase, seed = seedFrom(c.label)): void => {
    const inputs = inputsFor(c, seed);
    const expected = runConv2d(js, inputs, c.label);
    const actual = runConv2d(wasm, inputs, c.label);
    expectAllClose(actual, expected, fusedTolerance(reductionLength(c)), `${variant}.wasm conv2d ${c.label} seed ${seed}`);
  };

  it.each(SHAPE_CASES)("$label", (c) => check(c));
  it.each(ACTIVATION_CASES)("$label", (c) => check(c));
  it.each(LARGE_CASES)("$label", (c) => check(c));
  it.each(CIN1_CASES)("one channel: $label", (c) => check(c));
  it.each(X16_CASES)("16-filter groups: $label", (c) => check(c));

  it("property: one-channel geometries with rows of >= 16 pixels agree with js", () => {
    const dims = fc.record({
      batch: fc.integer({ min: 1, max: 3 }),
      inHeight: fc.integer({ min: 1, max: 9 }),
      inWidth: fc.integer({ min: 16, max: 45 }),
      inChannels: fc.constant(1),
      outChannels: fc.integer({ min: 1, max: 9 }),
      kernelHeight: fc.integer({ min: 1, max: 5 }),
      kernelWidth: fc.integer({ min: 1, max: 5 }),
      strideHeight: fc.integer({ min: 1, max: 3 }),
      strideWidth: fc.constant(1),
      padding: fc.constantFrom<Padding>("valid", "same"),
      act: fc.constantFrom(...ALL_ACTIVATIONS),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
    }).filter((d) => d.padding === "same" || d.kernelHeight <= d.inHeight);
    fc.assert(
      fc.property(dims, ({ outChannels, act, bias, seed, ...shape }) => {
        check(convCase(shape, outChannels, act, bias), seed);
      }),
      { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED },
    );
  });

  /** Random 'valid'/'same' geometries up to these sizes, each checked against js. */
  function checkRandomGeometries(limits: { inHeight: number; inWidth: number; inChannels: number },
    outChannels: fc.Arbitrary<number>): void {
    const dims = fc.record({
      batch: fc.integer({ min: 1, max: 2 }),
      inHeight: fc.integer({ min: 1, max: limits.inHeight }),
      inWidth: fc.integer({ min: 1, max: limits.inWidth }),
      inChannels: fc.integer({ min: 1, max: limits.inChannels }),
      outChannels,
      kernelHeight: fc.integer({ min: 1, max: 5 }),
      kernelWidth: fc.integer({ min: 1, max: 5 }),
      strideHeight: fc.integer({ min: 1, max: 3 }),
      strideWidth: fc.integer({ min: 1, max: 3 }),
      padding: fc.constantFrom<Padding>("valid", "same"),
      act: fc.constantFrom(...ALL_ACTIVATIONS),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
    }).filter((d) => d.padding === "same" || (d.kernelHeight <= d.inHeight && d.kernelWidth <= d.inWidth));
    fc.assert(
      fc.property(dims, ({ outChannels: cout, act, bias, seed, ...shape }) => {
        check(convCase(shape, cout, act, bias), seed);
      }),
      { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED },
    );
  }

  it("property: geometries with 16..64 filters agree with js", () => {
    checkRandomGeometries({ inHeight: 8, inWidth: 9, inChannels: 30 }, fc.constantFrom(16, 32, 48, 64));
  });

  it("property: random geometries agree with js", () => {
    checkRandomGeometries({ inHeight: 10, inWidth: 10, inChannels: 9 }, fc.integer({ min: 1, max: 11 }));
  });
});
