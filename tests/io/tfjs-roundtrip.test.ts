// Round trips through the TensorFlow.js LayersModel format against
// tfjs-layers itself (cpu backend): ours -> tfjs predicts the same, tfjs ->
// ours predicts the same (models tfjs built, and tfjs' re-save of ours, whose
// JSON and weight order are tfjs' own), ours -> ours keeps every weight bit.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { init, loadModel, memory, type Model } from "../../src/index.node.js";
import {
  batchFor, expectClose, ourPredict, OUR_MODELS, seedWeights, tfLoad, tfPredict, tfSave, type AnyModel,
} from "./models.js";

const BATCH = 3;

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
  await init({ backend: "js" });
});

const shapesOf = (m: AnyModel): number[][] => m.inputs.map((t) => [...t.shape]);

describe.each(Object.keys(OUR_MODELS))("%s", (name) => {
  it("saves a model.json tfjs-layers loads and predicts the same with", async () => {
    const model = OUR_MODELS[name]!();
    seedWeights(model, 11);
    const { modelJson, weights } = await model.save();
    expect(modelJson.format).toBe("layers-model");
    expect(modelJson.convertedBy).toBeNull();
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
    const floats = model.getWeights().reduce((n, w) => n + w.length, 0);
    expect(weights.byteLength).toBe(floats * 4);
    // JSON text, as a file would carry it.
    const text = JSON.parse(JSON.stringify(modelJson)) as typeof modelJson;
    const theirs = await tfLoad(text, weights);
    const xs = batchFor(shapesOf(model), BATCH, 5);
    expectClose(ourPredict(model, xs), tfPredict(theirs, xs, BATCH), `${name}: ours -> tfjs`);
    theirs.dispose();
    model.dispose();
  });

  it("loads tfjs' re-save of it (tfjs' JSON and weight order) and predicts as tfjs does", async () => {
    const model = OUR_MODELS[name]!();
    seedWeights(model, 23);
    const saved = await model.save();
    const theirs = await tfLoad(saved.modelJson, saved.weights);
    const resaved = await tfSave(theirs);
    const back = await loadModel(JSON.stringify(resaved.modelJson), resaved.weights);
    const xs = batchFor(shapesOf(model), BATCH, 9);
    expectClose(ourPredict(back as unknown as AnyModel, xs), tfPredict(theirs, xs, BATCH), `${name}: tfjs -> ours`);
    theirs.dispose();
    back.dispose();
    model.dispose();
  });

  it("loads its own save with every weight bit kept and the same predictions", async () => {
    const model = OUR_MODELS[name]!();
    seedWeights(model, 31);
    const { modelJson, weights } = await model.save();
    const copy = (await loadModel(modelJson, new Uint8Array(weights))) as unknown as AnyModel;
    const [a, b] = [model.getWeights(), copy.getWeights()];
    expect(b.length).toBe(a.length);
    a.forEach((w, i) => expect(Buffer.from(b[i]!.buffer).equals(Buffer.from(w.buffer)), `weight ${i}`).toBe(true));
    expect(copy.className).toBe(model.className);
    expect(copy.name).toBe(model.name);
    const xs = batchFor(shapesOf(model), BATCH, 3);
    const [ya, yb] = [ourPredict(model, xs), ourPredict(copy, xs)];
    ya.forEach((y, i) => expect(Array.from(yb[i]!)).toEqual(Array.from(y)));
    const again = await (copy as unknown as Model).save();
    expect(Buffer.from(again.weights).equals(Buffer.from(weights))).toBe(true);
    copy.dispose();
    model.dispose();
  });
});

