// The training API on the plain-JS backend (fast, and the oracle the wasm
// backends are compared against elsewhere): compile/fit/evaluate/trainOnBatch
// behaviour, errors, determinism, dropout, memory planning.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Adam, ConfigError, Conv2D, Dense, Dropout, Flatten, init, MaxPool2D, memory, Sequential, SGD, ShapeError,
  tensor, TrainingDivergedError,
} from "simdcnn";
import { ramp } from "../api/models.js";
import { SAME_SEED_ABS } from "./tolerances.js";

const N = 24;

function classifier(seed = 1): Sequential {
  return new Sequential([
    new Conv2D({ filters: 3, kernelSize: 3, activation: "relu" }),
    new MaxPool2D({ poolSize: 2 }),
    new Flatten(),
    new Dense({ units: 8, activation: "relu" }),
    new Dropout({ rate: 0.25 }),
    new Dense({ units: 3, activation: "softmax" }),
  ], { inputShape: [6, 6, 1], seed });
}

const x = ramp(N * 36, 3);
const sparse = Int32Array.from({ length: N }, (_, i) => (x[i * 36]! > 0 ? 0 : x[i * 36 + 1]! > 0 ? 1 : 2));
const oneHot = new Float32Array(N * 3);
sparse.forEach((c, i) => { oneHot[i * 3 + c] = 1; });

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("compile", () => {
  it("rejects unknown losses and optimizers, and cross-entropy without softmax", () => {
    const m = classifier();
    expect(() => m.compile({ optimizer: "adam", loss: "hinge" as never })).toThrow(ConfigError);
    expect(() => m.compile({ optimizer: "rmsprop" as never, loss: "categoricalCrossentropy" })).toThrow(/optimizer/);
    const linear = new Sequential([new Dense({ units: 2 })], { inputShape: [3] });
    expect(() => linear.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" })).toThrow(/softmax/);
    expect(() => linear.compile({ optimizer: "sgd", loss: "binaryCrossentropy" })).toThrow(/sigmoid/);
    expect(() => new SGD({ learningRate: -1 })).toThrow(ConfigError);
    expect(() => new Adam({ beta1: 1 })).toThrow(ConfigError);
  });

  it("is required before fit, evaluate and trainOnBatch", async () => {
    const m = classifier();
    await expect(m.fit(x, sparse)).rejects.toThrow(/compile/);
    expect(() => m.evaluate(x, sparse)).toThrow(ConfigError);
    expect(() => m.trainOnBatch(x, sparse)).toThrow(ConfigError);
  });
});

describe("fit", () => {
  it("learns, reports a history, and validates each epoch", async () => {
    const m = classifier();
    m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy" });
    const h = await m.fit(x, sparse, { epochs: 15, batchSize: 8, validationData: [x, sparse] });
    expect(h.loss).toHaveLength(15);
    expect(h.accuracy).toHaveLength(15);
    expect(h.valLoss).toHaveLength(15);
    expect(h.valAccuracy).toHaveLength(15);
    expect(h.loss[14]!).toBeLessThan(h.loss[0]!);
    const e = m.evaluate(x, sparse);
    expect(e.loss).toBeCloseTo(h.valLoss[14]!, 5);
  });

  it("accepts one-hot labels with categoricalCrossentropy and the same data as sparse", () => {
    const a = classifier();
    const b = classifier();
    a.compile({ optimizer: "sgd", loss: "categoricalCrossentropy" });
    b.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    expect(a.trainOnBatch(x, oneHot).loss).toBeCloseTo(b.trainOnBatch(x, Array.from(sparse)).loss, 5);
  });

  it("rejects wrong labels and batch sizes before any step", async () => {
    const m = classifier();
    m.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
    const before = m.getWeights();
    await expect(m.fit(x, sparse)).rejects.toThrow(/sparseCategoricalCrossentropy/);
    await expect(m.fit(x, new Float32Array(N * 4))).rejects.toThrow(ShapeError);
    await expect(m.fit(x, oneHot, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    m.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    await expect(m.fit(x, sparse.map((c) => c + 1))).rejects.toThrow(/class index in \[0, 3\)/);
    await expect(m.fit(x.subarray(1), sparse)).rejects.toThrow(ShapeError);
    expect(m.getWeights()).toEqual(before);
  });

  it("stops with TrainingDivergedError naming epoch and batch, weights as before that step", async () => {
    const m = classifier();
    m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const bad = x.slice();
    bad[20 * 36] = NaN; // sample 20: the third batch of 8 without shuffling
    let snapshot: Float32Array[] = [];
    const error = await m.fit(bad, sparse, {
      epochs: 2, batchSize: 8, shuffle: false, onBatchEnd: () => { snapshot = m.getWeights(); },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as Error).message).toMatch(/epoch 1 of 2, batch 3 of 3/);
    // The input is to blame, not a kernel: the message says which sample holds what.
    expect((error as Error).message).toMatch(/the input is at fault: x sample 20 holds NaN \(at offset 0 of its 36 values\)/);
    expect(m.getWeights()).toEqual(snapshot);
  });

  it("takes flat samples, but a Tensor must have the model's input shape (no silent re-batch)", async () => {
    const m = classifier();
    m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    expect(m.trainOnBatch(x.subarray(0, 2 * 36), sparse.subarray(0, 2)).loss).toBeGreaterThan(0);
    const wrong = tensor(x.subarray(0, 2 * 36), [2, 36]);
    await expect(m.fit(wrong, sparse.subarray(0, 2))).rejects.toThrow(/x must have shape \[batch,6,6,1\], got \[2,36\]/);
    expect(() => m.predict(wrong)).toThrow(/predict expects a tensor of shape \[batch,6,6,1\], got \[2,36\]/);
    wrong.dispose();
    m.dispose();
  });

  it("names the shuffled sample that holds Infinity", async () => {
    const m = classifier();
    m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const bad = x.slice();
    bad[7 * 36 + 5] = Infinity;
    const error = await m.fit(bad, sparse, { epochs: 1, batchSize: 8, seed: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect((error as Error).message).toMatch(/x sample 7 holds Infinity \(at offset 5 of its 36 values\)/);
  });

  it("yields to the event loop between batches and stops on stopTraining", async () => {
    const m = classifier();
    m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    let timerRan = false;
    setTimeout(() => { timerRan = true; }, 0);
    let batches = 0;
    let sawTimer = false;
    const h = await m.fit(x, sparse, {
      epochs: 5, batchSize: 4,
      onBatchEnd: async (b) => {
        batches++;
        await new Promise((r) => setTimeout(r, 1));
        sawTimer ||= timerRan;
        if (b === 2) m.stopTraining = true;
      },
    });
    expect(sawTimer).toBe(true);
    expect(batches).toBe(3);
    expect(h.loss).toHaveLength(1);
  });

  it("trains the same way twice from the same seeds", async () => {
    const run = async (): Promise<Float32Array[]> => {
      const m = classifier(7);
      m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy" });
      await m.fit(x, sparse, { epochs: 3, batchSize: 5, seed: 9, validationSplit: 0.25 });
      const w = m.getWeights();
      m.dispose();
      return w;
    };
    const [a, b] = [await run(), await run()];
    a.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThanOrEqual(SAME_SEED_ABS)));
    const c = classifier(8).getWeights();
    expect(c[0]).not.toEqual(classifier(7).getWeights()[0]);
  });
});

describe("planning", () => {
  it("a training step allocates nothing in the arena", () => {
    const m = classifier();
    m.compile({ optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }), loss: "sparseCategoricalCrossentropy" });
    m.trainOnBatch(x, sparse);
    const before = memory();
    for (let i = 0; i < 5; i++) m.trainOnBatch(x.subarray(0, 8 * 36), sparse.subarray(0, 8));
    m.evaluate(x, sparse, { batchSize: 8 });
    expect(memory()).toEqual(before);
  });

  it("dispose frees every training buffer", () => {
    const before = memory().bytesInUse;
    const m = classifier();
    m.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    m.trainOnBatch(x, sparse);
    m.dispose();
    expect(memory().bytesInUse).toBe(before);
  });
});

describe("dropout and initializers", () => {
  it("dropout drops (scaled) in training and is the identity in predict", () => {
    const m = new Sequential([new Dropout({ rate: 0.5, seed: 3 }), new Dense({ units: 1, useBias: false })],
      { inputShape: [400] });
    m.setWeights([new Float32Array(400).fill(1)]);
    const ones = new Float32Array(400).fill(1);
    expect(m.predict(ones).toArray()[0]).toBe(400);
    m.compile({ optimizer: new SGD({ learningRate: 1e-9 }), loss: "meanSquaredError" });
    // loss = (sum of kept inputs * 2 - 0)^2: kept ~ half, each scaled by 2.
    const { loss } = m.trainOnBatch(ones, [0]);
    const output = Math.sqrt(loss);
    expect(output % 2).toBe(0);
    expect(output).toBeGreaterThan(300);
    expect(output).toBeLessThan(500);
    expect(output).not.toBe(400);
  });

  it("uses the named initializers, seeded", () => {
    const he = new Sequential([new Dense({ units: 200, kernelInitializer: "heNormal", biasInitializer: "ones", seed: 5 })],
      { inputShape: [50] });
    const [k, b] = he.getWeights();
    const mean = k!.reduce((s, v) => s + v, 0) / k!.length;
    const std = Math.sqrt(k!.reduce((s, v) => s + (v - mean) ** 2, 0) / k!.length);
    // truncated at 2 stddev: std = sqrt(2/50) * 0.88
    expect(std).toBeGreaterThan(0.2 * 0.8);
    expect(std).toBeLessThan(0.2 * 0.95);
    expect(Math.max(...k!.map(Math.abs))).toBeLessThanOrEqual(0.4 + 1e-6);
    expect(b!.every((v) => v === 1)).toBe(true);
    expect(() => new Dense({ units: 1, kernelInitializer: "orthogonal" as never })).toThrow(ConfigError);
  });
});
