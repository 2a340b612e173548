// (c) Non-square kernels, non-square strides, 'same' pooling on odd inputs
// (13x11x5), batch 3, softmax — vs TensorFlow.js, on every backend.
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, it } from "vitest";
import { AvgPool2D, Conv2D, Dense, Flatten, init, MaxPool2D, Sequential, Softmax } from "simdcnn";
import { BACKENDS, compareModels, useTfCpu } from "./harness.js";

function tfOdd(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [13, 11, 5], filters: 7, kernelSize: [3, 5], strides: [2, 1], padding: "same", activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: [3, 2], strides: [2, 2], padding: "same" }),   // 7x11 -> 4x6
      tfl.layers.conv2d({ filters: 9, kernelSize: [2, 3], strides: [1, 2], padding: "valid", activation: "tanh" }),
      tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: "same" }),          // counts only real cells
      tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation: "softmax" }),           // softmax over channels
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 6 }),
      tfl.layers.softmax(),
    ],
  });
}

function ourOdd(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 7, kernelSize: [3, 5], strides: [2, 1], padding: "same", activation: "relu" }),
    new MaxPool2D({ poolSize: [3, 2], strides: [2, 2], padding: "same" }),
    new Conv2D({ filters: 9, kernelSize: [2, 3], strides: [1, 2], padding: "valid", activation: "tanh" }),
    new AvgPool2D({ poolSize: 2, strides: 1, padding: "same" }),
    new Conv2D({ filters: 4, kernelSize: 1, activation: "softmax" }),
    new Flatten(),
    new Dense({ units: 6 }),
    new Softmax(),
  ], { inputShape: [13, 11, 5] });
}

beforeAll(useTfCpu);

describe.each(BACKENDS)("odd shapes 13x11x5 vs tfjs on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("matches tfjs at batch 3", () => {
    compareModels(ourOdd(), tfOdd(), 3, 31);
  });

  it("matches tfjs at batch 1 after a batch-3 plan (smaller batch reuses the plan)", () => {
    const ours = ourOdd();
    const theirs = tfOdd();
    compareModels(ours, theirs, 3, 32);
    compareModels(ours, theirs, 1, 33);
  });
});