describe("models built with tfjs-layers", () => {
  it("a Sequential with tfjs' auto names, default initializers and BatchNorm statistics saved last", async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [7, 7, 3], filters: 4, kernelSize: 3, activation: "relu" }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.averagePooling2d({ poolSize: 1 }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: 6, activation: "tanh" }),
        tfl.layers.leakyReLU({ alpha: 0.15 }),
        tfl.layers.reLU(),
        tfl.layers.dense({ units: 3 }),
        tfl.layers.softmax(),
      ],
    });
    theirs.setWeights(theirs.getWeights().map((w, i) =>
      tf.tensor(Array.from({ length: w.size }, (_v, j) => 0.5 + 0.4 * Math.sin(7 * i + j)), w.shape)));
    const { modelJson, weights } = await tfSave(theirs);
    const ours = await loadModel(modelJson, weights);
    const xs = batchFor([[7, 7, 3]], BATCH, 4);
    expectClose(ourPredict(ours as unknown as AnyModel, xs), tfPredict(theirs, xs, BATCH), "tfjs sequential -> ours");
    ours.dispose();
  });

  it("a functional model with two inputs, a shared layer and every merge", async () => {
    const a = tfl.input({ shape: [4, 4, 2] });
    const b = tfl.input({ shape: [4, 4, 2] });
    const shared = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: "same", activation: "sigmoid" });
    const [sa, sb] = [shared.apply(a), shared.apply(b)] as tfl.SymbolicTensor[];
    const merged = [tfl.layers.add(), tfl.layers.multiply(), tfl.layers.average(), tfl.layers.maximum()]
      .map((l) => l.apply([sa!, sb!]) as tfl.SymbolicTensor);
    const joined = tfl.layers.concatenate({ axis: -1 }).apply(merged) as tfl.SymbolicTensor;
    const gap = tfl.layers.globalAveragePooling2d({}).apply(tfl.layers.batchNormalization({ axis: 3 }).apply(joined)) as tfl.SymbolicTensor;
    const out = tfl.layers.activation({ activation: "tanh" }).apply(tfl.layers.dense({ units: 3 }).apply(gap)) as tfl.SymbolicTensor;
    const theirs = tfl.model({ inputs: [a, b], outputs: out });
    theirs.setWeights(theirs.getWeights().map((w, i) =>
      tf.tensor(Array.from({ length: w.size }, (_v, j) => 0.6 + 0.3 * Math.cos(3 * i + j)), w.shape)));
    const { modelJson, weights } = await tfSave(theirs);
    const ours = await loadModel(modelJson, weights);
    const xs = batchFor([[4, 4, 2], [4, 4, 2]], BATCH, 8);
    expectClose(ourPredict(ours as unknown as AnyModel, xs), tfPredict(theirs, xs, BATCH), "tfjs functional -> ours");
    ours.dispose();
  });

  it("a Sequential autoencoder with conv2dTranspose layers ('same' and 'valid', strides 1 and 2) and swish", async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 5, 2], filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "swish" }),
        tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", activation: "swish" }),
        tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 2, useBias: false }),
        tfl.layers.activation({ activation: "swish" }),
      ],
    });
    theirs.setWeights(theirs.getWeights().map((w, i) =>
      tf.tensor(Array.from({ length: w.size }, (_v, j) => 0.7 * Math.sin(5 * i + 3 * j)), w.shape)));
    const { modelJson, weights } = await tfSave(theirs);
    const ours = await loadModel(modelJson, weights);
    expect(ours.layers.map((l) => l.className)).toEqual(["Conv2D", "Conv2DTranspose", "Conv2DTranspose", "Activation"]);
    expect(ours.outputShape).toEqual([7, 7, 2]); // 6x5 -> 3x3 -> 6x6 (same, stride 2) -> 7x7 (valid, kernel 2)
    const xs = batchFor([[6, 5, 2]], BATCH, 6);
    expectClose(ourPredict(ours as unknown as AnyModel, xs), tfPredict(theirs, xs, BATCH), "tfjs conv2dTranspose -> ours");
    ours.dispose();
  });
});

