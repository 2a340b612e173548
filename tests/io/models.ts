// Models the io tests save and load: built with simdcnn (from the sources)
// and, for the tfjs -> simdcnn direction, with tfjs-layers. Together they
// use every layer class: Conv2D, Dense, MaxPooling2D, AveragePooling2D,
// GlobalAveragePooling2D, Flatten, Dropout, Activation (sigmoid, tanh),
// ReLU, LeakyReLU, Softmax, BatchNormalization, Add, Multiply, Average,
// Maximum, Concatenate, InputLayer, DepthwiseConv2D, SeparableConv2D, a
// dilated Conv2D, ZeroPadding2D, Cropping2D, UpSampling2D,
// GlobalMaxPooling2D, Reshape, Conv2DTranspose (and the swish activation);
// Sequential and functional (residual +
// BatchNorm, a concatenation, a shared layer, two inputs, a mobile-style
// block, the layers that move data).
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { expect } from "vitest";
import {
  Activation, Add, Average, AvgPool2D, BatchNormalization, Concatenate, Conv2D, Conv2DTranspose, Cropping2D, Dense, DepthwiseConv2D,
  Dropout, Flatten, GlobalAvgPool2D, GlobalMaxPool2D, input, LeakyReLU, Maximum, MaxPool2D, Model, Multiply, ReLU,
  Reshape, SeparableConv2D, Sequential, Sigmoid, Softmax, Tanh, UpSampling2D, ZeroPadding2D, type SymbolicTensor,
  type Tensor,
} from "../../src/index.node.js";
import { GRAPH_PARITY_REL } from "../parity/tolerances.js";

import { uniform } from "../parity/harness.js";

export { uniform };

/** Seeded weights, BatchNorm statistics away from 0 and 1 (variances positive), so a swapped weight shows. */
export function seedWeights(model: Model<never> | Model, seed: number): void {
  let k = 0;
  const arrays = model.layers.flatMap((layer) => layer.weights().map((p) => {
    k++;
    if (p.name === "moving_variance" || p.name === "gamma") return uniform(p.size, seed + k, 0.4).map((v) => 1 + v);
    return uniform(p.size, seed + k, p.shape.length === 1 ? 0.2 : 0.5);
  }));
  model.setWeights(arrays);
}

export type AnyModel = Model<never>;

export function sequentialCnn(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", name: "conv_a" }),
    new BatchNormalization({ name: "bn_a" }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 5, kernelSize: [2, 3], strides: [1, 2], activation: "leakyRelu", alpha: 0.1, kernelInitializer: "heNormal" }),
    new AvgPool2D({ poolSize: 2, strides: 1, padding: "same" }),
    new Dropout({ rate: 0.25 }),
    new Flatten(),
    new Dense({ units: 12, activation: "tanh", kernelInitializer: "lecunNormal" }),
    new LeakyReLU({ alpha: 0.2 }),
    new Dense({ units: 8, useBias: false }),
    new Sigmoid(),
    new Tanh(),
    new Activation({ activation: "leakyRelu", alpha: 0.05 }),
    new Dense({ units: 5, activation: "leakyRelu", alpha: 0.3 }),
    new Softmax(),
  ], { inputShape: [8, 8, 2], name: "seq_cnn" });
}

export function residualBn(): Model {
  const inp = input({ shape: [6, 6, 3], name: "image" });
  const a = new Conv2D({ filters: 4, kernelSize: 3, padding: "same", useBias: false, name: "stem" }).apply(inp);
  const n = new ReLU({ name: "stem_relu" }).apply(new BatchNormalization({ name: "stem_bn", momentum: 0.9, epsilon: 1e-2 }).apply(a));
  const b = new Conv2D({ filters: 4, kernelSize: 3, padding: "same", name: "branch" }).apply(n);
  const bnb = new BatchNormalization({ name: "branch_bn", center: false }).apply(b);
  const s = new Activation({ name: "gate", activation: "sigmoid" }).apply(new Add({ name: "residual" }).apply([n, bnb]));
  const out = new Dense({ units: 3, activation: "softmax", name: "head" }).apply(new GlobalAvgPool2D({ name: "pool" }).apply(s));
  return new Model({ inputs: inp, outputs: out, name: "residual_bn" });
}

