// DepthwiseConv2D forward: every wasm binary against the plain-JS oracle on
// a shape table: channels 1, 3, 4, 5, 8, 17, 23, 32 (around the 4-lane and
// 16-channel SIMD blocks, and their scalar tails), depth multipliers 1 and 2
// (the vector and the scalar paths), kernels 3x3, 5x5, 1x1, 3x1, strides 1,
// 2 and 2x1, 'same' (odd total padding: the extra row/column at the
// bottom/right) and 'valid', dilation 2, odd sizes, 1x1 images, batch 1 and
// 3, every fused activation; at stride 2, odd output heights (the 3x3 sweep
// takes two rows at a time, the last one alone). The oracle itself is checked on a
// hand-computed case and against the float64 reference first.

import { beforeAll, describe, expect, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { depthwiseGeometry, describeDepthwise, type DepthwiseCase, type Padding } from "../support/geometry.js";
import { depthwise64 } from "../support/reference64.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { ALL_ACTIVATIONS, activationName, LEAKY_ALPHA, runDepthwise, type DepthwiseInputs } from "../support/run.js";
import { fusedTolerance, KNOWN_ANSWER_ABS, ORACLE_ROUNDING } from "../tolerances.js";

const dw = (batch: number, inHeight: number, inWidth: number, kernelHeight: number, kernelWidth: number,
            strideHeight: number, strideWidth: number, padding: Padding, dilation = 1): Omit<DepthwiseCase, "inChannels" | "depthMultiplier"> =>
  ({ batch, inHeight, inWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padding,
     dilationHeight: dilation, dilationWidth: dilation });

/** Window geometries; each runs with several channel counts and both multipliers. */
const GEOMETRIES = [
  dw(1, 7, 9, 3, 3, 1, 1, "same"),     // odd sizes, symmetric padding
  dw(1, 7, 9, 3, 3, 1, 1, "valid"),
  dw(3, 8, 8, 3, 3, 2, 2, "same"),     // stride 2, odd total padding (extra at the bottom/right), batch 3
  dw(1, 9, 7, 3, 3, 2, 2, "valid"),
  dw(1, 11, 9, 3, 3, 2, 2, "valid"),   // 5 output rows: two pairs of rows swept together, then one alone
  dw(2, 13, 12, 3, 3, 2, 2, "same"),   // padding row above and below, pairs and a lone row between
  dw(1, 7, 9, 3, 3, 2, 1, "same"),     // stride 2x1
  dw(1, 9, 9, 5, 5, 1, 1, "same"),     // 5x5
  dw(2, 10, 11, 5, 5, 2, 2, "same"),
  dw(1, 5, 6, 1, 1, 1, 1, "valid"),    // 1x1
  dw(1, 7, 6, 1, 1, 2, 2, "same"),     // 1x1 strided: cells in no window
  dw(1, 9, 5, 3, 1, 1, 1, "same"),     // 3x1
  dw(1, 8, 7, 3, 1, 2, 1, "valid"),
  dw(1, 1, 1, 3, 3, 1, 1, "same"),     // a 1x1 image: every neighbour in the padding
  dw(3, 1, 1, 1, 1, 1, 1, "valid"),
  dw(1, 7, 9, 3, 3, 1, 1, "same", 2),  // dilation 2
  dw(2, 9, 8, 3, 3, 1, 1, "valid", 2),
  dw(1, 11, 10, 5, 5, 1, 1, "same", 2),
  dw(1, 8, 9, 3, 3, 2, 2, "same", 2),  // dilation with stride (the kernels allow it; Keras' layer does not)
];

const CHANNELS = [1, 3, 4, 5, 8, 17, 23, 32];

const caseOf = (g: ReturnType<typeof dw>, inChannels: number, depthMultiplier: number): DepthwiseCase =>
  ({ ...g, inChannels, depthMultiplier });

interface Case { label: string; shape: DepthwiseCase; act: ActivationId; bias: boolean }

const SHAPE_CASES: Case[] = GEOMETRIES.flatMap((g, gi) => CHANNELS.flatMap((ch, ci) => [1, 2].map((m) => {
  const shape = caseOf(g, ch, m);
  const bias = (gi + ci + m) % 3 !== 0;
  return { label: `${describeDepthwise(shape)}${bias ? " +bias" : ""}`, shape, act: ActivationId.Linear, bias };
})));

const ACTIVATION_CASES: Case[] = ALL_ACTIVATIONS.flatMap((act) => [
  caseOf(dw(2, 7, 9, 3, 3, 1, 1, "same"), 17, 1),
  caseOf(dw(1, 8, 7, 3, 3, 2, 2, "valid"), 5, 2),
  caseOf(dw(1, 9, 9, 3, 3, 1, 1, "same", 2), 32, 1),
  // The 3x3 sweep at strides 1 and 2 (relu and relu6 as a clamp in registers, the others after each row).
  caseOf(dw(2, 7, 9, 3, 3, 1, 1, "same"), 12, 1),
  caseOf(dw(1, 11, 9, 3, 3, 2, 2, "valid"), 8, 1),
].map((shape) => ({ label: `${describeDepthwise(shape)} ${activationName(act)}`, shape, act, bias: true })));

function inputsFor(c: Case): DepthwiseInputs {
  const s = c.shape;
  const seed = seedFrom(c.label);
  const cm = s.inChannels * s.depthMultiplier;
  return {
    shape: s,
    x: randomFloats(s.batch * s.inHeight * s.inWidth * s.inChannels, seed),
    w: randomFloats(s.kernelHeight * s.kernelWidth * cm, seed + 1),
    bias: c.bias ? randomFloats(cm, seed + 2) : null,
    act: c.act,
    alpha: LEAKY_ALPHA,
  };
}

const js = createJsKernels();

describe("depthwiseConv2d: the JS oracle", () => {
  it("matches a hand-computed 'same' 3x3 over ones, multiplier 2", () => {
    // 3x3x1 image of ones, kernel taps 1 (m = 0) and 2 (m = 1): a corner sees 4 taps, an edge 6, the centre 9.
    const shape: DepthwiseCase = { ...caseOf(dw(1, 3, 3, 3, 3, 1, 1, "same"), 1, 2) };
    const w = new Float32Array(18).map((_, i) => (i % 2 === 0 ? 1 : 2));
    const got = runDepthwise(js, { shape, x: new Float32Array(9).fill(1), w, bias: Float32Array.of(0.5, 0),
      act: ActivationId.Linear, alpha: 0 }, "hand");
    const taps = [4, 6, 4, 6, 9, 6, 4, 6, 4];
    const want = Float32Array.from(taps.flatMap((t) => [t + 0.5, 2 * t]));
    expectAllClose(got, want, { abs: KNOWN_ANSWER_ABS, rel: 0 }, "hand-computed");
  });

  it.each(SHAPE_CASES.filter((_, i) => i % 5 === 0).map((c) => [c.label, c] as const))("matches float64: %s", (label, c) => {
    const inp = inputsFor(c);
    const s = c.shape;
    const want = depthwise64(depthwiseGeometry(s), s.dilationHeight, s.dilationWidth, s.depthMultiplier,
      Float64Array.from(inp.x), Float64Array.from(inp.w), inp.bias ? Float64Array.from(inp.bias) : null);
    expectAllClose(runDepthwise(js, inp, label), Float32Array.from(want), ORACLE_ROUNDING, label);
  });
});

describe.each(WASM_VARIANTS)("depthwiseConv2d: %s vs the JS oracle", (variant) => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await loadWasmKernels(variant);
  });

  it("covers the table", () => {
    expect(SHAPE_CASES.length).toBe(GEOMETRIES.length * CHANNELS.length * 2);
  });

  it.each([...SHAPE_CASES, ...ACTIVATION_CASES].map((c) => [c.label, c] as const))("%s", (label, c) => {
    const inp = inputsFor(c);
    const want = runDepthwise(js, inp, label);
    const got = runDepthwise(wasm, inp, label);
    expectAllClose(got, want, fusedTolerance(c.shape.kernelHeight * c.shape.kernelWidth), `${variant} ${label}`);
  });
});
