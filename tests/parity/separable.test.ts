// SeparableConv2D vs tfjs-layers' separableConv2d (cpu backend), every
// backend: inference (odd sizes, strides 1 and 2, 'same' and 'valid', depth
// multipliers 1 and 2, a BatchNorm + ReLU after it folded into its pointwise
// half) and three SGD steps of training, per tensor, as the graph suites.
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { init, SeparableConv2D, SGD } from "simdcnn";
import { fitBothAndCompare } from "../train/parity.js";
import { BACKENDS, relativeError, uniform, useTfCpu } from "./harness.js";
import { batchFor, buildBoth, copyWeightsByName, tfPredictMany, type Describe } from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

type SepOptions = Parameters<Parameters<Describe>[0]["separable"]>[1];

/** input -> separable (no bias) -> BN -> ReLU -> separable (its own activation) -> flatten -> dense. */
const block = (shape: number[], first: SepOptions, second: SepOptions): Describe => (L) => {
  const inp = L.input(shape, "image");
  let x = L.separable("sep_a", { ...first, useBias: false })(inp);
  x = L.relu("relu_a")(L.bn("bn_a")(x));
  x = L.separable("sep_b", second)(x);
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.flatten("flat")(x)) };
};

const CASES: [string, Describe][] = [
  ["7x9x3 3x3 same -> 6, then 3x3 valid m2 -> 5 tanh",
    block([7, 9, 3], { filters: 6, kernelSize: 3, padding: "same" },
      { filters: 5, kernelSize: 3, depthMultiplier: 2, activation: "tanh" })],
  ["9x8x5 3x3 stride 2 same m2 -> 7, then 5x5 same -> 4 relu",
    block([9, 8, 5], { filters: 7, kernelSize: 3, strides: 2, padding: "same", depthMultiplier: 2 },
      { filters: 4, kernelSize: 5, padding: "same", activation: "relu" })],
  // Large enough that inference runs the depthwise half in bands of rows (4 bands, then 2 at stride 2,
  // the last ones partial), each band's first rows reading the padding or the rows above it.
  ["33x35x8 3x3 same m2 -> 6, then 3x3 stride 2 valid m4 -> 4 relu (banded)",
    block([33, 35, 8], { filters: 6, kernelSize: 3, padding: "same", depthMultiplier: 2 },
      { filters: 4, kernelSize: 3, strides: 2, depthMultiplier: 4, activation: "relu" })],
];


beforeAll(useTfCpu);
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(BACKENDS)("SeparableConv2D vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES)("predicts: %s", (_, describeGraph) => {
    const fold = vi.spyOn(SeparableConv2D.prototype, "prepareFold");
    const { model, tfModel } = buildBoth(describeGraph);
    copyWeightsByName(model, tfModel, 29);
    for (const batch of [1, 3]) {
      const xs = batchFor(model, batch, 13 + batch);
      const ours = model.predict(xs[0]!).toArray();
      expect(relativeError(ours, tfPredictMany(tfModel, xs, batch))).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    expect(fold).toHaveBeenCalled(); // bn_a folded into sep_a's pointwise half
    model.dispose();
  });

  it.each(CASES)("trains three SGD steps in step with tfjs: %s", async (_, describeGraph) => {
    const { model, tfModel } = buildBoth(describeGraph);
    copyWeightsByName(model, tfModel, 31);
    const samples = 12;
    const perSample = model.inputShape.reduce((a, b) => a * b, 1);
    const x = uniform(samples * perSample, 53);
    const labels = Float32Array.from({ length: samples }, (_, i) => (i * 5 + 1) % 3);
    await fitBothAndCompare(model, tfModel, {
      x, labels: labels, loss: "sparseCategoricalCrossentropy", ours: new SGD({ learningRate: 0.1 }),
      theirs: tf.train.sgd(0.1), batchSize: 4,
    });
    model.dispose();
  });
});
