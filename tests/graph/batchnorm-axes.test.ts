// BatchNormalization over an axis other than the channels (Keras' `axis`
// counts the batch axis: 1 is the rows of an NHWC image, -2 the columns),
// at inference, against the formula in float64. Not against tfjs-layers:
// its 4.22 inference path broadcasts the statistics of a non-last axis
// wrongly (off by up to 20 on this very case), while Keras' formula is
// gamma (x - mean) / sqrt(var + epsilon) + beta along the chosen axis.
import { beforeAll, describe, expect, it } from "vitest";
import { BatchNormalization, init, input, Model } from "simdcnn";
import { BACKENDS, uniform } from "../parity/harness.js";
import { BN_AXIS_ABS } from "./tolerances.js";

describe.each(BACKENDS)("BatchNormalization axes at inference on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each([[1, 0], [-2, 1], [3, 2], [-1, 2]])("axis %i normalises sample axis %i of [4, 5, 3]", (axis, a) => {
    const shape = [4, 5, 3];
    const inp = input({ shape });
    const bn = new BatchNormalization({ axis, epsilon: 0.01 });
    const model = new Model({ inputs: inp, outputs: bn.apply(inp) });
    const c = shape[a]!;
    const [gamma, beta, mean] = [uniform(c, 1, 0.5).map((v) => 1 + v), uniform(c, 2, 0.3), uniform(c, 3, 0.5)];
    const variance = uniform(c, 4, 0.5).map((v) => 1 + v);
    bn.setWeights([gamma, beta, mean, variance]);
    const batch = 2;
    const x = uniform(batch * 60, 5, 2);
    const y = model.predict(x).toArray();
    const strides = [15, 3, 1];
    for (let i = 0; i < x.length; i++) {
      const ch = Math.floor((i % 60) / strides[a]!) % c;
      const want = gamma[ch]! * (x[i]! - mean[ch]!) / Math.sqrt(variance[ch]! + 0.01) + beta[ch]!;
      expect(Math.abs(y[i]! - want), `element ${i}`).toBeLessThanOrEqual(BN_AXIS_ABS);
    }
    model.dispose();
  });
});
