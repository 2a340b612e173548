// Whole-graph gradient checks: every trainable weight's gradient, as one
// SGD step with learning rate 1 reveals it (w_before - w_after), against
// central differences of the training-mode loss (trainOnBatch returns the
// loss before its update; the weights are set again before every call). Covers what only a graph has: a
// tensor read by several layers (its gradient summed over them), every merge
// layer, Concatenate, a layer applied twice, and BatchNormalization in
// training mode (batch statistics) after a conv and after a dense layer,
// dilated Conv2D (its im2col + GEMM path) and DepthwiseConv2D (tfjs cannot
// train a dilated conv, so this is their whole-layer gradient check), and the
// layers that move data (ZeroPadding2D, Cropping2D, UpSampling2D,
// GlobalMaxPool2D, Reshape), between convolutions whose gradients see them;
// Conv2DTranspose (its kernel, bias and input gradients) and swish, whose
// gradient is read from the input each layer keeps for it.
// On the plain-JS backend, whose float64 accumulations keep the differences clean.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Activation, Add, Average, BatchNormalization, Concatenate, Conv2D, Conv2DTranspose, Cropping2D, Dense, DepthwiseConv2D,
  Flatten, GlobalMaxPool2D, init, input, Maximum, Model, Multiply, Reshape, SeparableConv2D, SGD, UpSampling2D,
  ZeroPadding2D, type LossName,
  type SymbolicTensor,
} from "simdcnn";
import { uniform } from "../parity/harness.js";
import { expectCentralDifference } from "./tolerances.js";

interface Case {
  name: string;
  build: () => { inputs: SymbolicTensor; outputs: SymbolicTensor };
  loss: LossName;
  batch: number;
}

