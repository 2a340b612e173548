// Training continues after a reload: save with the optimizer after 2 steps,
// load, take a 3rd step, and every weight equals (bit for bit) 3 steps taken
// without the interruption, for SGD with momentum and for Adam, on the JS
// backend and on a wasm build. tfjs-layers accepts the same file: it
// compiles from trainingConfig, takes the optimizer state (iter first), and
// its 3rd step lands where ours does.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  Adam, BatchNormalization, Conv2D, Dense, Flatten, init, loadModel, ModelFormatError, Sequential, SGD, type Optimizer,
} from "../../src/index.node.js";
import { readWasmBytes } from "../support/backends.js";
import { seedWeights, uniform } from "./models.js";

const SHAPE = [5, 5, 2];
const BATCH = 4;
const CLASSES = 3;

function build(): Sequential {
  const model = new Sequential([
    new Conv2D({ filters: 3, kernelSize: 3, activation: "relu", name: "conv" }),
    new BatchNormalization({ name: "bn" }),
    new Flatten({ name: "flat" }),
    new Dense({ units: CLASSES, activation: "softmax", name: "out" }),
  ], { inputShape: SHAPE, name: "resume" });
  seedWeights(model, 5);
  return model;
}

/** Batch k: inputs and one-hot labels. */
function batch(k: number): { x: Float32Array; y: Float32Array } {
  const x = uniform(BATCH * 50, 100 + k);
  const y = new Float32Array(BATCH * CLASSES);
  for (let i = 0; i < BATCH; i++) y[i * CLASSES + ((i + k) % CLASSES)] = 1;
  return { x, y };
}

const bits = (ws: Float32Array[]): Uint32Array[] => ws.map((w) => new Uint32Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength)));

const OPTIMIZERS: [string, () => Optimizer][] = [
  ["SGD with momentum", () => new SGD({ learningRate: 0.05, momentum: 0.9 })],
  ["Adam", () => new Adam({ learningRate: 0.01 })],
];

describe.each([["js"], ["simd wasm"]])("on the %s backend", (backend) => {
  beforeAll(async () => {
    await init(backend === "js" ? { backend: "js" } : { backend: "simd", wasm: readWasmBytes("simd") });
  });

  describe.each(OPTIMIZERS)("%s", (_name, optimizer) => {
    it("2 steps, save with the optimizer, load, 1 step == 3 uninterrupted steps, bit for bit", async () => {
      const straight = build();
      straight.compile({ optimizer: optimizer(), loss: "categoricalCrossentropy" });
      for (const k of [0, 1]) straight.trainOnBatch(batch(k).x, batch(k).y);
      await straight.fit(batch(2).x, batch(2).y, { epochs: 1, batchSize: BATCH, shuffle: false });

      const first = build();
      first.compile({ optimizer: optimizer(), loss: "categoricalCrossentropy" });
      for (const k of [0, 1]) first.trainOnBatch(batch(k).x, batch(k).y);
      const saved = await first.save({ includeOptimizer: true });
      first.dispose();
      const text = JSON.stringify(saved.modelJson); // as a file carries it
      const resumed = await loadModel(text, saved.weights);
      await resumed.fit(batch(2).x, batch(2).y, { epochs: 1, batchSize: BATCH, shuffle: false });
      expect(bits(resumed.getWeights())).toEqual(bits(straight.getWeights()));

      // Without the state the optimizer starts over: the step differs.
      const bare = await build().save();
      expect(bare.modelJson.trainingConfig).toBeUndefined();
      const again = build();
      again.compile({ optimizer: optimizer(), loss: "categoricalCrossentropy" });
      for (const k of [0, 1]) again.trainOnBatch(batch(k).x, batch(k).y);
      const noState = await again.save();
      expect(noState.modelJson.weightsManifest[0]!.weights.some((w) => w.group === "optimizer")).toBe(false);
      const fresh = await loadModel(noState.modelJson, noState.weights);
      await fresh.fit(batch(2).x, batch(2).y, { epochs: 1, batchSize: BATCH, shuffle: false });
      expect(bits(fresh.getWeights())).not.toEqual(bits(straight.getWeights()));
      for (const m of [straight, resumed, again, fresh]) m.dispose();
    });
  });
});

