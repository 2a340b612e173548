// DepthwiseConv2D vs tfjs-layers' depthwiseConv2d (cpu backend), every
// backend: functional models built from one description, weights copied
// layer by layer by name. Odd sizes, strides 1 and 2, 'same' and 'valid',
// depth multipliers 1 and 2, dilation 2, a fused activation, and each
// depthwise layer followed by BatchNormalization + ReLU, which inference
// folds into the depthwise call (checked: prepareFold is taken).
// tfjs-layers 4.22's DepthwiseConv2D ignores dilationRate (its call passes
// no dilation: "TODO(cais): Add support for dilation"), so the dilated model
// is checked against the same graph written with tfjs-core ops instead:
// tf.depthwiseConv2d with dilations, tf.batchNorm, the head as a matMul.
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BatchNormalization, Dense, DepthwiseConv2D, Flatten, init, input, Model, ReLU,
} from "simdcnn";
import { BACKENDS, relativeError, uniform, useTfCpu } from "./harness.js";
import { batchFor, buildBoth, copyWeightsByName, tfPredictMany, type Describe } from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

type DwOptions = Parameters<Parameters<Describe>[0]["depthwise"]>[1];

/** input -> depthwise -> BN -> ReLU -> (a second depthwise, its own activation) -> flatten -> dense head. */
const block = (shape: number[], first: DwOptions, second: DwOptions): Describe => (L) => {
  const inp = L.input(shape, "image");
  let x = L.depthwise("dw_a", { ...first, useBias: false })(inp);
  x = L.relu("relu_a")(L.bn("bn_a")(x));
  x = L.depthwise("dw_b", second)(x);
  return { inputs: [inp], outputs: L.dense("head", { units: 4 })(L.flatten("flat")(x)) };
};

const CASES: [string, Describe][] = [
  ["7x9x3 3x3 same, then 3x3 valid m2 tanh",
    block([7, 9, 3], { kernelSize: 3, padding: "same" }, { kernelSize: 3, depthMultiplier: 2, activation: "tanh" })],
  ["9x7x5 3x3 stride 2 same m2, then 5x5 same",
    block([9, 7, 5], { kernelSize: 3, strides: 2, padding: "same", depthMultiplier: 2 }, { kernelSize: 5, padding: "same" })],
  ["11x10x4 3x3 stride 2 valid, then 1x1 relu",
    block([11, 10, 4], { kernelSize: 3, strides: 2 }, { kernelSize: 1, activation: "relu" })],
  ["8x8x17 5x5 same m1, then 3x3 stride 2 same",
    block([8, 8, 17], { kernelSize: 5, padding: "same" }, { kernelSize: 3, strides: 2, padding: "same" })],
];

beforeAll(useTfCpu);
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(BACKENDS)("DepthwiseConv2D models vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES)("%s", (_, describeGraph) => {
    const fold = vi.spyOn(DepthwiseConv2D.prototype, "prepareFold");
    const { model, tfModel } = buildBoth(describeGraph);
    copyWeightsByName(model, tfModel, 23);
    for (const batch of [1, 3]) {
      const xs = batchFor(model, batch, 9 + batch);
      const ours = model.predict(xs[0]!).toArray();
      expect(relativeError(ours, tfPredictMany(tfModel, xs, batch))).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    expect(fold).toHaveBeenCalled(); // bn_a folded into dw_a
    model.dispose();
  });
});


describe.each(BACKENDS)("dilated DepthwiseConv2D vs tfjs-core ops on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  // 9x11x8: dilation 2 'same' (no bias) -> BN -> ReLU (folded) -> dilation 2 'valid' m2 sigmoid -> flatten -> dense.
  it.each([1, 3])("9x11x8, batch %i", (batch) => {
    const fold = vi.spyOn(DepthwiseConv2D.prototype, "prepareFold");
    const inp = input({ shape: [9, 11, 8] });
    let x = new DepthwiseConv2D({ name: "dw_a", kernelSize: 3, dilationRate: 2, padding: "same", useBias: false }).apply(inp);
    x = new ReLU().apply(new BatchNormalization({ name: "bn_a" }).apply(x));
    x = new DepthwiseConv2D({ name: "dw_b", kernelSize: 3, dilationRate: 2, depthMultiplier: 2, activation: "sigmoid" }).apply(x);
    const model = new Model({ inputs: inp, outputs: new Dense({ name: "head", units: 4 }).apply(new Flatten().apply(x)) });
    const kA = uniform(3 * 3 * 8, 1, 0.5);
    const bn = [uniform(8, 2, 0.3).map((v) => 1 + v), uniform(8, 3, 0.2), uniform(8, 4, 0.3), uniform(8, 5, 0.5).map((v) => 1 + v)];
    const kB = uniform(3 * 3 * 8 * 2, 6, 0.5);
    const bB = uniform(16, 7, 0.2);
    const head = [uniform(5 * 7 * 16 * 4, 8, 0.1), uniform(4, 9, 0.2)];
    model.getLayer("dw_a").setWeights([kA]);
    model.getLayer("bn_a").setWeights(bn);
    model.getLayer("dw_b").setWeights([kB, bB]);
    model.getLayer("head").setWeights(head);
    const xs = uniform(batch * 9 * 11 * 8, 10 + batch);
    const ours = model.predict(xs).toArray();
    const want = tf.tidy(() => {
      let t: tf.Tensor4D = tf.depthwiseConv2d(tf.tensor4d(xs, [batch, 9, 11, 8]), tf.tensor4d(kA, [3, 3, 8, 1]), 1, "same", "NHWC", 2);
      t = tf.relu(tf.batchNorm(t, bn[2]!, bn[3]!, bn[1]!, bn[0]!, 1e-3));
      t = tf.sigmoid(tf.add(tf.depthwiseConv2d(t, tf.tensor4d(kB, [3, 3, 8, 2]), 1, "valid", "NHWC", 2), tf.tensor1d(bB))) as tf.Tensor4D;
      const flat = tf.reshape(t, [batch, 5 * 7 * 16]);
      return tf.add(tf.matMul(flat, tf.tensor2d(head[0]!, [5 * 7 * 16, 4])), tf.tensor1d(head[1]!)).dataSync() as Float32Array;
    });
    expect(relativeError(ours, want)).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    expect(fold).toHaveBeenCalled();
    model.dispose();
  });
});
