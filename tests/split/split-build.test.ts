// The browser's split build, driven from Node through init({ wasm }) given
// an inference binary: the Node entry then reads the training half from
// dist/wasm/ on the first compile, as a page fetches it. Everything the
// split build computes must be bit for bit what the whole binary computes
// (both are the same kernels, built from the same source), and a training
// call before the training half is there must say what to await.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  Adam, BackendError, BatchNormalization, capabilities, Conv2D, Conv2DTranspose, Dense, DepthwiseConv2D, Dropout,
  Flatten, init, loadModel, MaxPool2D, memory, SGD, Sequential, type Optimizer,
} from "simdcnn";
import { readWasmBytes } from "../support/backends.js";

const BUILDS = ["simd", "relaxed-simd"] as const;
const dist = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../dist/wasm/${file}.wasm`, import.meta.url)));

/** Every layer kind whose forward or backward lives in one half or the other (dropout, BN statistics, transposed conv). */
function buildModel(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 6, kernelSize: 3, padding: "same", activation: "relu", seed: 1 }),
    new BatchNormalization(),
    new DepthwiseConv2D({ kernelSize: 3, strides: 2, padding: "same", seed: 2 }),
    new Conv2DTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: "same", seed: 3 }),
    new MaxPool2D({ poolSize: 2 }),
    new Dropout({ rate: 0.25, seed: 4 }),
    new Flatten(),
    new Dense({ units: 5, activation: "softmax", seed: 5 }),
  ], { inputShape: [12, 12, 3] });
}

const BATCH = 6;
const x = Float32Array.from({ length: BATCH * 12 * 12 * 3 }, (_, i) => Math.sin(i * 0.37));
const labels = Array.from({ length: BATCH }, (_, i) => i % 5);

interface Run { predicted: Float32Array; losses: number[]; weights: Float32Array[]; evaluated: number }

/** Predict, then 3 steps of `optimizer` and a fit epoch; compile awaited, as a page must. */
async function run(optimizer: () => Optimizer): Promise<Run> {
  const model = buildModel();
  const predicted = model.predict(x).toArray();
  await model.compile({ optimizer: optimizer(), loss: "sparseCategoricalCrossentropy" });
  const losses = [0, 1, 2].map(() => model.trainOnBatch(x, labels).loss);
  await model.fit(x, labels, { epochs: 1, batchSize: 4, shuffle: false });
  const evaluated = model.evaluate(x, labels).loss;
  const weights = model.getWeights();
  model.dispose();
  return { predicted, losses, weights, evaluated };
}

const OPTIMIZERS: [string, () => Optimizer][] = [
  ["SGD with momentum", () => new SGD({ learningRate: 0.05, momentum: 0.9 })],
  ["Adam", () => new Adam({ learningRate: 0.01 })],
];

describe.each(BUILDS)("the split %s build", (build) => {
  // The relaxed binaries need V8's flag on Node 20: readWasmBytes sets it.
  const whole = readWasmBytes(build);

  it("loads as the inference binary and says so", async () => {
    const caps = await init({ wasm: dist(`${build}-inference`) });
    expect(caps.backend).toBe(build);
    expect(caps.binary).toBe(`${build}-inference`);
  });

  it.each(OPTIMIZERS)("predicts and trains (%s) bit for bit as the whole binary", async (_, optimizer) => {
    await init({ wasm: whole });
    expect(capabilities().binary).toBe(build);
    const expected = await run(optimizer);
    await init({ wasm: dist(`${build}-inference`) });
    const actual = await run(optimizer);
    expect(actual.predicted).toEqual(expected.predicted);
    expect(actual.losses).toEqual(expected.losses);
    expect(actual.evaluated).toBe(expected.evaluated);
    expect(actual.weights).toEqual(expected.weights);
  });

  it("refuses to train or evaluate until compile's promise resolves, then trains", async () => {
    await init({ wasm: dist(`${build}-inference`) });
    const model = buildModel();
    const compiled = model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    expect(() => model.trainOnBatch(x, labels)).toThrow(BackendError);
    expect(() => model.trainOnBatch(x, labels)).toThrow("`await model.compile(...)` before trainOnBatch()");
    expect(() => model.evaluate(x, labels)).toThrow("before evaluate()");
    await compiled;
    expect(Number.isFinite(model.trainOnBatch(x, labels).loss)).toBe(true);
    // The half is loaded once per backend: a second model compiles at once.
    const second = buildModel();
    void second.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    expect(Number.isFinite(second.trainOnBatch(x, labels).loss)).toBe(true);
    model.dispose();
    second.dispose();
  });

  it("a later compile supersedes a pending one, and dispose() abandons it", async () => {
    await init({ wasm: dist(`${build}-inference`) });
    const model = buildModel();
    const first = model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const second = model.compile({ optimizer: new Adam({ learningRate: 0.5 }), loss: "sparseCategoricalCrossentropy" });
    await Promise.all([first, second]);
    const { modelJson } = await model.save();
    expect(JSON.stringify((modelJson as { trainingConfig: unknown }).trainingConfig)).toContain("\"learningRate\":0.5");
    const abandoned = buildModel();
    const pending = abandoned.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    abandoned.dispose();
    await pending;
    model.dispose();
  });

  it("loadModel of a compiled model resolves ready to train, with its optimizer state", async () => {
    await init({ wasm: whole });
    const source = buildModel();
    source.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy" });
    source.trainOnBatch(x, labels);
    const { modelJson, weights } = await source.save({ includeOptimizer: true });
    source.dispose();
    const stepAfterLoad = async (): Promise<[number, Float32Array[]]> => {
      const loaded = await loadModel(modelJson, weights);
      const { loss } = loaded.trainOnBatch(x, labels);
      const after = loaded.getWeights();
      loaded.dispose();
      return [loss, after];
    };
    const expected = await stepAfterLoad();
    await init({ wasm: dist(`${build}-inference`) });
    expect(await stepAfterLoad()).toEqual(expected);
  });

  it("keeps the training half's scratch in the arena, allocated once", async () => {
    await init({ wasm: dist(`${build}-inference`) });
    const before = memory().bytesInUse;
    const model = buildModel();
    await model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    model.dispose();
    const scratch = memory().bytesInUse - before;
    expect(scratch).toBeGreaterThan(48 * 1024);
    const again = buildModel();
    await again.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    again.dispose();
    expect(memory().bytesInUse - before).toBe(scratch);
  });
});

describe("the training half's checks", () => {
  it("refuses a training half of another build than the inference binary", async () => {
    // The simd inference binary with the relaxed training half: attach must notice.
    const { createWasmKernels, attachTrainingHalf } = await import("../../src/backend/wasm.js");
    readWasmBytes("relaxed-simd");
    const kernels = await createWasmKernels(dist("simd-inference"));
    expect(kernels.trainable).toBe(false);
    await expect(attachTrainingHalf(kernels, dist("relaxed-simd-training"), () => 1 << 16))
      .rejects.toThrow("the training binary is the 'relaxed-simd' build, but the inference binary is the 'simd' build");
    expect(kernels.trainable).toBe(false);
  });

  it("refuses a whole binary as a training half", async () => {
    const { createWasmKernels, attachTrainingHalf } = await import("../../src/backend/wasm.js");
    const kernels = await createWasmKernels(dist("simd-inference"));
    await expect(attachTrainingHalf(kernels, dist("simd"), () => 1 << 16)).rejects.toThrow();
  });
});
