// A graph far deeper than any real network: ordering, planning, predict,
// training and summary walk it with explicit stacks and loops, so its depth
// is bounded by memory, not by the JS call stack (a recursive walk overflowed
// at about 10,000 layers).

import { beforeAll, describe, expect, it } from "vitest";
import { Activation, init, input, Model, SGD } from "simdcnn";

const DEPTH = 20_000;

describe(`a chain of ${DEPTH} layers`, () => {
  beforeAll(async () => {
    await init({ backend: "simd" });
  });

  it("builds, predicts, trains a step and summarises", () => {
    const inp = input({ shape: [3] });
    let x = inp;
    for (let i = 0; i < DEPTH; i++) x = new Activation({ activation: i % 2 ? "relu" : "tanh" }).apply(x);
    const model = new Model({ inputs: inp, outputs: x });
    expect(model.layers.length).toBe(DEPTH + 1);
    // tanh then relu, 10,000 times: relu(tanh(v)) for v >= 0 reaches a fixed point, negatives go to 0.
    const y = model.predict(new Float32Array([-1, 0.5, 2])).toArray();
    let a = 0.5, b = 2;
    for (let i = 0; i < DEPTH / 2; i++) [a, b] = [Math.max(0, Math.tanh(a)), Math.max(0, Math.tanh(b))];
    expect(y[0]).toBe(0);
    expect(y[1]).toBeCloseTo(a, 6);
    expect(y[2]).toBeCloseTo(b, 6);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "meanSquaredError" });
    expect(Number.isFinite(model.trainOnBatch(new Float32Array([-1, 0.5, 2]), new Float32Array(3)).loss)).toBe(true);
    expect(model.summary().split("\n").length).toBeGreaterThan(DEPTH);
    model.dispose();
  });
});
