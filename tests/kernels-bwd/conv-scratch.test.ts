// The conv input gradient's scratch path (the row-form kernel the training
// planner enables with `conv2dBackwardScratchSize`) against the JS reference,
// on stride-1 shapes around its tiles: 4-row tiles (heights 1..9), 8-float
// row spans (rows of inW*cin floats not divisible by 8), cin 1..7 and odd
// cout, both paddings, non-square kernels, batch > 1; plus LeNet's two convs
// and strided shapes (where the size is 0 and the argument is ignored).
// The arena's guard bands catch a write past the planned scratch.

import { beforeAll, describe, expect, it } from "vitest";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, windowGeometry, type WindowCase } from "../support/geometry.js";
import { freshArena } from "../support/run.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import {
  createJsTrainingBackend, loadWasmTrainingBackend, WASM_VARIANTS, type TrainingBackend,
} from "../support/train-backends.js";
import { accumulationTolerance } from "../tolerances.js";

const js = createJsTrainingBackend();

const c = (batch: number, inHeight: number, inWidth: number, inChannels: number, kernelHeight: number,
           kernelWidth: number, padding: "valid" | "same", cout: number, stride = 1) => ({
  shape: { batch, inHeight, inWidth, inChannels, kernelHeight, kernelWidth, strideHeight: stride, strideWidth: stride,
    padding } satisfies WindowCase,
  cout,
});

const CASES = [
  c(2, 14, 14, 6, 5, 5, "valid", 16),  // LeNet conv2
  c(2, 28, 28, 1, 5, 5, "same", 6),    // LeNet conv1
  c(1, 1, 1, 1, 3, 3, "same", 1),
  c(1, 5, 3, 2, 3, 3, "same", 7),
  c(3, 9, 7, 3, 2, 3, "same", 5),
  c(1, 6, 11, 7, 3, 1, "valid", 9),
  c(2, 7, 5, 4, 4, 2, "valid", 17),
  c(1, 4, 9, 5, 1, 3, "same", 3),
  c(1, 8, 8, 1, 5, 5, "same", 2),
  c(1, 3, 3, 8, 3, 3, "valid", 4),
  c(1, 10, 10, 3, 3, 3, "same", 4, 2), // strided: no scratch path
].map((k) => ({ ...k, label: `${describeWindow(k.shape)} cout${k.cout}` }));

function inputGradient(be: TrainingBackend, shape: WindowCase, cout: number, label: string, withScratch: boolean) {
  const g = windowGeometry(shape);
  const arena = freshArena(be.kernels);
  const dy = arena.upload(randomFloats(g.batch * g.outHeight * g.outWidth * cout, seedFrom(label + "dy")), "dy");
  const w = arena.upload(randomFloats(g.kernelHeight * g.kernelWidth * g.inChannels * cout, seedFrom(label + "w")), "w");
  const length = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const dx = arena.alloc(length, "dx");
  const floats = withScratch ? be.train.conv2dBackwardScratchSize(g, cout) : 0;
  const scratch = floats > 0 ? arena.alloc(floats, "scratch") : 0;
  be.train.conv2dBackwardInput(g, dy, w, dx, cout, scratch);
  arena.verify(`${be.name} conv2dBackwardInput (scratch ${floats}) ${label}`);
  return { dx: arena.read(dx, length), floats, g };
}

describe.each(WASM_VARIANTS)("conv2dBackwardInput with scratch: %s.wasm vs js", (variant) => {
  let wasm: TrainingBackend;
  beforeAll(async () => {
    wasm = await loadWasmTrainingBackend(variant);
  });

  it.each(CASES)("$label", ({ shape, cout, label }) => {
    const expected = inputGradient(js, shape, cout, label, false).dx;
    const { dx, floats, g } = inputGradient(wasm, shape, cout, label, true);
    if (variant !== "scalar" && g.strideHeight === 1) expect(floats).toBeGreaterThan(0);
    expectAllClose(dx, expected, accumulationTolerance(g.kernelHeight * g.kernelWidth * cout),
      `${variant} conv dx (scratch) ${label}`);
  });
});
