// Training a functional residual net with BatchNormalization against
// tfjs-layers' fit (cpu backend, shuffle off, the same batches): three SGD
// steps and three Adam steps. Every weight tensor, BatchNorm's moving
// statistics included, must land within OPTIMIZER_PARITY_REL of how far
// tfjs moved that tensor. Weights are copied layer by layer, by name.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Adam, init, SGD, type Optimizer } from "simdcnn";
import { BACKENDS, uniform, useTfCpu } from "../parity/harness.js";
import { buildBoth, copyWeightsByName, ELU_HS_GAIN, eluHardSigmoidNet, RELU6_GAIN, RELU6_INPUT_SCALE, relu6Net, type Describe } from "../parity/graphs.js";
import { fitBothAndCompare } from "./parity.js";

const residualBN: Describe = (L) => {
  const inp = L.input([6, 6, 3], "image");
  let x = L.conv("stem", { filters: 4, kernelSize: 3, padding: "same", useBias: false })(inp);
  x = L.relu("stem_relu")(L.bn("stem_bn")(x));
  let y = L.conv("block_a", { filters: 4, kernelSize: 3, padding: "same", useBias: false })(x);
  y = L.activation("block_tanh", "tanh")(L.bn("block_a_bn")(y));
  // Every BatchNorm keeps gamma and beta: tfjs-layers 4.22 cannot train one without them (its
  // training branch reads this.gamma / this.beta unconditionally); tests/graph/gradients.test.ts
  // checks those variants against finite differences instead.
  y = L.bn("block_b_bn", { epsilon: 0.01 })(L.conv("block_b", { filters: 4, kernelSize: 3, padding: "same", useBias: false })(y));
  // A ReLU after the join, as ResNets have: without a non-linearity before the dense BatchNorm,
  // a per-channel shift here would be cancelled by its batch mean (a zero true gradient).
  const s = L.relu("residual_relu")(L.add("residual")([x, y]));
  const flat = L.flatten("flat")(L.maxPool("pool", 2)(s));
  // No bias right before a BatchNorm (as ResNets do): the batch mean cancels it, so its true
  // gradient is 0 and both libraries would move it by rounding noise alone (Adam amplifies that).
  const h = L.bn("dense_bn", { momentum: 0.9 })(L.dense("hidden", { units: 6, useBias: false })(flat));
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(h) };
};

const twoInputs: Describe = (L) => {
  const image = L.input([5, 5, 2], "image");
  const meta = L.input([4], "meta");
  const f = L.gap("pool")(L.bn("conv_bn")(L.conv("conv", { filters: 3, kernelSize: 3, padding: "same", useBias: false })(image)));
  const m = L.dense("meta_dense", { units: 3, activation: "tanh" })(meta);
  return { inputs: [image, meta], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.concat("join")([f, m])) };
};

const SAMPLES = 12;
const BATCH = 4; // three steps per epoch

// Adam's epsilon is 1e-4 here, not Keras' 1e-7. Adam's first steps move a weight by about
// lr * g / (|g| + epsilon): sign-like whenever |g| >> epsilon. One element of block_b_bn/beta
// has |g| ~ 5e-8 in this net (its channel is almost all cut by the ReLU after the join), so with
// epsilon 1e-7 its step, up to lr, is decided by g's rounding and the comparison would measure
// float32 noise, not the gradient. With 1e-4 that step is proportional to g; the rest stay sign-like.
const OPTIMIZERS: { name: string; ours: () => Optimizer; theirs: () => tf.Optimizer }[] = [
  { name: "SGD", ours: () => new SGD({ learningRate: 0.1 }), theirs: () => tf.train.sgd(0.1) },
  { name: "Adam", ours: () => new Adam({ learningRate: 0.01, epsilon: 1e-4 }), theirs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-4) },
];

beforeAll(useTfCpu);

describe.each(BACKENDS)("residual net with BatchNorm: training parity with tfjs on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(OPTIMIZERS)("$name: three steps of fit", async (opt) => {
    const { model, tfModel } = buildBoth(residualBN);
    copyWeightsByName(model, tfModel, 17);
    const x = uniform(SAMPLES * 6 * 6 * 3, 41);
    const classes = Float32Array.from({ length: SAMPLES }, (_, i) => (i * 5 + 1) % 3);
    const oneHot = new Float32Array(SAMPLES * 3);
    classes.forEach((c, i) => { oneHot[i * 3 + c] = 1; });

    await fitBothAndCompare(model, tfModel, {
      x, labels: oneHot, loss: "categoricalCrossentropy", ours: opt.ours(),
      theirs: opt.theirs(), batchSize: BATCH,
    });
    model.dispose();
  });

  // relu6 in Conv2D / DepthwiseConv2D / Dense epilogues and a ReLU({ maxValue: 3 }) layer, with inputs
  // large enough to cross both kinks (tests/parity/relu6.test.ts checks they do): the backward passes
  // dy only where 0 < y < cap. tfjs' relu6 gradient also passes it at x == 6 exactly, which no
  // float here lands on.
  it("relu6 and ReLU({ maxValue: 3 }): three SGD steps of fit", async () => {
    const { model, tfModel } = buildBoth(relu6Net);
    copyWeightsByName(model, tfModel, 61, RELU6_GAIN);
    const x = uniform(SAMPLES * 7 * 7 * 3, 53, RELU6_INPUT_SCALE);
    const classes = Float32Array.from({ length: SAMPLES }, (_, i) => (i * 2 + 1) % 3);
    const oneHot = new Float32Array(SAMPLES * 3);
    classes.forEach((c, i) => { oneHot[i * 3 + c] = 1; });

    await fitBothAndCompare(model, tfModel, {
      x, labels: oneHot, loss: "categoricalCrossentropy", ours: new SGD({ learningRate: 0.05 }),
      theirs: tf.train.sgd(0.05), batchSize: BATCH,
    });
    model.dispose();
  });

  it("elu and hardSigmoid epilogues: three SGD steps of fit", async () => {
    const { model, tfModel } = buildBoth(eluHardSigmoidNet);
    copyWeightsByName(model, tfModel, 67, ELU_HS_GAIN);
    const x = uniform(SAMPLES * 6 * 6 * 2, 59, 3);
    const sparse = Float32Array.from({ length: SAMPLES }, (_, i) => (i * 5 + 2) % 3);

    await fitBothAndCompare(model, tfModel, {
      x, labels: sparse, loss: "sparseCategoricalCrossentropy", ours: new SGD({ learningRate: 0.05 }),
      theirs: tf.train.sgd(0.05), batchSize: BATCH,
    });
    model.dispose();
  });

  it("two inputs, one output (image and metadata joined): three SGD steps of fit", async () => {
    const { model, tfModel } = buildBoth(twoInputs);
    copyWeightsByName(model, tfModel, 23);
    const image = uniform(SAMPLES * 5 * 5 * 2, 43);
    const meta = uniform(SAMPLES * 4, 47);
    const sparse = Float32Array.from({ length: SAMPLES }, (_, i) => (i * 7 + 2) % 3);

    await fitBothAndCompare(model, tfModel, {
      x: [image, meta], labels: sparse, loss: "sparseCategoricalCrossentropy", ours: new SGD({ learningRate: 0.1 }),
      theirs: tf.train.sgd(0.1), batchSize: BATCH,
    });
    expect(model.evaluate([image, meta], sparse).loss).toBeGreaterThan(0);
    expect(() => model.trainOnBatch(image, sparse)).toThrow(/the model has 2 inputs, so x must be an array of 2/);
    model.dispose();
  });
});
