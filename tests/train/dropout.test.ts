// Dropout while training, through the public API: x -> Dense (identity
// kernel, zero bias) -> Dropout -> Dense (ones, no bias) -> y = sum of the
// kept, scaled units, under MSE with target 0. Then dL/dbias_j = 2 y m_j
// (m the mask), so one SGD step with learning rate 1 reads the mask the
// backward pass used, and y (from the loss) is what the forward pass kept:
// the two must be the same mask. The kept fraction must be Binomial(n, keep).
import { beforeAll, describe, expect, it } from "vitest";
import { Dense, Dropout, init, SGD, Sequential, type InitOptions } from "simdcnn";
import { DROPOUT_KEPT_SIGMAS, MASK_ABS } from "./tolerances.js";

const N = 1000;
const BACKENDS: InitOptions[] = [{ backend: "js" }, { backend: "simd" }, { backend: "scalar" }];

describe.each(BACKENDS)("Dropout training on %o", (options) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each([0.1, 0.5, 0.8])("rate %f: backward uses the forward's mask, and the kept fraction is binomial", (rate) => {
    const model = new Sequential([new Dense({ units: N }), new Dropout({ rate, seed: 3 }), new Dense({ units: 1, useBias: false })],
      { inputShape: [N] });
    const identity = new Float32Array(N * N);
    for (let i = 0; i < N; i++) identity[i * N + i] = 1;
    model.setWeights([identity, new Float32Array(N), new Float32Array(N).fill(1)]);
    model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: "meanSquaredError" });
    const keep = 1 - rate;
    for (let step = 0; step < 3; step++) {
      const before = model.getWeights()[1]!;
      const { loss } = model.trainOnBatch(new Float32Array(N).fill(1), [0]);
      const y = Math.sqrt(loss);
      const after = model.getWeights()[1]!;
      let kept = 0;
      let sum = 0;
      for (let j = 0; j < N; j++) {
        const m = (before[j]! - after[j]!) / (2 * y);
        const isKept = Math.abs(m - 1 / keep) <= MASK_ABS;
        expect(isKept || Math.abs(m) <= MASK_ABS, `mask[${j}] = ${m}`).toBe(true);
        if (isKept) kept++;
        sum += m;
      }
      // Forward and backward saw one mask: the output is the sum of the mask (inputs are ones).
      expect(Math.abs(sum - y)).toBeLessThanOrEqual(MASK_ABS * N);
      const sd = Math.sqrt(N * keep * (1 - keep));
      expect(Math.abs(kept - N * keep)).toBeLessThanOrEqual(DROPOUT_KEPT_SIGMAS * sd);
      model.setWeights([identity, new Float32Array(N), new Float32Array(N).fill(1)]);
    }
    // At inference Dropout passes everything through: y = N.
    expect(model.predict(new Float32Array(N).fill(1)).toArray()[0]).toBeCloseTo(N, 2);
    model.dispose();
  });
});
