// (a) LeNet-5-like on 28x28x1 vs TensorFlow.js, on every backend.
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { AvgPool2D, capabilities, Conv2D, Dense, Flatten, init, MaxPool2D, Sequential } from "simdcnn";
import { BACKENDS, compareModels, useTfCpu } from "./harness.js";

function tfLenet(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: "relu" }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 120, activation: "relu" }),
      tfl.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
}

function ourLenet(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 6, kernelSize: 5, padding: "valid", activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 5, activation: "relu" }),
    new AvgPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 120, activation: "relu" }),
    new Dense({ units: 10, activation: "softmax" }),
  ], { inputShape: [28, 28, 1] });
}

beforeAll(useTfCpu);

describe.each(BACKENDS)("LeNet-5 28x28x1 vs tfjs on $name", ({ name, options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("runs on the requested backend", () => {
    expect(capabilities().backend).toBe(name);
  });

  it("matches tfjs at batch 1 and batch 4", () => {
    const theirs = tfLenet();
    const ours = ourLenet();
    expect(ours.countParams()).toBe(theirs.countParams());
    compareModels(ours, theirs, 1, 11);
    compareModels(ours, theirs, 4, 12);
  });
});
