import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, init, ShapeError } from "simdcnn";
import { lenet5, ramp, tinyDense } from "./models.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("getWeights / setWeights", () => {
  it("returns copies in Keras order: per layer kernel then bias", () => {
    const w = lenet5().getWeights();
    expect(w.map((a) => a.length)).toEqual([150, 6, 2400, 16, 48000, 120, 10080, 84, 840, 10]);
    // Keras' default bias initializer is zeros; kernels are glorot-uniform (not all zero).
    expect(Array.from(w[1]!)).toEqual(new Array(6).fill(0));
    expect(w[0]!.some((v) => v !== 0)).toBe(true);
  });

  it("is deterministic: the same architecture gets the same initial weights", () => {
    const a = lenet5().getWeights();
    const b = lenet5().getWeights();
    expect(a).toEqual(b);
  });

  it("round-trips and changes the output", () => {
    const model = lenet5();
    const x = ramp(28 * 28);
    const before = model.predict(x).toArray();
    const fresh = model.getWeights().map((w, i) => ramp(w.length, 100 + i).map((v) => v * 0.1));
    model.setWeights(fresh);
    expect(model.getWeights()).toEqual(fresh);
    const after = model.predict(x).toArray();
    expect(after).not.toEqual(before);
    // Copies: mutating what getWeights returned does not touch the model.
    const copy = model.getWeights();
    copy[0]!.fill(42);
    expect(model.getWeights()[0]).toEqual(fresh[0]);
  });

  it("gives the hand-computed output of a dense layer", () => {
    const model = tinyDense();
    model.setWeights([new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array([0.5, -0.5])]);
    // kernel [3, 2] row-major: x W = [1*1 + 1*3 + 1*5, 1*2 + 1*4 + 1*6] + b
    expect(Array.from(model.predict(new Float32Array([1, 1, 1])).toArray())).toEqual([9.5, 11.5]);
  });

  it("accepts number[] arrays", () => {
    const model = tinyDense();
    model.setWeights([[1, 0, 0, 1, 0, 0], [0, 0]]);
    expect(Array.from(model.predict([2, 3, 4]).toArray())).toEqual([2, 3]);
  });

  it("rejects a wrong count with ConfigError and leaves the model unchanged", () => {
    const model = tinyDense();
    const before = model.getWeights();
    expect(() => model.setWeights([new Float32Array(6)])).toThrow(ConfigError);
    expect(() => model.setWeights([new Float32Array(6)])).toThrow(/expects 2 arrays \(dense_1\/kernel, dense_1\/bias\), got 1/);
    expect(model.getWeights()).toEqual(before);
  });

  it("rejects a wrong length with ShapeError, checked before anything is written", () => {
    const model = tinyDense();
    const before = model.getWeights();
    const y0 = model.predict([1, 2, 3]).toArray();
    // The first array is valid and would change the kernel: it must not be written.
    const bad = () => model.setWeights([new Float32Array(6).fill(7), new Float32Array(3)]);
    expect(bad).toThrow(ShapeError);
    expect(bad).toThrow(/Dense 'dense_1' bias \[2\] and needs 2 values, got 3/);
    expect(model.getWeights()).toEqual(before);
    expect(model.predict([1, 2, 3]).toArray()).toEqual(y0);
  });
});
