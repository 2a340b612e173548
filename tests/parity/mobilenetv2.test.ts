// MobileNetV2 as the bench builds it (bench/lib/models.mjs mobileNetV2, the
// single source of the architecture), translated node by node through Lib
// (spec-graph.ts) into simdcnn and tfjs-layers functional models with
// keras.applications' layer names, weights copied by name, every backend.
// The spec is checked against Keras' own numbers (parameter counts,
// correct_pad, the 7x7x1280 feature map) so the parity below is parity on
// the real MobileNetV2, not on whatever the spec happens to build.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Activation, Add, Conv2D, DepthwiseConv2D, init, loadModel, Model, type Tensor } from "simdcnn";
import { describeModel, mobileNetV2 } from "../../bench/lib/models.mjs";
import { BACKENDS, relativeError, useTfCpu } from "./harness.js";
import { batchFor, buildBoth, copyWeightsByName, ours, tfPredictMany } from "./graphs.js";
import { describeSpec } from "./spec-graph.js";
import { MOBILENET_PARITY_REL } from "./tolerances.js";
import { tfLoad, tfSave } from "../support/tfjs-files.js";

/** Small inputs keep tfjs' cpu backend fast; every block is still there (32x32 ends on a 1x1 map). */
const CASES = [
  { label: "alpha 0.35, 32x32, logits", alpha: 0.35, size: 32, logits: true },
  { label: "alpha 0.35, 32x32, softmax", alpha: 0.35, size: 32, logits: false },
  { label: "alpha 1.0, 32x32, logits", alpha: 1, size: 32, logits: true },
];
const CLASSES = 10;
const SEED = 41;

/**
 * Kernel gains turning copyWeightsByName's glorot-scaled kernels into
 * He-scaled ones (limit sqrt(6 / fan-in)). Glorot counts a depthwise
 * kernel's channels as fan-in and fan-out, which shrinks it by sqrt(c + 1):
 * 17 blocks of that and the logits no longer depend on the input, so a
 * wrong kernel could not show. He-scaled, the ReLU6s reach their cap too.
 */
function heGains(tfModel: tfl.LayersModel): Record<string, number> {
  const gains: Record<string, number> = {};
  for (const layer of tfModel.layers) {
    const kernel = layer.weights[0];
    if (kernel === undefined || kernel.shape.length !== 4) continue;
    const [, , inC, outC] = kernel.shape as number[];
    gains[layer.name] = layer.getClassName() === "DepthwiseConv2D" ? Math.sqrt(inC! + outC!) : Math.sqrt((inC! + outC!) / inC!);
  }
  return gains;
}


beforeAll(useTfCpu);
afterEach(() => {
  vi.restoreAllMocks();
});

describe("the bench's MobileNetV2 spec is keras.applications' MobileNetV2", () => {
  // Nothing here depends on the backend. Not js: its memory copies itself on every grow, so
  // allocating the 224x224 model's weights layer by layer takes seconds there (~70 ms in wasm).
  beforeAll(async () => {
    await init({ backend: "scalar" });
  });

  // Keras' published totals for 224x224 with the 1000-class top (they do not depend on the size).
  it.each([
    { alpha: 1, total: 3_538_984, trainable: 3_504_872 },
    { alpha: 0.35, total: 1_691_208, trainable: undefined },
  ])("alpha $alpha: $total parameters", ({ alpha, total, trainable }) => {
    const { inputs, outputs } = describeSpec(mobileNetV2({ alpha, size: 224, classes: 1000 }))(ours);
    const model = new Model({ inputs, outputs });
    expect(model.countParams()).toBe(total);
    if (trainable !== undefined) expect(model.layers.reduce((n, l) => n + l.countTrainableParams(), 0)).toBe(trainable);
    model.dispose();
  });

  it("pads as keras.applications' correct_pad and ends on 7x7x1280 at 224x224", () => {
    // correct_pad(inputs, 3): ((1 - adjust, 1), (1 - adjust, 1)) with adjust = 1 - size % 2 per axis.
    for (const size of [224, 33]) {
      const nodes = describeModel(mobileNetV2({ size })).nodes;
      const pads = nodes.filter((n) => n.type === "zeropad");
      expect(pads.map((n) => n.name)).toEqual(["block_1_pad", "block_3_pad", "block_6_pad", "block_13_pad"]);
      for (const n of pads) {
        const [h, w] = n.input as [number, number];
        expect(n.type === "zeropad" && n.padding, n.name).toEqual([[h % 2, 1], [w % 2, 1]]);
      }
      if (size === 224) expect(nodes.find((n) => n.name === "out_relu")!.output).toEqual([7, 7, 1280]);
    }
  });

  it("the seeded weights drive every block's ReLU6s past their cap and keep the logits input-dependent", () => {
    const spec = mobileNetV2({ alpha: 0.35, size: 32, classes: CLASSES });
    const { model, tfModel } = buildBoth(describeSpec(spec, { logits: true }));
    copyWeightsByName(model, tfModel, SEED, heGains(tfModel));
    const names = spec.nodes.filter((n) => n.type === "relu6").map((n) => n.name);
    const probe = tfl.model({ inputs: tfModel.inputs, outputs: names.map((n) => tfModel.getLayer(n).output as tfl.SymbolicTensor) });
    const [x] = batchFor(model, 2, 5);
    const outs = tf.tidy(() => (probe.predict(tf.tensor(x!, [2, 32, 32, 3])) as tf.Tensor[]).map((t) => t.dataSync()));
    const capped = names.filter((_, i) => outs[i]!.some((v) => v === 6));
    // Most, not all: the stem and the first block stay below 6 (the input is in [-1, 1)).
    expect(capped.length, `capped: ${capped.join(" ")}`).toBeGreaterThanOrEqual(0.75 * names.length);
    outs.forEach((o, i) => expect(o.some((v) => v === 0), names[i]).toBe(true));
    const logits = tfPredictMany(tfModel, [x!], 2);
    const scale = Math.max(...logits.map(Math.abs));
    const apart = Math.max(...Array.from({ length: CLASSES }, (_, i) => Math.abs(logits[i]! - logits[CLASSES + i]!)));
    expect(apart / scale, "two inputs' logits differ by a sizeable part of their scale").toBeGreaterThan(0.1);
    model.dispose();
  });
});