const CASES: Case[] = [
  {
    name: "fan-out into every merge layer and a concatenation",
    loss: "meanSquaredError",
    batch: 3,
    build: () => {
      const inp = input({ shape: [5, 5, 2] });
      const a = new Conv2D({ filters: 3, padding: "same", activation: "tanh" }).apply(inp);
      const b = new Conv2D({ filters: 3, padding: "same", activation: "tanh" }).apply(a);
      const c = new Conv2D({ filters: 3, padding: "same", activation: "sigmoid" }).apply(a);
      const sum = new Add().apply([a, b]);
      const product = new Multiply().apply([b, c, a]);
      const mean = new Average().apply([a, c, b]);
      const max = new Maximum().apply([sum, product, mean]);
      const doubled = new Add().apply([a, a]); // one tensor twice in one call
      const joined = new Concatenate().apply([max, mean, a, doubled]);
      return { inputs: inp, outputs: new Dense({ units: 3 }).apply(new Flatten().apply(joined)) };
    },
  },
  {
    name: "BatchNormalization in training mode, after a conv and after a dense layer, fused softmax",
    loss: "categoricalCrossentropy",
    batch: 4,
    build: () => {
      const inp = input({ shape: [4, 4, 3] });
      let x = new Conv2D({ filters: 5, useBias: false, padding: "same" }).apply(inp);
      x = new Activation({ activation: "tanh" }).apply(new BatchNormalization().apply(x));
      x = new BatchNormalization({ center: false }).apply(x);
      x = new Dense({ units: 4 }).apply(new Flatten().apply(x));
      x = new BatchNormalization({ scale: false }).apply(x);
      return { inputs: inp, outputs: new Dense({ units: 3, activation: "softmax" }).apply(x) };
    },
  },
  {
    name: "BatchNormalization over the rows (axis 1) and the columns (axis -2) in training mode",
    loss: "meanSquaredError",
    batch: 3,
    build: () => {
      const inp = input({ shape: [4, 5, 3] });
      const x = new Conv2D({ filters: 3, padding: "same", activation: "tanh" }).apply(inp);
      const y = new BatchNormalization({ axis: -2 }).apply(new BatchNormalization({ axis: 1 }).apply(x));
      return { inputs: inp, outputs: new Dense({ units: 2 }).apply(new Flatten().apply(y)) };
    },
  },
  {
    name: "a layer applied twice (its gradient summed over both calls)",
    loss: "meanSquaredError",
    batch: 2,
    build: () => {
      const inp = input({ shape: [4, 4, 3] });
      const shared = new Conv2D({ filters: 3, padding: "same", activation: "tanh" });
      const once = shared.apply(inp);
      const twice = shared.apply(once);
      const out = new Add().apply([once, new Conv2D({ filters: 3, padding: "same" }).apply(twice)]);
      return { inputs: inp, outputs: new Dense({ units: 2, activation: "sigmoid" }).apply(new Flatten().apply(out)) };
    },
  },
  {
    name: "dilated Conv2D ('same' and 'valid') and DepthwiseConv2D (dilated, multiplier 2, stride 2)",
    loss: "meanSquaredError",
    batch: 2,
    build: () => {
      const inp = input({ shape: [7, 8, 2] });
      let x = new Conv2D({ filters: 3, dilationRate: 2, padding: "same", activation: "tanh" }).apply(inp);
      x = new DepthwiseConv2D({ kernelSize: 3, dilationRate: [2, 1], depthMultiplier: 2, padding: "same", activation: "tanh" }).apply(x);
      x = new DepthwiseConv2D({ kernelSize: 3, strides: 2, activation: "sigmoid" }).apply(x);
      x = new Conv2D({ filters: 2, kernelSize: [1, 2], dilationRate: [1, 2] }).apply(x);
      return { inputs: inp, outputs: new Dense({ units: 2 }).apply(new Flatten().apply(x)) };
    },
  },
  {
    // Stride-1 depthwise gradients over every padding shape: dilated, 'same' with an even kernel
    // (bottom/right only), a wide 'same' kernel, a one-row 'valid' one, and inside a SeparableConv2D.
    name: "DepthwiseConv2D at stride 1 over every padding shape, alone and in SeparableConv2D",
    loss: "meanSquaredError",
    batch: 2,
    build: () => {
      const inp = input({ shape: [6, 7, 4] });
      let x = new Conv2D({ filters: 4, kernelSize: 1, activation: "tanh" }).apply(inp);
      x = new DepthwiseConv2D({ kernelSize: 3, dilationRate: [2, 1], padding: "same", activation: "tanh" }).apply(x);
      x = new DepthwiseConv2D({ kernelSize: 2, padding: "same", activation: "tanh" }).apply(x);      // pads bottom/right only
      x = new DepthwiseConv2D({ kernelSize: 5, padding: "same", activation: "tanh" }).apply(x);
      x = new DepthwiseConv2D({ kernelSize: [1, 3], activation: "tanh" }).apply(x);                  // 'valid': 6x5
      x = new SeparableConv2D({ filters: 3, kernelSize: 3, padding: "same", activation: "tanh" }).apply(x);
      return { inputs: inp, outputs: new Dense({ units: 2 }).apply(new Flatten().apply(x)) };
    },
  },
  {
    name: "ZeroPadding2D, Cropping2D, UpSampling2D (2 and [2, 3]), GlobalMaxPool2D, Reshape (a view read twice)",
    loss: "meanSquaredError",
    batch: 2,
    build: () => {
      const inp = input({ shape: [5, 6, 2] });
      let x = new Conv2D({ filters: 3, padding: "same", activation: "tanh" }).apply(inp);
      x = new ZeroPadding2D({ padding: [[1, 2], [0, 1]] }).apply(x);                  // 8x7
      x = new Conv2D({ filters: 3, activation: "tanh" }).apply(x);                    // 6x5
      x = new Cropping2D({ cropping: [[1, 0], [2, 1]] }).apply(x);                    // 5x2
      x = new UpSampling2D({ size: [2, 3] }).apply(x);                                // 10x6
      x = new Conv2D({ filters: 2, kernelSize: [3, 2], strides: 2, activation: "tanh" }).apply(x); // 4x3
      const up = new UpSampling2D().apply(new ZeroPadding2D({ padding: 1 }).apply(x));      // 12x10
      const gmp = new GlobalMaxPool2D().apply(new Conv2D({ filters: 3, strides: 3 }).apply(up));
      const rows = new Reshape({ targetShape: [-1, 2] }).apply(x);                    // [12, 2], and x is read twice
      const head = new Dense({ units: 2 }).apply(new Flatten().apply(rows));
      const both = new Add().apply([new Dense({ units: 2 }).apply(new Flatten().apply(x)), head]);
      return { inputs: inp, outputs: new Concatenate().apply([gmp, both]) };
    },
  },
  {
    name: "Conv2DTranspose: strides 1 and 2, 'same' and 'valid', kernels 2 to 4, no bias",
    loss: "meanSquaredError",
    batch: 2,
    build: () => {
      const inp = input({ shape: [4, 5, 2] });
      let x = new Conv2DTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", activation: "tanh" }).apply(inp); // 8x10
      x = new Conv2DTranspose({ filters: 2, kernelSize: 2, useBias: false, activation: "tanh" }).apply(x);                   // 9x11
      x = new Conv2D({ filters: 2, kernelSize: 3, strides: 2, activation: "tanh" }).apply(x);                               // 4x5
      x = new Conv2DTranspose({ filters: 2, kernelSize: 4, strides: 2 }).apply(x);                                         // 10x12
      return { inputs: inp, outputs: new Dense({ units: 2 }).apply(new Flatten().apply(x)) };
    },
  },
  {
    name: "swish in conv, transposed-conv, depthwise, separable and dense epilogues and as a layer",
    loss: "meanSquaredError",
    batch: 2,
    build: () => {
      // He-scaled kernels: pre-activations reach past -1.28, where swish's slope turns negative.
      const he = { kernelInitializer: "heUniform", biasInitializer: "ones" } as const;
      const inp = input({ shape: [3, 4, 2] });
      let x = new Conv2D({ filters: 3, kernelSize: 2, padding: "same", activation: "swish", ...he }).apply(inp);
      x = new Conv2DTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", activation: "swish", ...he }).apply(x);
      x = new DepthwiseConv2D({ kernelSize: 2, strides: 2, activation: "swish", depthwiseInitializer: "heUniform" }).apply(x);
      x = new SeparableConv2D({ filters: 2, kernelSize: 2, activation: "swish", pointwiseInitializer: "heUniform" }).apply(x);
      x = new Activation({ activation: "swish" }).apply(x);
      return { inputs: inp, outputs: new Dense({ units: 2, activation: "swish", ...he }).apply(new Flatten().apply(x)) };
    },
  },
];