describe("the file as tfjs-layers reads it", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
    await init({ backend: "js" });
  });

  it.each(OPTIMIZERS)("%s: tfjs compiles from trainingConfig, takes the state, and steps where we do", async (_n, optimizer) => {
    const ours = build();
    ours.compile({ optimizer: optimizer(), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    for (const k of [0, 1]) ours.trainOnBatch(batch(k).x, batch(k).y);
    const { modelJson, weights } = await ours.save({ includeOptimizer: true });
    const tc = modelJson.trainingConfig!;
    expect(tc.loss).toBe("categorical_crossentropy");
    expect(tc.metrics).toEqual(["accuracy"]);
    const specs = modelJson.weightsManifest[0]!.weights;
    const opt = specs.filter((s) => s.group === "optimizer");
    expect(opt[0]).toEqual({ name: "iter", shape: [], dtype: "int32", group: "optimizer" });
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: weights,
      trainingConfig: JSON.parse(JSON.stringify(tc)) as tf.io.TrainingConfig,
    }));
    expect(theirs.optimizer.getClassName()).toBe(tc.optimizer_config.class_name);
    expect(theirs.optimizer.iterations).toBe(2);
    const state = await theirs.optimizer.getWeights();
    expect(state.map((w) => w.tensor.shape)).toEqual(opt.map((s) => s.shape));
    // A third step on each side lands in the same place (float32 rounding apart).
    const { x, y } = batch(2);
    await theirs.trainOnBatch(tf.tensor(x, [BATCH, ...SHAPE]), tf.tensor(y, [BATCH, CLASSES]));
    ours.trainOnBatch(x, y);
    const tfWeights = new Map(theirs.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
    let k = 0;
    for (const layer of ours.layers) {
      for (const p of layer.weights()) {
        const theirsW = tfWeights.get(`${layer.name}/${p.name}`)!;
        const mine = ours.getWeights()[k++]!;
        expect(theirsW, `${layer.name}/${p.name}`).toBeDefined();
        mine.forEach((v, i) => expect(Math.abs(v - theirsW[i]!)).toBeLessThan(1e-4 + 1e-4 * Math.abs(v)));
      }
    }
    theirs.dispose();
    ours.dispose();
  });
});

describe("trainingConfig as other writers put it", () => {
  beforeAll(() => init({ backend: "js" }));

  it("reads Keras' snake_case SGD with momentum, and refuses what it cannot honour by name", async () => {
    const m = build();
    const { modelJson, weights } = await m.save();
    m.dispose();
    const withConfig = (t: unknown): object => ({ ...modelJson, training_config: t });
    const keras = { loss: "categorical_crossentropy", metrics: ["acc"], optimizer_config: { class_name: "SGD", config: { learning_rate: 0.1, momentum: 0.5 } } };
    const loaded = await loadModel(withConfig(keras), weights);
    expect(loaded.memory().optimizerState).toBeGreaterThan(0); // compiled, one momentum slot
    loaded.dispose();
    await expect(loadModel(withConfig({ ...keras, optimizer_config: { class_name: "RMSprop", config: {} } }), weights))
      .rejects.toThrow(/^training_config\.optimizer_config\.class_name: optimizer "RMSprop" is not supported/);
    await expect(loadModel(withConfig({ ...keras, loss: "mean_squared_error", optimizer_config: { class_name: "Adam", config: { beta1: 2 } } }), weights))
      .rejects.toThrow(ModelFormatError);
    await expect(loadModel(withConfig({ ...keras, loss: "hinge" }), weights)).rejects.toThrow(/^training_config: .*hinge/);
  });
});

describe("save reads the model when it is called", () => {
  beforeAll(() => init({ backend: "js" }));

  // The writer is imported on first use (a lazy chunk in the browser), so
  // save() awaits before it writes: what it writes is read before that.
  it("a step, a learning-rate change or dispose() before the save settles is not in the file", async () => {
    const m = build();
    const adam = new Adam({ learningRate: 0.01 });
    m.compile({ optimizer: adam, loss: "categoricalCrossentropy" });
    m.trainOnBatch(batch(0).x, batch(0).y);
    const expected = await m.save({ includeOptimizer: true });
    const pending = m.save({ includeOptimizer: true });
    m.trainOnBatch(batch(1).x, batch(1).y);
    adam.learningRate = 0.5;
    m.dispose();
    const saved = await pending;
    expect(saved.modelJson).toEqual(expected.modelJson);
    expect(new Uint8Array(saved.weights)).toEqual(new Uint8Array(expected.weights));
  });
});
