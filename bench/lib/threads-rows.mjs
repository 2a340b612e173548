// The rows of the threads bench (issue 15), shared by the Node section
// (threads.mjs: simdcnn on 1 and n threads, ORT-web's GEMM) and the browser
// page (bench/browser/: simdcnn and TF.js wasm on 1 and 2 threads), so both
// time the same workloads with the same seeded inputs and weights. No Node
// imports: the page bundles this file.
//
// Each row: `input` (a Float32Array), `build(api)` for simdcnn (GEMM rows
// are Dense layers with no bias on a batch of m rows, so they run the
// `gemm` kernel with predict's input copy around it, ~2% at 512^3), and,
// for the rows the page runs, `tfjs(tf, L)`: the same workload as TF.js ops
// (or a tfjs-layers model), whose `predict(x)` starts from the same
// Float32Array (copied into a tensor) as simdcnn's predict does.

import { LENET5, describeModel, mobileNetV2, modelWeights } from "./models.mjs";
import { buildModel, loadWeights } from "./simdcnn-models.mjs";
import { setTfGraphWeights, tfForward, tfGraphModel } from "./tfjs-models.mjs";
import { randomArray } from "./data.mjs";

export const GEMM_SIZES = [512, 1024];

/** The rows: how to build each model, its input and its work (`per`: flops / 1e6, images, or 1 for ms rows). */
export function threadRows() {
  const lenet = describeModel(LENET5);
  const lenetWeights = modelWeights(lenet, 5);
  const gemm = (n) => {
    const weights = () => randomArray(n * n, 2, 0.05);
    return {
      id: `gemm-${n}`, label: `GEMM ${n}^3 (Dense, batch ${n})`, unit: "GFLOP/s", per: 2 * n ** 3 / 1e6,
      input: randomArray(n * n, 1),
      build: (api) => {
        const model = new api.Sequential([new api.Dense({ units: n, useBias: false })], { inputShape: [n] });
        model.setWeights([weights()]);
        return model;
      },
      tfjs: (tf) => {
        const b = tf.tensor2d(weights(), [n, n]);
        return { predict: (x) => tf.tidy(() => tf.matMul(tf.tensor2d(x, [n, n]), b)), dispose: () => b.dispose() };
      },
    };
  };
  const lenetRow = (batch) => ({
    id: `lenet5-b${batch}`, label: `LeNet-5 batch ${batch} inference`, unit: batch === 1 ? "ms" : "img/s", per: batch,
    input: randomArray(batch * 28 * 28, 3),
    build: (api) => {
      const model = buildModel(api, lenet);
      loadWeights(model, lenet, lenetWeights);
      return model;
    },
    tfjs: (tf) => {
      const shapes = lenet.layers.flatMap((l) => l.weightShapes);
      const weights = lenetWeights.map((w, i) => tf.tensor(w, shapes[i]));
      return {
        predict: (x) => tf.tidy(() => tfForward(tf, lenet, weights, tf.tensor4d(x, [batch, 28, 28, 1]), batch)),
        dispose: () => weights.forEach((w) => w.dispose()),
      };
    },
  });
  const mobilenet = describeModel(mobileNetV2({ alpha: 1, size: 224 }));
  const mobilenetWeights = modelWeights(mobilenet, 7);
  const trainBatch = 32;
  const oneHot = new Float32Array(trainBatch * 10);
  for (let i = 0; i < trainBatch; i++) oneHot[i * 10 + (i % 10)] = 1;
  const conv = { batch: 4, size: 56, channels: 64 };
  const convWeights = () => [randomArray(9 * 64 * 64, 5, 0.05), randomArray(64, 6, 0.1)];
  return [
    ...GEMM_SIZES.map(gemm),
    {
      id: "conv-56x56x64-64-k3-b4", label: "Conv 3x3 56x56x64->64 batch 4", unit: "GFLOP/s", per: 2 * 4 * 56 * 56 * 64 * 9 * 64 / 1e6,
      input: randomArray(conv.batch * conv.size * conv.size * conv.channels, 4),
      build: (api) => {
        const model = new api.Sequential([new api.Conv2D({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" })],
          { inputShape: [56, 56, 64] });
        model.setWeights(convWeights());
        return model;
      },
      tfjs: (tf) => {
        const [w, b] = convWeights();
        const filter = tf.tensor4d(w, [3, 3, 64, 64]);
        const bias = tf.tensor1d(b);
        return {
          predict: (x) => tf.tidy(() => tf.fused.conv2d({
            x: tf.tensor4d(x, [conv.batch, conv.size, conv.size, conv.channels]), filter, bias, strides: 1, pad: "same", activation: "relu",
          })),
          dispose: () => (filter.dispose(), bias.dispose()),
        };
      },
    },
    lenetRow(64),
    lenetRow(1),
    {
      id: `lenet5-train-b${trainBatch}`, label: `LeNet-5 training batch ${trainBatch} (SGD step)`, unit: "img/s", per: trainBatch,
      input: randomArray(trainBatch * 28 * 28, 8),
      build: (api) => {
        const model = buildModel(api, lenet);
        loadWeights(model, lenet, lenetWeights);
        model.compile({ optimizer: new api.SGD({ learningRate: 0.01 }), loss: "categoricalCrossentropy" });
        return model;
      },
      run: (model, x) => model.trainOnBatch(x, oneHot),
      check: (model, x) => {
        model.trainOnBatch(x, oneHot);
        return concat(model.getWeights());
      },
    },
    {
      id: "mobilenetv2-100-224-b1", label: "MobileNetV2 1.0 224x224 batch 1", unit: "ms", per: 1,
      input: randomArray(224 * 224 * 3, 9),
      build: (api) => {
        const model = buildModel(api, mobilenet);
        loadWeights(model, mobilenet, mobilenetWeights);
        return model;
      },
      tfjs: (tf, L) => {
        const model = tfGraphModel(L, mobilenet);
        setTfGraphWeights(tf, model, mobilenet, mobilenetWeights);
        return { predict: (x) => tf.tidy(() => model.predict(tf.tensor4d(x, [1, 224, 224, 3]))), dispose: () => model.dispose() };
      },
    },
  ];
}

/** One Float32Array holding every array of `parts`, in order. */
function concat(parts) {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A row's result in its unit from a call's `ms`: GFLOP/s, img/s or the ms themselves. */
export const rowMetric = (row, ms) => (row.unit === "ms" ? ms : row.unit === "img/s" ? row.per / (ms / 1000) : row.per / ms);
