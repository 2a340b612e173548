// (b) An RGB VGG-ish binary classifier on 32x32x3: 'same' padding, a stride-2
// conv, odd sizes, tanh / sigmoid / leakyRelu, dropout, GlobalAvgPool2D and a
// sigmoid output — vs TensorFlow.js, on every backend.
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, it } from "vitest";
import {
  Conv2D, Dense, Dropout, Flatten, GlobalAvgPool2D, init, LeakyReLU, MaxPool2D, Sequential, Sigmoid, Tanh,
} from "simdcnn";
import { BACKENDS, compareModels, useTfCpu } from "./harness.js";

function tfVgg(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: "same", activation: "tanh" }),
      tfl.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: "same" }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 2 }),          // 16 -> 7: odd
      tfl.layers.conv2d({ filters: 10, kernelSize: 3, activation: "sigmoid" }), // 7 -> 5
      tfl.layers.conv2d({ filters: 6, kernelSize: 2, padding: "same" }),        // even kernel, odd input: pad at bottom/right
      tfl.layers.activation({ activation: "tanh" }),
      tfl.layers.dropout({ rate: 0.25 }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 5 }),
      tfl.layers.activation({ activation: "sigmoid" }),
      tfl.layers.dense({ units: 1, activation: "sigmoid" }),
    ],
  });
}

function ourVgg(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 8, kernelSize: 3, padding: "same", activation: "tanh" }),
    new Conv2D({ filters: 12, kernelSize: 3, strides: 2, padding: "same" }),
    new LeakyReLU({ alpha: 0.2 }),
    new MaxPool2D({ poolSize: 3, strides: 2 }),
    new Conv2D({ filters: 10, kernelSize: 3, activation: "sigmoid" }),
    new Conv2D({ filters: 6, kernelSize: 2, padding: "same" }),
    new Tanh(),
    new Dropout({ rate: 0.25 }),
    new GlobalAvgPool2D(),
    new Dense({ units: 5 }),
    new Sigmoid(),
    new Dense({ units: 1, activation: "sigmoid" }),
  ], { inputShape: [32, 32, 3] });
}

beforeAll(useTfCpu);

describe.each(BACKENDS)("VGG-ish 32x32x3 binary vs tfjs on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("matches tfjs at batch 2", () => {
    compareModels(ourVgg(), tfVgg(), 2, 21);
  });

  it("a fused leakyRelu activation matches conv + tfjs LeakyReLU layer", () => {
    // tfjs-layers has no 'leakyRelu' activation string: its LeakyReLU layer (alpha 0.3) is the reference.
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [9, 7, 3], filters: 5, kernelSize: 3, padding: "same" }),
        tfl.layers.leakyReLU({}),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    const ours = new Sequential([
      new Conv2D({ filters: 5, kernelSize: 3, padding: "same", activation: "leakyRelu" }),
      new Flatten(),
      new Dense({ units: 3, activation: "softmax" }),
    ], { inputShape: [9, 7, 3] });
    compareModels(ours, theirs, 2, 22);
  });
});