export function concatShared(): Model {
  const inp = input({ shape: [5, 5, 2], name: "image" });
  const shared = new Conv2D({ filters: 2, kernelSize: 3, padding: "same", activation: "tanh", name: "shared" });
  const once = shared.apply(inp);
  const twice = shared.apply(once);
  const m = new Multiply({ name: "gate" }).apply([once, twice]);
  const avg = new Average({ name: "mean" }).apply([inp, once, twice]);
  const mx = new Maximum({ name: "max" }).apply([m, avg, once]);
  const b1 = new Conv2D({ filters: 3, kernelSize: 1, activation: "leakyRelu", alpha: 0.2, name: "b1" }).apply(mx);
  const joined = new Concatenate({ name: "join" }).apply([b1, mx, once]);
  const rows = new Concatenate({ name: "rows", axis: 1 }).apply([joined, joined]);
  const out = new Dense({ units: 4, name: "head" }).apply(new Flatten({ name: "flat" }).apply(new MaxPool2D({ name: "mp" }).apply(rows)));
  return new Model({ inputs: inp, outputs: out, name: "concat_shared" });
}

export function twoInputs(): Model<SymbolicTensor[]> {
  const image = input({ shape: [6, 6, 2], name: "image" });
  const meta = input({ shape: [4], name: "meta" });
  const f = new GlobalAvgPool2D({ name: "pool" }).apply(new Conv2D({ filters: 3, kernelSize: 3, activation: "relu", name: "conv" }).apply(image));
  const m = new Dense({ units: 3, activation: "relu", name: "meta_dense" }).apply(meta);
  const j = new Concatenate({ name: "join" }).apply([f, m]);
  const y1 = new Dense({ units: 2, activation: "softmax", name: "probs" }).apply(j);
  const y2 = new Dense({ units: 1, name: "score" }).apply(new Add({ name: "sum" }).apply([f, m]));
  return new Model({ inputs: [image, meta], outputs: [y1, y2], name: "two_inputs" });
}

/**
 * Separable and depthwise (multiplier 2 each, BatchNorm folded) and a
 * dilated conv. tfjs-layers 4.22 leaves depth_multiplier out of a
 * SeparableConv2D's saved config: loading tfjs' re-save takes it from the
 * depthwise kernel's shape.
 */
export function mobileBlock(): Model {
  const inp = input({ shape: [9, 9, 4], name: "image" });
  let x = new SeparableConv2D({ filters: 6, kernelSize: 3, padding: "same", depthMultiplier: 2, activation: "relu", name: "sep" }).apply(inp);
  x = new DepthwiseConv2D({ kernelSize: 3, strides: 2, padding: "same", depthMultiplier: 2, useBias: false, name: "dw" }).apply(x);
  x = new ReLU({ name: "dw_relu" }).apply(new BatchNormalization({ name: "dw_bn" }).apply(x));
  x = new Conv2D({ filters: 4, kernelSize: 3, dilationRate: 2, padding: "same", name: "dilated" }).apply(x);
  const out = new Dense({ units: 3, activation: "softmax", name: "head" }).apply(new GlobalAvgPool2D({ name: "pool" }).apply(x));
  return new Model({ inputs: inp, outputs: out, name: "mobile_block" });
}

export function movesData(): Model {
  const inp = input({ shape: [7, 6, 2], name: "image" });
  const padded = new ZeroPadding2D({ padding: [[1, 0], [2, 1]], name: "pad" }).apply(inp);            // 8x9
  const conv = new Conv2D({ filters: 3, activation: "relu", name: "conv" }).apply(padded);              // 6x7 (pad folded)
  const cropped = new Cropping2D({ cropping: [[0, 1], [1, 2]], name: "crop" }).apply(conv);            // 5x4
  const up = new UpSampling2D({ size: [2, 3], name: "up" }).apply(cropped);                            // 10x12
  // tfjs keeps a -1 of targetShape as -1 in its symbolic shape; a global pool after it does not mind.
  const pooled = new GlobalMaxPool2D({ name: "gmp" }).apply(new Reshape({ targetShape: [-1, 6, 3], name: "rows" }).apply(up));
  const flat = new Flatten({ name: "flat" }).apply(new UpSampling2D({ name: "up2" }).apply(new ZeroPadding2D({ padding: 1, name: "pad2" }).apply(cropped)));
  const joined = new Concatenate({ name: "join" }).apply([pooled, new Dense({ units: 2, name: "dense" }).apply(flat)]);
  return new Model({ inputs: inp, outputs: new Dense({ units: 3, name: "head" }).apply(joined), name: "moves_data" });
}

/**
 * relu6 by name in a Conv2D, a DepthwiseConv2D, a Dense and an Activation
 * layer, elu and hardSigmoid by name, and ReLU's cap and slope (Keras'
 * max_value / negative_slope). The
 * caps are small enough for the seeded weights and inputs to reach.
 */
