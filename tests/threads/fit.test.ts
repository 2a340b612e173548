// Thread-count invariance of training: the same seed gives the same weights
// after fit, bit for bit, on 1 (the single-threaded binary), 2, 3 and 4
// threads, with each optimizer, for the SIMD and relaxed-SIMD builds. The
// cases are sized so the backward splits of src/threads/split-backward.ts engage
// (at least 0.5 MFLOP a part): input gradients by images or rows, weight
// gradients by dw rows. BatchNorm's and the optimizer updates' splits are
// checked in kernel-splits.test.ts; the threaded build keeps BatchNorm's
// scratch in each instance's own block.
import { describe, expect, it } from "vitest";
import { Adam, capabilities, init, SGD, type Sequential } from "simdcnn";
import { firstBitDifference, ramp } from "./models.js";
import { TRAIN_CASES } from "./train-models.js";

const OPTIMIZERS = { sgd: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), adam: () => new Adam({ learningRate: 1e-2 }) };
type Variant = "simd" | "relaxed-simd";

async function weightsAfterFit(backend: Variant, threads: number, optimizer: keyof typeof OPTIMIZERS,
  build: () => Sequential, batch: number): Promise<Float32Array[]> {
  await init({ backend, threads, nodeRelaxedSimdFlag: true });
  expect(capabilities().threads).toBe(threads);
  const model = build();
  model.compile({ optimizer: OPTIMIZERS[optimizer](), loss: "sparseCategoricalCrossentropy" });
  const classes = model.outputShape[model.outputShape.length - 1]!;
  const sample = model.inputShape.reduce((a, b) => a * b, 1);
  const labels = Float32Array.from({ length: batch }, (_, i) => i % classes);
  await model.fit(ramp(batch * sample, batch), labels, { epochs: 3, batchSize: batch, seed: 7 });
  const weights = model.getWeights().map((w) => w.slice());
  model.dispose();
  return weights;
}

describe.each(["simd", "relaxed-simd"] as const)("%s: fit is bit-identical for 1..4 threads", (backend) => {
  describe.each(TRAIN_CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    it.each(["sgd", "adam"] as const)("three %s steps, every weight", async (optimizer) => {
      const one = await weightsAfterFit(backend, 1, optimizer, c.build, c.batch);
      for (const threads of [2, 3, 4]) {
        const many = await weightsAfterFit(backend, threads, optimizer, c.build, c.batch);
        expect(many.length).toBe(one.length);
        many.forEach((w, i) => {
          expect(w.length, `weight ${i}, ${threads} threads`).toBe(one[i]!.length);
          expect(firstBitDifference(w, one[i]!), `weight ${i}, ${threads} threads`).toBe(-1);
        });
      }
    });
  });
});
