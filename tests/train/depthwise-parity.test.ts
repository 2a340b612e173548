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
import { expectPerTensorParity } from "./parity.js";

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
    const start = model.getWeights();
    const x = uniform(SAMPLES * 7 * 7 * 3, 43);
    const oneHot = new Float32Array(SAMPLES * 3);
    for (let i = 0; i < SAMPLES; i++) oneHot[i * 3 + ((i * 5 + 1) % 3)] = 1;

    tfModel.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
    const xs = tf.tensor(x, [SAMPLES, 7, 7, 3]);
    const ys = tf.tensor(oneHot, [SAMPLES, 3]);
    await tfModel.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
    const theirs = model.layers.flatMap((l) => (l.weights().length === 0 ? [] :
      tfModel.getLayer(l.name!).getWeights().map((w) => w.dataSync() as Float32Array)));

    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "categoricalCrossentropy" });
    await model.fit(x, oneHot, { epochs: 1, batchSize: BATCH, shuffle: false });
    const names = model.layers.flatMap((l) => l.weights().map((w) => `${l.name}/${w.name}`));
    expectPerTensorParity(model.getWeights(), theirs, start, names);
    model.dispose();
  });
});
