// Thread-count invariance of training: the same seed gives the same weights
// after fit, bit for bit, on 1 (the single-threaded binary), 2 and 3 threads,
// with each optimizer. The forward passes split across threads; BatchNorm's
// batch statistics and the backward passes run on the calling thread, the
// threaded build keeping their scratch in its own per-instance block.
import { describe, expect, it } from "vitest";
import {
  Adam, BatchNormalization, capabilities, Conv2D, Dense, DepthwiseConv2D, Flatten, init, MaxPool2D, ReLU, SGD,
  Sequential,
} from "simdcnn";
import { ramp } from "./models.js";

const OPTIMIZERS = { sgd: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), adam: () => new Adam({ learningRate: 1e-2 }) };

async function weightsAfterFit(threads: number, optimizer: keyof typeof OPTIMIZERS): Promise<Float32Array[]> {
  await init({ backend: "simd", threads });
  expect(capabilities().threads).toBe(threads);
  const model = new Sequential([
    new Conv2D({ filters: 16, kernelSize: 3, padding: "same", useBias: false, seed: 1 }),
    new BatchNormalization(),
    new ReLU(),
    new DepthwiseConv2D({ kernelSize: 3, padding: "same", activation: "relu", seed: 2 }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 8, kernelSize: 3, activation: "relu", seed: 3 }),
    new Flatten(),
    new Dense({ units: 4, activation: "softmax", seed: 4 }),
  ], { inputShape: [18, 18, 3] });
  model.compile({ optimizer: OPTIMIZERS[optimizer](), loss: "sparseCategoricalCrossentropy" });
  const batch = 24;
  const labels = Float32Array.from({ length: batch }, (_, i) => i % 4);
  await model.fit(ramp(batch * 18 * 18 * 3, batch), labels, { epochs: 3, batchSize: batch, seed: 7 });
  const weights = model.getWeights().map((w) => w.slice());
  model.dispose();
  return weights;
}

describe.each(["sgd", "adam"] as const)("%s: fit is bit-identical for 1..3 threads", (optimizer) => {
  it("three steps, every weight", async () => {
    const one = await weightsAfterFit(1, optimizer);
    for (const threads of [2, 3]) {
      const many = await weightsAfterFit(threads, optimizer);
      many.forEach((w, i) => {
        expect(new Uint32Array(w.buffer), `weight ${i}, ${threads} threads`).toEqual(new Uint32Array(one[i]!.buffer));
      });
    }
  });
});
