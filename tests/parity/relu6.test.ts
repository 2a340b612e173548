// relu6 (ActivationId.ReluCapped with cap 6) fused into Conv2D, DepthwiseConv2D
// and Dense epilogues, and a ReLU({ maxValue: 3 }) layer, against tfjs-layers
// ('relu6' and tfl.layers.reLU({ maxValue })) on every backend. The inputs are
// scaled so each capping layer sees values below 0 and above its cap (checked
// on tfjs' intermediate outputs), or the cap would go untested.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "simdcnn";
import { BACKENDS, uniform, useTfCpu } from "./harness.js";
import { buildBoth, copyWeightsByName, RELU6_CAPS, RELU6_GAIN, RELU6_INPUT_SCALE, relu6Net, tfPredictMany } from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

const SHAPE = [7, 7, 3];

beforeAll(useTfCpu);

describe.each(BACKENDS)("relu6 and ReLU({ maxValue }) vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("conv, depthwise and dense epilogues plus a capped ReLU layer", () => {
    const { model, tfModel } = buildBoth(relu6Net);
    copyWeightsByName(model, tfModel, 61, RELU6_GAIN);
    // Every capping layer sees both kinks: some outputs exactly 0, some exactly at the cap (batch 8).
    const probeX = uniform(8 * SHAPE.reduce((a, b) => a * b), 70, RELU6_INPUT_SCALE);
    for (const [name, cap] of Object.entries(RELU6_CAPS)) {
      const probe = tfl.model({ inputs: tfModel.inputs, outputs: tfModel.getLayer(name).output as tfl.SymbolicTensor });
      const out = tf.tidy(() => (probe.predict(tf.tensor(probeX, [8, ...SHAPE])) as tf.Tensor).dataSync());
      const atCap = out.filter((v) => v === cap).length;
      const atZero = out.filter((v) => v === 0).length;
      expect(atCap > 0 && atZero > 0, `${name}: ${atCap} at the cap, ${atZero} at 0 of ${out.length}`).toBe(true);
    }
    for (const batch of [1, 3, 8]) {
      const x = batch === 8 ? probeX : uniform(batch * SHAPE.reduce((a, b) => a * b), 71 + batch, RELU6_INPUT_SCALE);
      const ours = model.predict(x).toArray();
      const want = tfPredictMany(tfModel, [x], batch);
      expect(ours.length).toBe(want.length);
      const scale = Math.max(...want.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - want[i]!));
      expect(worst / scale, `max |diff| ${worst} against output scale ${scale}`).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    model.dispose();
  });
});
