// DepthwiseConv2D backward, both levels of the gradient checks: the JS
// reference backward against central differences of the float64 forward
// (tests/support/reference64.ts: L = <depthwise(x, w, b), dy>), then every
// wasm binary's backward against the JS one, on shapes chosen like the
// forward table (tests/kernels/dwconv2d.test.ts): channels around the SIMD
// width, multipliers 1 and 2, strides 1, 2 and 2x1, both paddings, dilation
// 2 (with stride 1 and 2), 1x1 kernels and images, batch 1 and 3. For the
// weight gradient's 3x3 register path (multiplier 1): channel pairs (8, 32),
// an odd group paired with itself (4, 23), a channel tail after them (5, 17,
// 23), rows clipped by the padding, and edge columns summed in memory.

import { beforeAll, describe, it } from "vitest";
import { expectAllClose } from "../support/compare.js";
import { depthwiseGeometry, describeDepthwise, type DepthwiseCase, type Padding } from "../support/geometry.js";
import { depthwise64, dot64, numericGradient } from "../support/reference64.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import {
  createJsTrainingBackend, loadWasmTrainingBackend, WASM_VARIANTS, type TrainingBackend,
} from "../support/train-backends.js";
import { runDepthwiseBackward, type DepthwiseBackwardInputs } from "../support/train-run.js";
import { accumulationTolerance } from "../tolerances.js";
import { FD_STEP, GRADCHECK_TOLERANCE } from "../tolerances-bwd.js";

const js = createJsTrainingBackend();
const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

const dw = (batch: number, inHeight: number, inWidth: number, inChannels: number, kernelHeight: number,
            kernelWidth: number, strideHeight: number, strideWidth: number, padding: Padding,
            depthMultiplier: number, dilation = 1): DepthwiseCase =>
  ({ batch, inHeight, inWidth, inChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padding,
     depthMultiplier, dilationHeight: dilation, dilationWidth: dilation });

/** Small enough for finite differences over every input and weight. */
const GRADCHECK_CASES: DepthwiseCase[] = [
  dw(1, 5, 5, 2, 3, 3, 1, 1, "same", 1),
  dw(2, 6, 5, 3, 3, 3, 2, 2, "same", 2),   // odd total padding, multiplier 2
  dw(1, 7, 6, 2, 3, 1, 2, 1, "valid", 1),  // 3x1, stride 2x1
  dw(1, 7, 7, 1, 3, 3, 1, 1, "same", 2, 2), // dilation 2
  dw(1, 6, 7, 2, 2, 3, 2, 2, "valid", 1, 2), // dilation with stride: cells in no window
  dw(1, 4, 5, 3, 1, 1, 2, 2, "valid", 1),  // 1x1 stride 2: every other cell unused
  dw(3, 1, 1, 2, 3, 3, 1, 1, "same", 2),   // 1x1 images
];

function inputsFor(c: DepthwiseCase, label: string): DepthwiseBackwardInputs {
  const g = depthwiseGeometry(c);
  const cm = c.inChannels * c.depthMultiplier;
  return {
    shape: c,
    x: randomFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label + "x")),
    w: randomFloats(c.kernelHeight * c.kernelWidth * cm, seedFrom(label + "w")),
    dy: randomFloats(g.batch * g.outHeight * g.outWidth * cm, seedFrom(label + "dy")),
    bias: true,
  };
}

describe("gradient check: js depthwiseConv2d backward vs float64 central differences", () => {
  it.each(GRADCHECK_CASES.map((c) => [describeDepthwise(c), c] as const))("%s", (label, c) => {
    const g = depthwiseGeometry(c);
    const inp = inputsFor(c, label);
    const b = randomFloats(c.inChannels * c.depthMultiplier, seedFrom(label + "b"));
    const got = runDepthwiseBackward(js, inp, label);
    const [x64, w64, b64] = [f64(inp.x), f64(inp.w), f64(b)];
    const loss = (): number =>
      dot64(depthwise64(g, c.dilationHeight, c.dilationWidth, c.depthMultiplier, x64, w64, b64), inp.dy);
    expectAllClose(got.dx, numericGradient(loss, x64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dx`);
    expectAllClose(got.dw, numericGradient(loss, w64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dw`);
    expectAllClose(got.dbias!, numericGradient(loss, b64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dbias`);
  });
});

const WINDOWS: Omit<DepthwiseCase, "inChannels" | "depthMultiplier">[] = [
  dw(1, 7, 9, 0, 3, 3, 1, 1, "same", 0),
  dw(3, 8, 8, 0, 3, 3, 2, 2, "same", 0),
  dw(1, 9, 7, 0, 3, 3, 2, 2, "valid", 0),
  dw(2, 9, 11, 0, 3, 3, 2, 2, "same", 0), // stride 2, a padding row and column on every side
  dw(1, 7, 9, 0, 3, 3, 2, 1, "same", 0),
  dw(2, 10, 11, 0, 5, 5, 2, 2, "same", 0),
  dw(1, 7, 6, 0, 1, 1, 2, 2, "same", 0),
  dw(1, 9, 5, 0, 3, 1, 1, 1, "valid", 0),
  dw(1, 1, 1, 0, 3, 3, 1, 1, "same", 0),
  dw(1, 9, 9, 0, 3, 3, 1, 1, "same", 0, 2),
  dw(2, 9, 8, 0, 3, 3, 1, 1, "valid", 0, 2),
  dw(1, 8, 9, 0, 3, 3, 2, 2, "same", 0, 2),
];

const CASES = WINDOWS.flatMap((w) => [1, 3, 4, 5, 8, 17, 23, 32].flatMap((inChannels) => [1, 2].map((depthMultiplier) => {
  const shape = { ...w, inChannels, depthMultiplier };
  return { label: describeDepthwise(shape), shape };
})));

describe.each(WASM_VARIANTS)("depthwiseConv2d backward: %s vs the JS reference", (variant) => {
  let wasm: TrainingBackend;
  beforeAll(async () => {
    wasm = await loadWasmTrainingBackend(variant);
  });

  it.each(CASES.map((c) => [c.label, c.shape] as const))("%s", (label, c) => {
    const g = depthwiseGeometry(c);
    const inp = inputsFor(c, label);
    const want = runDepthwiseBackward(js, inp, label);
    const got = runDepthwiseBackward(wasm, inp, label);
    // dx sums at most kh*kw*M products; dw and dbias sum over every output pixel of the batch.
    const pixels = g.batch * g.outHeight * g.outWidth;
    expectAllClose(got.dx, want.dx, accumulationTolerance(c.kernelHeight * c.kernelWidth * c.depthMultiplier),
      `${variant} ${label} dx`);
    expectAllClose(got.dw, want.dw, accumulationTolerance(pixels), `${variant} ${label} dw`);
    expectAllClose(got.dbias!, want.dbias!, accumulationTolerance(pixels), `${variant} ${label} dbias`);
  });
});