export function relu6Block(): Model {
  const inp = input({ shape: [6, 6, 2], name: "image" });
  let x = new Conv2D({ filters: 4, kernelSize: 3, padding: "same", activation: "relu6", name: "conv6" }).apply(inp);
  x = new DepthwiseConv2D({ kernelSize: 3, activation: "relu6", name: "dw6" }).apply(x);
  x = new ReLU({ maxValue: 0.25, name: "cap" }).apply(x);
  x = new ReLU({ negativeSlope: 0.1, name: "slope" }).apply(new Conv2D({ filters: 3, kernelSize: 1, name: "mix" }).apply(x));
  const d = new Dense({ units: 5, activation: "relu6", name: "dense6" }).apply(new Flatten({ name: "flat" }).apply(x));
  const e = new Dense({ units: 4, activation: "elu", name: "dense_elu" }).apply(d);
  const h = new Activation({ activation: "hardSigmoid", name: "act_hs" }).apply(new Dense({ units: 4, name: "pre_hs" }).apply(e));
  const out = new Activation({ activation: "relu6", name: "act6" }).apply(new Dense({ units: 3, name: "head" }).apply(h));
  return new Model({ inputs: inp, outputs: out, name: "relu6_block" });
}

/**
 * A small decoder: Conv2DTranspose with strides 2 ('same' and 'valid', with
 * and without bias, swish and linear) between convolutions, swish by name in
 * a Conv2D and an Activation layer.
 */
export function decoder(): Model {
  const inp = input({ shape: [3, 4, 3], name: "code" });
  let x = new Conv2DTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "swish", name: "up1" }).apply(inp); // 6x8
  x = new Conv2D({ filters: 3, kernelSize: 3, padding: "same", activation: "swish", name: "conv" }).apply(x);
  x = new Conv2DTranspose({ filters: 2, kernelSize: [4, 3], strides: [2, 1], useBias: false, name: "up2" }).apply(x);               // 14x10
  const out = new Activation({ activation: "swish", name: "act" }).apply(x);
  return new Model({ inputs: inp, outputs: out, name: "decoder" });
}

/** Every model above, by name. */
export const OUR_MODELS: Record<string, () => AnyModel> = {
  sequentialCnn: () => sequentialCnn() as unknown as AnyModel,
  residualBn: () => residualBn() as unknown as AnyModel,
  concatShared: () => concatShared() as unknown as AnyModel,
  twoInputs: () => twoInputs() as unknown as AnyModel,
  mobileBlock: () => mobileBlock() as unknown as AnyModel,
  movesData: () => movesData() as unknown as AnyModel,
  relu6Block: () => relu6Block() as unknown as AnyModel,
  decoder: () => decoder() as unknown as AnyModel,
};

/** A seeded batch for each input of a model. */
export function batchFor(shapes: readonly (readonly number[])[], batch: number, seed: number): Float32Array[] {
  return shapes.map((s, i) => uniform(batch * s.reduce((a, b) => a * b, 1), seed + 7 * i));
}

/** Every output of our predict, copied. */
export function ourPredict(model: AnyModel, xs: Float32Array[]): Float32Array[] {
  const y = (model as unknown as Model).predict(xs.length === 1 ? xs[0]! : xs) as Tensor | Tensor[];
  return (Array.isArray(y) ? y : [y]).map((t) => t.toArray());
}

/** Every output of tfjs predict. */
export function tfPredict(model: tfl.LayersModel, xs: Float32Array[], batch: number): Float32Array[] {
  return tf.tidy(() => {
    const inputs = model.inputs.map((t, i) => tf.tensor(xs[i]!, [batch, ...(t.shape.slice(1) as number[])]));
    const y = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
  });
}

/** max |a - b| / max |b| over every output is within GRAPH_PARITY_REL. */
export function expectClose(ours: Float32Array[], theirs: Float32Array[], what: string): void {
  expect(ours.length, what).toBe(theirs.length);
  ours.forEach((a, k) => {
    const b = theirs[k]!;
    expect(a.length, what).toBe(b.length);
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]!));
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    expect(Number.isFinite(worst), `${what}: output ${k} finite`).toBe(true);
    expect(worst / Math.max(scale, 1e-30), `${what}: output ${k} max |diff| ${worst}, scale ${scale}`).toBeLessThanOrEqual(GRAPH_PARITY_REL);
  });
}

export { tfLoad, tfSave } from "../support/tfjs-files.js";