/** Labels for `loss`: one-hot rows for the cross-entropy, targets in [-1, 1) otherwise. */
function labelsFor(loss: LossName, batch: number, cols: number, seed: number): Float32Array {
  if (loss !== "categoricalCrossentropy") return uniform(batch * cols, seed);
  const out = new Float32Array(batch * cols);
  for (let i = 0; i < batch; i++) out[i * cols + ((i * 7 + seed) % cols)] = 1;
  return out;
}

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("graph gradients against central differences (js backend)", () => {
  it.each(CASES)("$name", ({ build, loss, batch }) => {
    const model = new Model(build());
    const n = model.inputShape.reduce((a, b) => a * b, 1);
    const x = uniform(batch * n, 3);
    const cols = model.outputShape[model.outputShape.length - 1]!;
    const labels = labelsFor(loss, batch, cols, 5);
    const start = model.getWeights();
    const trainable = model.layers.flatMap((layer) => layer.weights().map((w) => w.trainable));

    model.compile({ optimizer: new SGD({ learningRate: 1 }), loss, metrics: [] });
    model.trainOnBatch(x, labels);
    const stepped = model.getWeights();
    const gradients = start.map((w, i) => w.map((v, j) => v - stepped[i]![j]!));

    // trainOnBatch returns the loss of the weights it was given, before its update.
    const lossAt = (weights: Float32Array[]): number => {
      model.setWeights(weights);
      return model.trainOnBatch(x, labels).loss;
    };
    let checked = 0;
    start.forEach((w, i) => {
      if (!trainable[i]) {
        // Moving statistics get no gradient: one step with lr 1 leaves them to the batch statistics only.
        return;
      }
      for (const j of [0, Math.floor(w.length / 2), w.length - 1]) {
        expectCentralDifference(lossAt, start, i, j, gradients[i]![j]!, `weight ${i} [${j}]`);
        checked++;
      }
    });
    expect(checked).toBeGreaterThan(6);
    model.dispose();
  });
});
