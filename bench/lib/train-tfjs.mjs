// TensorFlow.js training contestants: tf.sequential (tfjs-layers) with the
// same layers (tf.model from the functional API for graph models), compiled
// with tf.train.sgd and categoricalCrossentropy, timed on
// `await model.trainOnBatch(x, y)`. The cpu backend trains; the wasm
// backend has no Conv2DBackpropFilter kernel, so its first step throws and
// the row says so instead of a number.

import { createRequire } from "node:module";
import { buildTfGraphModel, loadTfGraphWeights, readTfGraphWeights, tfCore, useTfBackend } from "./peer-tfjs.mjs";
import { LEARNING_RATE } from "./train-workloads.mjs";

const require = createRequire(import.meta.url);

/** tfjs-layers over the one tfjs-core instance peer-tfjs.mjs loaded. */
function layersApi() {
  tfCore();
  return require("@tensorflow/tfjs-layers");
}

function buildModel(tfl, spec) {
  const model = tfl.sequential();
  spec.layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape: spec.inputShape } : {};
    switch (l.type) {
      case "conv":
        model.add(tfl.layers.conv2d({ ...first, filters: l.filters, kernelSize: l.kernel, strides: 1, padding: l.padding, activation: l.activation }));
        break;
      case "maxpool":
        model.add(tfl.layers.maxPooling2d({ ...first, poolSize: l.pool }));
        break;
      case "flatten":
        model.add(tfl.layers.flatten(first));
        break;
      case "dense":
        model.add(tfl.layers.dense({ ...first, units: l.units, activation: l.activation }));
        break;
      default:
        throw new Error(`bench: unknown layer ${l.type}`);
    }
  });
  return model;
}

/** Why TF.js wasm cannot train, as the row prints it. */
export const TFJS_WASM_NO_BACKPROP = "TF.js wasm: cannot train convolutions (no Conv2DBackpropFilter kernel)";

function makeTrainer(id, label, backendName) {
  let unavailable = null;
  return {
    id,
    label,
    group: "peer",
    checkable: true,
    async setup() {
      try {
        const loaded = await useTfBackend(backendName);
        return `tfjs-layers ${layersApi().version_layers} on ${loaded}`;
      } catch (e) {
        unavailable = `n/a (${e.message})`;
        return unavailable;
      }
    },
    supports() {
      return unavailable ?? true;
    },
    /** Turns the wasm backend's missing-kernel error into the row's note. */
    explain(error) {
      const message = error?.message ?? String(error);
      return /Conv2DBackpropFilter/.test(message) ? `${TFJS_WASM_NO_BACKPROP}: ${message}` : message;
    },
    async prepare(wl, data) {
      await useTfBackend(backendName);
      const tf = tfCore();
      const tfl = layersApi();
      const [h, w, c] = wl.spec.inputShape;
      let model;
      if (wl.spec.graph) {
        model = buildTfGraphModel(wl.spec);
        loadTfGraphWeights(model, wl.spec, data.weights);
      } else {
        model = buildModel(tfl, wl.spec);
        const shapes = wl.spec.layers.flatMap((l) => l.weightShapes);
        const initial = data.weights.map((arr, i) => tf.tensor(arr, shapes[i]));
        model.setWeights(initial);
        initial.forEach((t) => t.dispose());
      }
      model.compile({ optimizer: tf.train.sgd(LEARNING_RATE), loss: "categoricalCrossentropy" });
      const x = tf.tensor4d(data.x, [wl.batch, h, w, c]);
      const y = tf.tensor2d(data.oneHot, [wl.batch, data.oneHot.length / wl.batch]);
      return {
        // trainOnBatch returns the loss as a number, so the step has finished.
        step: () => model.trainOnBatch(x, y),
        weights: () => wl.spec.graph
          ? readTfGraphWeights(model, wl.spec)
          : model.getWeights().map((t) => Float32Array.from(t.dataSync())),
        dispose() {
          x.dispose();
          y.dispose();
          model.dispose();
        },
      };
    },
  };
}

export const tfjsCpuTrainer = () => makeTrainer("tfjs-cpu", "TF.js cpu", "cpu");
export const tfjsWasmTrainer = () => makeTrainer("tfjs-wasm", "TF.js wasm", "wasm");