describe.each(BACKENDS)("MobileNetV2 vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES)("$label", ({ alpha, size, logits }) => {
    const spec = mobileNetV2({ alpha, size, classes: CLASSES });
    const folds = [vi.spyOn(Conv2D.prototype, "prepareFold"), vi.spyOn(DepthwiseConv2D.prototype, "prepareFold")];
    const paddings = vi.spyOn(DepthwiseConv2D.prototype, "preparePadding");
    const activations = vi.spyOn(Activation.prototype, "forward");
    const adds = vi.spyOn(Add.prototype, "forward");
    const { model, tfModel } = buildBoth(describeSpec(spec, { logits }));
    copyWeightsByName(model, tfModel, SEED, heGains(tfModel));
    for (const batch of [1, 2]) {
      const xs = batchFor(model, batch, 3 + batch);
      expect(relativeError(model.predict(xs[0]!).toArray(), tfPredictMany(tfModel, xs, batch)))
        .toBeLessThanOrEqual(MOBILENET_PARITY_REL);
    }
    // Inference ran the fast path the comparison is meant for: every BatchNorm folded into its
    // convolution, every ZeroPadding2D moved into its depthwise conv, and no ReLU6 run as a layer
    // of its own (all fused into epilogues).
    const folded = new Set(folds.flatMap((f) => f.mock.calls.map(([bn]) => (bn as unknown as { name: string }).name)));
    expect(folded).toEqual(new Set(spec.nodes.filter((n) => n.type === "bn").map((n) => n.name)));
    const padded = new Set(paddings.mock.contexts.map((layer) => (layer as DepthwiseConv2D).name));
    expect(padded).toEqual(new Set(spec.nodes.filter((n) => n.type === "zeropad").map((n) => n.name.replace(/pad$/, "depthwise"))));
    expect(activations).not.toHaveBeenCalled();
    // And every residual Add ran inside its block's projection.
    expect(adds).not.toHaveBeenCalled();
    model.dispose();
  });
});

describe("MobileNetV2 through the TensorFlow.js LayersModel format", () => {
  // One wasm backend: the format is backend-independent, and the parity above covers the others.
  beforeAll(async () => {
    await init({ backend: "scalar" });
  });

  const spec = mobileNetV2({ alpha: 0.35, size: 32, classes: CLASSES });

  it("ours -> tfjs: tf.loadLayersModel reads our save and predicts the same, within 1e-5", async () => {
    const { model, tfModel } = buildBoth(describeSpec(spec, { logits: true }));
    copyWeightsByName(model, tfModel, SEED, heGains(tfModel));
    tfModel.dispose();
    const saved = await model.save();
    const theirs = await tfLoad(JSON.parse(JSON.stringify(saved.modelJson)) as typeof saved.modelJson, saved.weights);
    const xs = batchFor(model, 2, 13);
    expect(relativeError(model.predict(xs[0]!).toArray(), tfPredictMany(theirs, xs, 2))).toBeLessThanOrEqual(1e-5);
    theirs.dispose();
    model.dispose();
  });

  it("tfjs -> ours: loadModel reads tfjs' save of its MobileNetV2 and predicts the same, within 1e-5", async () => {
    const { model, tfModel } = buildBoth(describeSpec(spec, { logits: true }));
    copyWeightsByName(model, tfModel, SEED + 1, heGains(tfModel));
    model.dispose();
    const { modelJson, weights } = await tfSave(tfModel);
    const ours = await loadModel(JSON.stringify(modelJson), weights);
    const xs = batchFor(ours, 2, 17);
    expect(relativeError((ours.predict(xs[0]!) as Tensor).toArray(), tfPredictMany(tfModel, xs, 2))).toBeLessThanOrEqual(1e-5);
    expect(ours.countParams()).toBe(tfModel.countParams());
    ours.dispose();
    tfModel.dispose();
  });
});
