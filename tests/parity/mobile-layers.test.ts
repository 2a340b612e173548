// The mobile-class layers (mobile-layers.ts: dilated Conv2D, DepthwiseConv2D
// with multipliers 1 and 2 and stride 2, SeparableConv2D, ReLU with
// maxValue and negativeSlope, relu6 / elu / hardSigmoid epilogues, asymmetric
// ZeroPadding2D and Cropping2D, UpSampling2D 2 and [2, 3], GlobalMaxPool2D,
// Reshape, BatchNormalization, Add, Concatenate) in one functional model vs
// tfjs-layers (cpu backend), every backend: predictions, and three SGD steps
// of fit, per weight tensor.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Conv2D, init, SeparableConv2D, SGD } from "simdcnn";
import { fitBothAndCompare } from "../train/parity.js";
import { BACKENDS, relativeError, uniform, useTfCpu } from "./harness.js";
import { buildBoth, copyWeightsByName, tfPredictMany } from "./graphs.js";
import { buildBothTrainable } from "./tfjs-upsampling.js";
import {
  MOBILE_LAYERS_GAIN, MOBILE_LAYERS_INPUT_SCALE, MOBILE_LAYERS_KINKS, MOBILE_LAYERS_SHAPE, mobileLayersNet,
} from "./mobile-layers.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

const SAMPLES = 12;
const BATCH = 4; // three steps per epoch
const PER_SAMPLE = MOBILE_LAYERS_SHAPE.reduce((a, b) => a * b, 1);
const X = uniform(SAMPLES * PER_SAMPLE, 53, MOBILE_LAYERS_INPUT_SCALE);
const LABELS = Float32Array.from({ length: SAMPLES }, (_, i) => (i * 5 + 1) % 3);
const SEED = 37;


beforeAll(useTfCpu);
afterEach(() => {
  vi.restoreAllMocks();
});

describe("mobile-class layers: the inputs reach every activation's non-linear parts", () => {
  beforeAll(async () => {
    await init({ backend: "js" });
  });

  it.each([true, false])("on the training samples, dilated stem %s (checked on tfjs' intermediate outputs)", (dilated) => {
    const { model, tfModel } = buildBoth(mobileLayersNet({ dilated }));
    copyWeightsByName(model, tfModel, SEED, MOBILE_LAYERS_GAIN);
    const names = Object.keys(MOBILE_LAYERS_KINKS);
    const probe = tfl.model({ inputs: tfModel.inputs, outputs: names.map((n) => tfModel.getLayer(n).output as tfl.SymbolicTensor) });
    const outs = tf.tidy(() => (probe.predict(tf.tensor(X, [SAMPLES, ...MOBILE_LAYERS_SHAPE])) as tf.Tensor[])
      .map((t) => t.dataSync() as Float32Array));
    names.forEach((name, i) => expect(MOBILE_LAYERS_KINKS[name]!(outs[i]!), name).toBe(true));
    const p = tfPredictMany(tfModel, [X], SAMPLES);
    expect(Math.min(...p), "no probability near tfjs' clip").toBeGreaterThan(1e-3);
    model.dispose();
  });
});

describe.each(BACKENDS)("mobile-class layers vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each([true, false])("predicts, dilated stem %s", (dilated) => {
    const rewrites = [vi.spyOn(Conv2D.prototype, "prepareFold"), vi.spyOn(SeparableConv2D.prototype, "prepareFold"),
      vi.spyOn(Conv2D.prototype, "preparePadding")];
    const { model, tfModel } = buildBoth(mobileLayersNet({ dilated }));
    copyWeightsByName(model, tfModel, SEED, MOBILE_LAYERS_GAIN);
    for (const batch of [1, 3]) {
      const x = X.subarray(0, batch * PER_SAMPLE);
      expect(relativeError(model.predict(x).toArray(), tfPredictMany(tfModel, [x], batch))).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    // bn_stem folded into stem, bn_sep into sep's pointwise half, pad moved into stem.
    rewrites.forEach((f) => expect(f).toHaveBeenCalled());
    model.dispose();
  });

  // With the plain stem (tfjs cannot train a dilated convolution, mobile-layers.ts) and
  // UpSampling2D from tiles on the tfjs side (its own backward is wrong past a batch's first sample).
  it("trains three SGD steps in step with tfjs", async () => {
    const { model, tfModel } = buildBothTrainable(mobileLayersNet({ dilated: false }));
    copyWeightsByName(model, tfModel, SEED, MOBILE_LAYERS_GAIN);
    await fitBothAndCompare(model, tfModel, {
      x: X, labels: LABELS, loss: "sparseCategoricalCrossentropy", ours: new SGD({ learningRate: 0.05 }),
      theirs: tf.train.sgd(0.05), batchSize: BATCH,
    });
    model.dispose();
  });
});
