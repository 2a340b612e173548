// Training a small net with DepthwiseConv2D layers against tfjs-layers' fit
// (cpu backend, shuffle off, the same batches): three SGD steps. Every
// weight tensor must land within OPTIMIZER_PARITY_REL of how far tfjs moved
// it. Exercises both depthwise backward kernels (input and filter + bias),
// a depth multiplier of 2, stride 2, 'same' and 'valid', and a BatchNorm
// after a depthwise layer (unfolded while training). Weights are copied by name.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, it } from "vitest";
import { init, SGD } from "simdcnn";
import { BACKENDS, uniform, useTfCpu } from "../parity/harness.js";
import { buildBoth, copyWeightsByName, type Describe } from "../parity/graphs.js";
import { fitBothAndCompare } from "./parity.js";

const depthwiseNet: Describe = (L) => {
  const inp = L.input([7, 7, 3], "image");
  let x = L.depthwise("dw_a", { kernelSize: 3, padding: "same", depthMultiplier: 2, useBias: false })(inp);
  x = L.relu("dw_a_relu")(L.bn("dw_a_bn")(x));
  x = L.depthwise("dw_b", { kernelSize: 3, strides: 2, activation: "tanh" })(x);
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.flatten("flat")(x)) };
};

const SAMPLES = 12;
const BATCH = 4; // three steps per epoch

beforeAll(useTfCpu);

describe.each(BACKENDS)("DepthwiseConv2D net: training parity with tfjs on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("SGD: three steps of fit", async () => {
    const { model, tfModel } = buildBoth(depthwiseNet);
    copyWeightsByName(model, tfModel, 29);
    const x = uniform(SAMPLES * 7 * 7 * 3, 43);
    const oneHot = new Float32Array(SAMPLES * 3);
    for (let i = 0; i < SAMPLES; i++) oneHot[i * 3 + ((i * 5 + 1) % 3)] = 1;

    await fitBothAndCompare(model, tfModel, {
      x, labels: oneHot, loss: "categoricalCrossentropy", ours: new SGD({ learningRate: 0.1 }),
      theirs: tf.train.sgd(0.1), batchSize: BATCH,
    });
    model.dispose();
  });
});
