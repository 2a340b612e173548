// Conv2DTranspose vs tfjs-layers' conv2dTranspose (cpu backend), every
// backend: the output size and the 'same' padding split (kernels 1 to 5 over
// odd and even sizes, strides 1 and 2, with and without bias, batches 1 and
// 3), and swish, fused into conv, depthwise, dense and transposed-conv
// epilogues and as an Activation layer. Then three SGD steps of training,
// per tensor, in a functional model and a Sequential.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { Conv2DTranspose, Dense, Flatten, init, Sequential, SGD } from "simdcnn";
import { fitBothAndCompare } from "../train/parity.js";
import { BACKENDS, relativeError, uniform, useTfCpu } from "./harness.js";
import {
  batchFor, buildBoth, copyWeightsByName, SWISH_GAIN, SWISH_LAYERS, swishNet, tfPredictMany, type Describe,
} from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";


interface Case {
  shape: [number, number, number];
  kernelSize: number;
  strides: number;
  padding: "same" | "valid";
  useBias: boolean;
}

// Kernels below, equal to and above the stride; odd and even sizes (the 'same' split differs).
const CASES: Case[] = [1, 2, 3, 4, 5].flatMap((kernelSize) => [1, 2].flatMap((strides) =>
  (["same", "valid"] as const).flatMap((padding) => [[5, 7, 3], [6, 4, 2]].map((shape, i): Case => ({
    shape: shape as [number, number, number], kernelSize, strides, padding, useBias: (kernelSize + i) % 2 === 0,
  })))));

const label = (c: Case): string =>
  `${c.shape.join("x")} k${c.kernelSize} s${c.strides} ${c.padding}${c.useBias ? "" : " no bias"}`;

/** input -> the transposed conv alone (linear, so the raw values show), or -> tanh when `act`. */
const alone = ({ shape, ...o }: Case, activation?: "tanh"): Describe => (L) => {
  const inp = L.input(shape, "image");
  return { inputs: [inp], outputs: L.transpose("up", { filters: 4, ...o, activation })(inp) };
};

beforeAll(useTfCpu);

describe.each(BACKENDS)("Conv2DTranspose and swish vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES.map((c) => [label(c), c] as const))("predicts %s", (_, c) => {
    const { model, tfModel } = buildBoth(alone(c, c.kernelSize === 3 ? "tanh" : undefined));
    expect(model.outputShape).toEqual(tfModel.outputs[0]!.shape.slice(1));
    copyWeightsByName(model, tfModel, 41 + c.kernelSize);
    for (const batch of [1, 3]) {
      const xs = batchFor(model, batch, 17 + batch);
      expect(relativeError(model.predict(xs[0]!).toArray(), tfPredictMany(tfModel, xs, batch)))
        .toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    model.dispose();
  });

  it("swish in conv, depthwise, dense and transposed-conv epilogues and as an Activation layer", () => {
    const { model, tfModel } = buildBoth(swishNet);
    copyWeightsByName(model, tfModel, 73, SWISH_GAIN);
    const shape = [5, 6, 3];
    const probeX = uniform(8 * 90, 90, 3);
    // Every swish layer reaches below x = -1.28, where swish falls again as x falls (and its
    // gradient changes sign). tfjs keeps no pre-activation tensor of a fused layer: for the
    // probe, its activation is swapped for the identity.
    for (const name of SWISH_LAYERS) {
      const layer = tfModel.getLayer(name) as unknown as { activation: unknown };
      const swish = layer.activation;
      layer.activation = { apply: (t: tf.Tensor) => t, getClassName: () => "linear" };
      try {
        const probe = tfl.model({ inputs: tfModel.inputs, outputs: tfModel.getLayer(name).output as tfl.SymbolicTensor });
        const z = tf.tidy(() => (probe.predict(tf.tensor(probeX, [8, ...shape])) as tf.Tensor).dataSync());
        expect(z.some((v) => v < -1.5) && z.some((v) => v > 1.5), `${name} pre-activations reach past +-1.5`).toBe(true);
      } finally {
        layer.activation = swish;
      }
    }
    for (const batch of [1, 8]) {
      const x = batch === 8 ? probeX : uniform(90, 91, 3);
      expect(relativeError(model.predict(x).toArray(), tfPredictMany(tfModel, [x], batch))).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    model.dispose();
  });

  it("trains three SGD steps in step with tfjs: swishNet (functional)", async () => {
    const { model, tfModel } = buildBoth(swishNet);
    copyWeightsByName(model, tfModel, 37, SWISH_GAIN);
    const samples = 12;
    const x = uniform(samples * 90, 57, 3);
    const labels = Float32Array.from({ length: samples }, (_, i) => (i * 5 + 2) % 3);
    await fitBothAndCompare(model, tfModel, {
      x, labels, loss: "sparseCategoricalCrossentropy", ours: new SGD({ learningRate: 0.1 }),
      theirs: tf.train.sgd(0.1), batchSize: 4,
    });
    model.dispose();
  });

  it("trains three SGD steps in step with tfjs: Sequential with two transposed convs", async () => {
    const model = new Sequential([
      new Conv2DTranspose({ filters: 4, kernelSize: 2, strides: 2, activation: "swish", name: "up_a" }),
      new Conv2DTranspose({ filters: 2, kernelSize: 3, padding: "same", useBias: false, name: "up_b" }),
      new Flatten({ name: "flat" }), new Dense({ units: 3, activation: "softmax", name: "head" }),
    ], { inputShape: [3, 4, 2] });
    const tfModel = tfl.sequential({ layers: [
      tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, activation: "swish", name: "up_a", inputShape: [3, 4, 2] }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: "same", useBias: false, name: "up_b" }),
      tfl.layers.flatten({ name: "flat" }), tfl.layers.dense({ units: 3, activation: "softmax", name: "head" }),
    ] });
    copyWeightsByName(model, tfModel, 43, { up_a: 2 });
    const samples = 12;
    const x = uniform(samples * 24, 59, 2);
    const labels = Float32Array.from({ length: samples }, (_, i) => (i * 7 + 1) % 3);
    await fitBothAndCompare(model, tfModel, {
      x, labels, loss: "sparseCategoricalCrossentropy", ours: new SGD({ learningRate: 0.1 }),
      theirs: tf.train.sgd(0.1), batchSize: 4,
    });
    model.dispose();
  });
});
