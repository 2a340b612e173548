import { beforeAll, describe, expect, it } from "vitest";
import { Conv2D, Dense, Flatten, GlobalAvgPool2D, init, MaxPool2D, Sequential, tensor } from "simdcnn";
import { lenet5, ramp } from "./models.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("predict", () => {
  it("a Tensor and a Float32Array give the same answer; shape is [batch, ...outputShape]", () => {
    const model = lenet5();
    const data = ramp(2 * 784);
    const a = model.predict(data).toArray();
    const y = model.predict(tensor(data, [2, 28, 28, 1]));
    expect(y.shape).toEqual([2, 10]);
    expect(y.size).toBe(20);
    expect(y.toArray()).toEqual(a);
    // Softmax rows sum to 1.
    expect(a.slice(0, 10).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it("each sample of a batch gets the answer it gets alone", () => {
    const model = lenet5();
    const data = ramp(3 * 784, 7);
    const batched = model.predict(data).toArray();
    for (let i = 0; i < 3; i++) {
      const alone = model.predict(data.subarray(i * 784, (i + 1) * 784)).toArray();
      expect(batched.slice(i * 10, (i + 1) * 10)).toEqual(alone);
    }
  });

  it("a hand-checked conv: a 2x2 kernel of ones sums each window", () => {
    const model = new Sequential([new Conv2D({ filters: 1, kernelSize: 2, useBias: false })], { inputShape: [3, 3, 1] });
    model.setWeights([new Float32Array([1, 1, 1, 1])]);
    const y = model.predict([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.toArray())).toEqual([12, 16, 24, 28]);
  });
});

describe("Dense on a rank-2 sample acts on the last axis (as Keras)", () => {
  it("maps [2, 3] -> [2, 2] row by row", () => {
    const model = new Sequential([new Dense({ units: 2, useBias: false })], { inputShape: [2, 3] });
    expect(model.outputShape).toEqual([2, 2]);
    model.setWeights([[1, 0, 0, 1, 1, 1]]); // [3, 2]: y = [x0 + x2, x1 + x2]
    expect(Array.from(model.predict([1, 2, 3, 4, 5, 6]).toArray())).toEqual([4, 5, 10, 11]);
  });
});

describe("featureMaps", () => {
  it("returns every layer's output with its name and shape", () => {
    const model = new Sequential([
      new Conv2D({ filters: 4, kernelSize: 3, activation: "relu" }),
      new MaxPool2D(),
      new GlobalAvgPool2D(),
    ], { inputShape: [8, 8, 2] });
    const x = ramp(2 * 8 * 8 * 2);
    const maps = model.featureMaps(x);
    expect(maps.map((m) => [m.layer, m.className, m.shape])).toEqual([
      ["conv2d_1", "Conv2D", [2, 6, 6, 4]],
      ["max_pooling2d_1", "MaxPooling2D", [2, 3, 3, 4]],
      ["global_average_pooling2d_1", "GlobalAveragePooling2D", [2, 4]],
    ]);
    expect(maps[0]!.data.length).toBe(2 * 6 * 6 * 4);
    expect(maps[0]!.data.every((v) => v >= 0)).toBe(true); // relu
    expect(maps[2]!.data).toEqual(model.predict(x).toArray());
  });

  it("includes view layers (Flatten) with their own shape", () => {
    const model = new Sequential([new Flatten()], { inputShape: [2, 2, 1] });
    const maps = model.featureMaps([1, 2, 3, 4]);
    expect(maps[0]!.shape).toEqual([1, 4]);
    expect(Array.from(maps[0]!.data)).toEqual([1, 2, 3, 4]);
  });
});
