// A few optimizer steps against TensorFlow.js (tfjs-layers on the cpu
// backend, shuffle off), from the same start weights on the same batches:
// SGD, momentum and Adam on a conv model (strided 'same' conv, overlapping
// max pool, padded avg pool, global avg pool, dense, tanh/relu/sigmoid,
// fused softmax + cross-entropy) and dense binary models (fused sigmoid +
// binary cross-entropy, Activation layers, an un-fused softmax under MSE).
// Every backward path of every layer runs at least once.
//
// Average pooling trains here with 'valid' padding only: tfjs-backend-cpu's
// AvgPoolGrad divides every window by the full pool area even where the
// forward divided by the real (unpadded) cells, so its 'same'-padded
// gradient is not the derivative of its own forward. Ours follows the
// forward (as TensorFlow's C++ kernel); the kernel tests check it against
// finite differences.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, it } from "vitest";
import {
  Activation, Adam, AvgPool2D, Conv2D, Dense, Dropout, Flatten, GlobalAvgPool2D, init, MaxPool2D, ReLU,
  Sequential, SGD, type LossName, type Optimizer,
} from "simdcnn";
import { BACKENDS, seedTfWeights, uniform, useTfCpu } from "../parity/harness.js";
import { expectPerTensorParity } from "./parity.js";

interface Case {
  name: string;
  inputShape: number[];
  ours: () => Sequential;
  theirs: () => tfl.Sequential;
  loss: LossName;
  /** Label floats per sample: classes for one-hot, 1 for indices/binary. */
  classes: number;
  labelKind: "onehot" | "sparse" | "binary" | "regression";
}

const SAMPLES = 12;
const BATCH = 4;
const EPOCHS = 2;

const CASES: Case[] = [
  {
    name: "conv: strided same conv, max/avg pool, dense, fused softmax CE",
    inputShape: [12, 12, 2],
    loss: "categoricalCrossentropy",
    classes: 5,
    labelKind: "onehot",
    ours: () => new Sequential([
      new Conv2D({ filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
      new MaxPool2D({ poolSize: 2, strides: 1 }),
      new Conv2D({ filters: 6, kernelSize: 3, padding: "same", activation: "tanh" }),
      new AvgPool2D({ poolSize: 2, strides: 1 }),
      new Flatten(),
      new Dense({ units: 8, activation: "sigmoid" }),
      new Dropout({ rate: 0 }),
      new Dense({ units: 5, activation: "softmax" }),
    ], { inputShape: [12, 12, 2] }),
    theirs: () => tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 1 }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "tanh" }),
      tfl.layers.averagePooling2d({ poolSize: 2, strides: 1 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 8, activation: "sigmoid" }),
      tfl.layers.dropout({ rate: 0 }),
      tfl.layers.dense({ units: 5, activation: "softmax" }),
    ] }),
  },
  {
    name: "conv: valid conv, global avg pool, sparse softmax CE",
    inputShape: [7, 6, 3],
    loss: "sparseCategoricalCrossentropy",
    classes: 4,
    labelKind: "sparse",
    ours: () => new Sequential([
      new Conv2D({ filters: 5, kernelSize: [3, 2], activation: "relu" }),
      new GlobalAvgPool2D(),
      new Dense({ units: 4, activation: "softmax" }),
    ], { inputShape: [7, 6, 3] }),
    theirs: () => tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: [7, 6, 3], filters: 5, kernelSize: [3, 2], activation: "relu" }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 4, activation: "softmax" }),
    ] }),
  },
  {
    name: "dense binary: tanh hidden, fused sigmoid BCE",
    inputShape: [5],
    loss: "binaryCrossentropy",
    classes: 1,
    labelKind: "binary",
    ours: () => new Sequential([
      new Dense({ units: 6, activation: "tanh" }),
      new Dense({ units: 1, activation: "sigmoid" }),
    ], { inputShape: [5] }),
    theirs: () => tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [5], units: 6, activation: "tanh" }),
      tfl.layers.dense({ units: 1, activation: "sigmoid" }),
    ] }),
  },
  {
    name: "dense binary: ReLU and sigmoid Activation layers (fused through a layer)",
    inputShape: [5],
    loss: "binaryCrossentropy",
    classes: 1,
    labelKind: "binary",
    ours: () => new Sequential([
      new Dense({ units: 6 }),
      new ReLU(),
      new Dense({ units: 1 }),
      new Activation({ activation: "sigmoid" }),
    ], { inputShape: [5] }),
    theirs: () => tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [5], units: 6 }),
      tfl.layers.reLU(),
      tfl.layers.dense({ units: 1 }),
      tfl.layers.activation({ activation: "sigmoid" }),
    ] }),
  },
  {
    name: "dense regression: un-fused softmax under MSE",
    inputShape: [4],
    loss: "meanSquaredError",
    classes: 3,
    labelKind: "regression",
    ours: () => new Sequential([
      new Dense({ units: 5, activation: "sigmoid" }),
      new Dense({ units: 3, activation: "softmax" }),
    ], { inputShape: [4] }),
    theirs: () => tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [4], units: 5, activation: "sigmoid" }),
      tfl.layers.dense({ units: 3, activation: "softmax" }),
    ] }),
  },
];

