// relu6 (ActivationId.ReluCapped with cap 6), elu and hardSigmoid fused into Conv2D, DepthwiseConv2D
// and Dense epilogues, and a ReLU({ maxValue: 3 }) layer, against tfjs-layers
// ('relu6', 'elu', 'hardSigmoid' and tfl.layers.reLU({ maxValue })) on every
// backend. Inputs and kernels are scaled so each layer reaches its non-linear
// parts (checked on tfjs' intermediate outputs), or they would go untested.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "simdcnn";
import { BACKENDS, uniform, useTfCpu } from "./harness.js";
import { buildBoth, copyWeightsByName, ELU_HS_GAIN, eluHardSigmoidNet, RELU6_CAPS, RELU6_GAIN, RELU6_INPUT_SCALE, relu6Net, tfPredictMany } from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

const SHAPE = [7, 7, 3];

beforeAll(useTfCpu);

describe.each(BACKENDS)("relu6, ReLU({ maxValue }), elu, hardSigmoid vs tfjs-layers on $name", ({ options }) => {
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

  it("elu and hardSigmoid in conv, depthwise and dense epilogues", () => {
    const { model, tfModel } = buildBoth(eluHardSigmoidNet);
    copyWeightsByName(model, tfModel, 67, ELU_HS_GAIN);
    const shape = [6, 6, 2];
    const probeX = uniform(8 * 72, 80, 3);
    // hardSigmoid layers reach both flat parts (0 and 1); elu layers go negative.
    for (const [name, kind] of [["dw_hs", "hs"], ["dense_hs", "hs"], ["conv_elu", "elu"], ["dense_elu", "elu"]] as const) {
      const probe = tfl.model({ inputs: tfModel.inputs, outputs: tfModel.getLayer(name).output as tfl.SymbolicTensor });
      const out = tf.tidy(() => (probe.predict(tf.tensor(probeX, [8, ...shape])) as tf.Tensor).dataSync());
      const ok = kind === "hs" ? out.some((v) => v === 0) && out.some((v) => v === 1) : out.some((v) => v < -0.1);
      expect(ok, `${name} reaches its non-linear parts`).toBe(true);
    }
    for (const batch of [1, 8]) {
      const x = batch === 8 ? probeX : uniform(72, 81, 3);
      const ours = model.predict(x).toArray();
      const want = tfPredictMany(tfModel, [x], batch);
      const scale = Math.max(...want.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - want[i]!));
      expect(worst / scale, `max |diff| ${worst} against output scale ${scale}`).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    model.dispose();
  });
});