describe("depth_multiplier that a file leaves out", () => {
  /** tfjs: a SeparableConv2D and a DepthwiseConv2D with depth multiplier 2 (and 3), weights set to a pattern. */
  function tfDepthwise(): tfl.LayersModel {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.separableConv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, depthMultiplier: 2, padding: "same", activation: "relu" }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    theirs.setWeights(theirs.getWeights().map((w, i) =>
      tf.tensor(Array.from({ length: w.size }, (_v, j) => 0.3 * Math.sin(5 * i + j)), w.shape)));
    return theirs;
  }
  const configs = (json: Record<string, unknown>): Record<string, unknown>[] =>
    ((json["modelTopology"] as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers).map((l) => l.config);

  it("a tfjs SeparableConv2D with depthMultiplier 2, saved by tfjs, loads and predicts the same", async () => {
    const theirs = tfDepthwise();
    const { modelJson, weights } = await tfSave(theirs);
    // What this is about: tfjs-layers 4.22 writes the separable layer without it.
    expect(configs(modelJson)[0]).not.toHaveProperty("depth_multiplier");
    const ours = await loadModel(modelJson, weights);
    const xs = batchFor([[6, 6, 3]], BATCH, 6);
    expectClose(ourPredict(ours as unknown as AnyModel, xs), tfPredict(theirs, xs, BATCH), "tfjs separable x2 -> ours");
    ours.dispose();
    theirs.dispose();
  });

  it("a DepthwiseConv2D's multiplier comes from its kernel too; with two kernels for one layer nothing is guessed", async () => {
    const theirs = tfDepthwise();
    const { modelJson, weights } = await tfSave(theirs);
    for (const c of configs(modelJson)) delete c["depth_multiplier"];
    const ours = await loadModel(modelJson, weights);
    const xs = batchFor([[6, 6, 3]], BATCH, 2);
    expectClose(ourPredict(ours as unknown as AnyModel, xs), tfPredict(theirs, xs, BATCH), "no depth_multiplier at all -> ours");
    ours.dispose();
    // Ambiguous (two kernels for one layer): nothing is guessed, and the shape check says what does not fit.
    const group = (modelJson["weightsManifest"] as { weights: { name: string; shape: number[] }[] }[])[0]!;
    const kernel = group.weights.find((w) => w.name.endsWith("/depthwise_kernel"))!;
    const twice = { ...modelJson, weightsManifest: [{ ...group, weights: [...group.weights, { ...kernel, name: `outer/${kernel.name}` }] }] };
    const extra = new Uint8Array(weights.byteLength + kernel.shape.reduce((a, b) => a * b) * 4);
    extra.set(new Uint8Array(weights));
    await expect(loadModel(twice, extra))
      .rejects.toThrow(/depthwise_kernel.*(both name|has shape \[3,3,3,2\] in the manifest, but .* needs \[3,3,3,1\])/);
    theirs.dispose();
  });
});

describe("save", () => {
  it("writes Keras JSON: snake_case configs, class names, inbound_nodes, the leakyRelu split", async () => {
    const model = OUR_MODELS["concatShared"]!();
    const { modelJson } = await model.save();
    const topo = modelJson.modelTopology as { class_name: string; config: { layers: Record<string, unknown>[] } };
    expect(topo.class_name).toBe("Model");
    const byName = new Map(topo.config.layers.map((l) => [l["name"] as string, l]));
    expect(byName.get("shared")!["inbound_nodes"]).toEqual([[["image", 0, 0, {}]], [["shared", 0, 0, {}]]]);
    expect((byName.get("b1")!["config"] as Record<string, unknown>)["activation"]).toBe("linear");
    expect(byName.get("b1_leaky_re_lu")).toMatchObject({ class_name: "LeakyReLU", config: { alpha: 0.2 }, inbound_nodes: [[["b1", 0, 0, {}]]] });
    expect(byName.get("join")!["inbound_nodes"]).toEqual([[["b1_leaky_re_lu", 0, 0, {}], ["max", 0, 0, {}], ["shared", 0, 0, {}]]]);
    expect((byName.get("shared")!["config"] as Record<string, unknown>)["kernel_size"]).toEqual([3, 3]);
    expect((byName.get("shared")!["config"] as Record<string, unknown>)["kernel_initializer"]).toEqual({ class_name: "GlorotUniform", config: { seed: null } });
    model.dispose();
  });

  it("a disposed model refuses to save; saving and loading leave no arena blocks behind", async () => {
    const before = memory().blocks;
    const model = OUR_MODELS["residualBn"]!();
    const saved = await model.save();
    model.dispose();
    await expect(model.save()).rejects.toThrow(/disposed/);
    (await loadModel(saved.modelJson, saved.weights)).dispose();
    expect(memory().blocks).toBe(before);
  });
});