const OPTIMIZERS: { name: string; ours: () => Optimizer; theirs: () => tf.Optimizer }[] = [
  { name: "SGD", ours: () => new SGD({ learningRate: 0.1 }), theirs: () => tf.train.sgd(0.1) },
  {
    name: "momentum", ours: () => new SGD({ learningRate: 0.05, momentum: 0.9 }),
    theirs: () => tf.train.momentum(0.05, 0.9),
  },
  {
    name: "Adam", ours: () => new Adam({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
    theirs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
  },
];

/** Labels for `c`: ours (flat) and tfjs' tensor shape. */
function labelsFor(c: Case, seed: number): { flat: Float32Array; shape: number[] } {
  const r = uniform(SAMPLES, seed);
  const pick = (i: number): number => Math.min(c.classes - 1, Math.floor(((r[i]! + 1) / 2) * c.classes));
  switch (c.labelKind) {
    case "onehot": {
      const flat = new Float32Array(SAMPLES * c.classes);
      for (let i = 0; i < SAMPLES; i++) flat[i * c.classes + pick(i)] = 1;
      return { flat, shape: [SAMPLES, c.classes] };
    }
    case "sparse":
      return { flat: Float32Array.from({ length: SAMPLES }, (_, i) => pick(i)), shape: [SAMPLES] };
    case "binary":
      return { flat: Float32Array.from(r, (v) => (v > 0 ? 1 : 0)), shape: [SAMPLES, 1] };
    case "regression": {
      const flat = uniform(SAMPLES * c.classes, seed + 7, 0.5).map((v) => v + 0.3);
      return { flat, shape: [SAMPLES, c.classes] };
    }
  }
}

beforeAll(useTfCpu);

describe.each(BACKENDS)("training parity with tfjs on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  describe.each(CASES)("$name", (c) => {
    it.each(OPTIMIZERS)("$name: weights after fit agree with tfjs", async (opt) => {
      const theirs = c.theirs();
      const start = seedTfWeights(theirs, 31);
      const perSample = c.inputShape.reduce((a, b) => a * b, 1);
      const x = uniform(SAMPLES * perSample, 77);
      const labels = labelsFor(c, 5);
      theirs.compile({ optimizer: opt.theirs(), loss: c.loss });
      const xs = tf.tensor(x, [SAMPLES, ...c.inputShape]);
      const ys = tf.tensor(labels.flat, labels.shape);
      await theirs.fit(xs, ys, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0 });
      xs.dispose();
      ys.dispose();
      const tfAfter = theirs.getWeights().map((w) => w.dataSync() as Float32Array);

      const ours = c.ours();
      ours.setWeights(start);
      ours.compile({ optimizer: opt.ours(), loss: c.loss });
      await ours.fit(x, labels.flat, { epochs: EPOCHS, batchSize: BATCH, shuffle: false });
      const names = ours.layers.flatMap((l) => l.weights().map((w) => `${l.name}/${w.name}`));
      const worst = expectPerTensorParity(ours.getWeights(), tfAfter, start, names);
      ours.dispose();
      if (process.env.SIMDCNN_PARITY_LOG) console.log(`${c.name} / ${opt.name}: ${worst.toExponential(2)}`);
    });
  });
});
