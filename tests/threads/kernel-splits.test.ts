// Thread-count invariance where BatchNorm, softmax, dropout, Maximum's
// backward, the optimizer updates and the strided row copies split (src/threads/split-norm.ts,
// split-elementwise.ts): predictions and the weights after fit (3 steps of
// SGD with momentum and of Adam, and each loss) are bit-identical on 1 (the
// single-thread binary), 2, 3 and 4 threads. A spy on the calling thread's
// instance (spy.ts) shows that each split engages: on more than one thread
// the caller runs only part 0, a smaller call of the same export or a
// channel range export.
import { describe, expect, it } from "vitest";
import {
  Activation, Adam, AvgPool2D, BatchNormalization, Concatenate, Conv2D, Dense, DepthwiseConv2D, Dropout, Flatten, GlobalAvgPool2D, input,
  MaxPool2D, Maximum, Model, ReLU, SGD, Sequential, UpSampling2D, ZeroPadding2D, capabilities, init, type LossName,
} from "simdcnn";
import { firstBitDifference, ramp } from "./models.js";
import { spyOnExports } from "./spy.js";

const spy = spyOnExports();
type Variant = "simd" | "relaxed-simd";
const VARIANTS = ["simd", "relaxed-simd"] as const;
const THREADS = [2, 3, 4];

/**
 * Conv 3x3 'same' 39x41x8 -> 34, BatchNorm over 34 channels (8 blocks of 4
 * and a tail of 2), ReLU, dropout. At batch 8: 435 K floats, so in the cost
 * model (0.5 MFLOP a part) the moments (6 a float), the affine map (8), the
 * backward (12) and dropout (10) split in 4 (or as many as the threads).
 */
function bnModel(head: { units: number; activation: "softmax" | "sigmoid" | "linear" }): Sequential {
  return new Sequential([
    new Conv2D({ filters: 34, kernelSize: 3, padding: "same", useBias: false, seed: 1 }),
    new BatchNormalization(),
    new ReLU(),
    new Dropout({ rate: 0.3, seed: 4 }),
    new GlobalAvgPool2D(),
    new Dense({ ...head, seed: 2 }),
  ], { inputShape: [39, 41, 8] });
}
const BN_BATCH = 8;
/**
 * BatchNorm's threaded-only exports, under the whole call's size: channel
 * ranges end below 34 channels; the backward's dx pass over 8 * 39 * 41
 * rows splits by rows (6 a float: 4 parts).
 */
const BN_RANGES = [
  ["channelMomentsChannels", 34], ["batchNormBackwardChannels", 34], ["batchNormBackwardDx", BN_BATCH * 39 * 41],
] as const;

/**
 * Two Dense 160 -> 2100 branches under a Maximum, then softmax, trained
 * with MSE (so the softmax backward is the unfused one), at batch 160:
 * each branch's 336 K weights split in the updates (sgd 6 a float, Adam 8:
 * 4 parts), Maximum's backward over 336 K floats (6 a float: 4 parts), the
 * softmax over 160 rows of 2100 (48 a float: 4 parts) and its backward
 * (18: 4 parts).
 */
function denseModel(): Model {
  const x = input({ shape: [160] });
  const a = new Dense({ units: 2100, activation: "tanh", seed: 1 }).apply(x);
  const b = new Dense({ units: 2100, activation: "relu", seed: 2 }).apply(x);
  return new Model({ inputs: x, outputs: new Activation({ activation: "softmax" }).apply(new Maximum().apply([a, b])) });
}
const DENSE_BATCH = 160;

/**
 * Batch 1, every input gradient by rows of dx (the first layer's is never
 * formed): conv 3x3 'same' 16 -> 24 on 46x44 (the stride-1 row form, 14
 * MFLOP: 4 parts), depthwise 3x3 dilated 2, multiplier 2 (3.6 MFLOP at 2 a
 * flop: 4 parts), max pooling 2x2 on whole windows (its tiled path, 3.1 M at
 * 32 a window op: 4 parts), conv 3x3 stride 2 'same' 48 -> 20 (the scatter
 * form, 2.3 MFLOP: 4 parts).
 */
function rowsModel(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 16, kernelSize: 1, seed: 1 }),
    new Conv2D({ filters: 24, kernelSize: 3, padding: "same", activation: "relu", seed: 2 }),
    new DepthwiseConv2D({ kernelSize: 3, dilationRate: 2, depthMultiplier: 2, padding: "same", seed: 3 }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 20, kernelSize: 3, strides: 2, padding: "same", activation: "tanh", seed: 4 }),
    new Flatten(),
    new Dense({ units: 3, activation: "softmax", seed: 5 }),
  ], { inputShape: [46, 44, 6] });
}

/**
 * Batch 1, pooling backward by rows of dx where windows do not overlap:
 * average 2x2 'valid' on 98x93x40 (a column and no row left over, 11 M
 * window ops: 4 parts), then max 3x3 stride 3 'same' on 49x46x40 (padding
 * on every side: the general path, not the tiled one its parts below the
 * first could take otherwise; 3.1 M: 4 parts).
 */
function poolModel(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 40, kernelSize: 1, seed: 1 }),
    new AvgPool2D({ poolSize: 2 }),
    new MaxPool2D({ poolSize: 3, strides: 3, padding: "same" }),
    new Flatten(),
    new Dense({ units: 3, activation: "softmax", seed: 2 }),
  ], { inputShape: [98, 93, 8] });
}

/**
 * Strided row copies (copyRows, 4 a float): two 1x1 conv branches of 40
 * and 48 channels on 60x62 concatenated at batch 4, each copied into (and
 * its gradient out of) its band of the 88 channels in 14,880 rows: 595 K
 * and 714 K floats, 4 parts each. The padding after it copies 60 rows of
 * 5,456 floats an image (327 K: 2 parts); the upsampling's copies stay
 * whole. All must stay exact.
 */
function copyModel(): Model {
  const x = input({ shape: [60, 62, 3] });
  const a = new Conv2D({ filters: 40, kernelSize: 1, activation: "relu", seed: 1 }).apply(x);
  const b = new Conv2D({ filters: 48, kernelSize: 1, activation: "tanh", seed: 2 }).apply(x);
  const joined = new ZeroPadding2D({ padding: 2 }).apply(new Concatenate().apply([a, b]));
  const up = new UpSampling2D({ size: 2 }).apply(new Conv2D({ filters: 4, kernelSize: 3, strides: 2, seed: 3 }).apply(joined));
  return new Model({ inputs: x, outputs: new Dense({ units: 3, activation: "softmax", seed: 4 }).apply(new Flatten().apply(up)) });
}
const COPY_BATCH = 4;

const OPTIMIZERS = { sgd: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), adam: () => new Adam({ learningRate: 1e-2 }) };

/** Labels for `loss` over `classes` outputs. */
function labelsFor(loss: LossName, batch: number, classes: number): Float32Array {
  if (loss === "sparseCategoricalCrossentropy") return Float32Array.from({ length: batch }, (_, i) => i % classes);
  const t = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) {
    if (loss === "meanSquaredError") for (let j = 0; j < classes; j++) t[i * classes + j] = Math.sin(i + 3 * j) * 0.5;
    else if (loss === "binaryCrossentropy") for (let j = 0; j < classes; j++) t[i * classes + j] = (i + j) % 2;
    else t[i * classes + (i % classes)] = 1;
  }
  return t;
}

async function weightsAfterFit(backend: Variant, threads: number, build: () => Model | Sequential, batch: number,
  loss: LossName, optimizer: keyof typeof OPTIMIZERS): Promise<Float32Array[]> {
  await init({ backend, threads, nodeRelaxedSimdFlag: true });
  expect(capabilities().threads).toBe(threads);
  const model = build();
  model.compile({ optimizer: OPTIMIZERS[optimizer](), loss });
  const classes = model.outputShape[model.outputShape.length - 1]!;
  const sample = model.inputShape.reduce((a, b) => a * b, 1);
  await model.fit(ramp(batch * sample, batch), labelsFor(loss, batch, classes), { epochs: 3, batchSize: batch, seed: 7 });
  const weights = model.getWeights().map((w) => w.slice());
  model.dispose();
  return weights;
}

/** Asserts `many` equals `one` bit for bit. */
function expectSameBits(many: Float32Array[], one: Float32Array[], what: string): void {
  expect(many.length).toBe(one.length);
  many.forEach((w, i) => expect(firstBitDifference(w, one[i]!), `${what}, tensor ${i}`).toBe(-1));
}

/**
 * Runs `run` on 1 thread, then 2..4, each compared bit for bit; after each
 * threaded run, every export of `splits` saw a smaller call on the calling
 * thread than on one thread, and each threaded-only export of `ranges` was
 * called there with a size under its bound (a part of the whole).
 */
async function invariant(run: (threads: number) => Promise<Float32Array[]>, splits: readonly string[],
  ranges: readonly (readonly [string, number])[] = []): Promise<void> {
  spy.reset();
  const one = await run(1);
  const whole = new Map(splits.map((name) => [name, spy.largest(name)]));
  for (const name of splits) expect(whole.get(name), `${name} runs on one thread`).toBeGreaterThan(0);
  for (const threads of THREADS) {
    spy.reset();
    expectSameBits(await run(threads), one, `${threads} threads`);
    for (const name of splits) {
      expect(spy.largest(name), `${name} splits on ${threads} threads`).toBeGreaterThan(0);
      expect(spy.largest(name), `${name} splits on ${threads} threads`).toBeLessThan(whole.get(name)!);
    }
    for (const [name, whole] of ranges) {
      expect(spy.largest(name), `${name} runs part 0 on ${threads} threads`).toBeGreaterThan(0);
      expect(spy.largest(name), `${name} runs part 0 on ${threads} threads`).toBeLessThan(whole);
    }
  }
}

describe.each(VARIANTS)("%s: BatchNorm, softmax, dropout, Maximum and the optimizers split, bit-identically", (backend) => {
  it.each(["sgd", "adam"] as const)("fit, BatchNorm and dropout, batch 8, %s", async (optimizer) => {
    await invariant((threads) => weightsAfterFit(backend, threads, () => bnModel({ units: 5, activation: "softmax" }),
      BN_BATCH, "sparseCategoricalCrossentropy", optimizer), ["channelAffine", "dropoutForward"],
    BN_RANGES);
  });

  it.each(["sgd", "adam"] as const)("fit, Dense under Maximum, softmax with MSE, batch 160, %s", async (optimizer) => {
    await invariant((threads) => weightsAfterFit(backend, threads, denseModel, DENSE_BATCH, "meanSquaredError", optimizer),
      [optimizer === "sgd" ? "sgdUpdate" : "adamUpdate", "maximumBackward", "softmax", "softmaxBackward"]);
  });

  it.each(["sgd", "adam"] as const)("fit at batch 1, input gradients by rows of dx, %s", async (optimizer) => {
    await invariant((threads) => weightsAfterFit(backend, threads, rowsModel, 1, "sparseCategoricalCrossentropy", optimizer),
      ["conv2dBackwardInput", "depthwiseConv2dBackwardInput", "maxPool2dBackward"]);
  });

  it("fit at batch 1, pooling backward by rows of dx", async () => {
    await invariant((threads) => weightsAfterFit(backend, threads, poolModel, 1, "sparseCategoricalCrossentropy", "sgd"),
      ["avgPool2dBackward", "maxPool2dBackward"]);
  });

  // The losses are too small to split (a few us a step); the rest of the step splits around each.
  it.each([
    ["categoricalCrossentropy", "softmax"], ["sparseCategoricalCrossentropy", "softmax"],
    ["binaryCrossentropy", "sigmoid"], ["meanSquaredError", "linear"],
  ] as const)("fit with %s, BatchNorm and dropout, batch 8", async (loss, activation) => {
    await invariant((threads) => weightsAfterFit(backend, threads, () => bnModel({ units: 4, activation }), BN_BATCH, loss,
      "sgd"), ["channelAffine", "dropoutForward"], BN_RANGES);
  });

  it("fit: Concatenate copies rows in parts (then padding and upsampling, whole), batch 4", async () => {
    await invariant((threads) => weightsAfterFit(backend, threads, copyModel, COPY_BATCH, "categoricalCrossentropy", "adam"),
      ["copyRows"]);
  });

  it("predict: BatchNorm's affine map at batch 1 and 8, softmax over 160 rows", async () => {
    const predict = async (threads: number): Promise<Float32Array[]> => {
      await init({ backend, threads, nodeRelaxedSimdFlag: true });
      // BatchNorm first, so that no layer before it absorbs it: 110 * 117 * 36 = 463 K floats an
      // image (8 a float: 4 parts at batch 1 and at batch 8).
      const bn = new Sequential([new BatchNormalization({ epsilon: 0.3 }), new Flatten()], { inputShape: [110, 117, 36] });
      const dense = denseModel();
      const out = [1, BN_BATCH].map((batch) => bn.predict(ramp(batch * 110 * 117 * 36, batch)).toArray().slice());
      out.push(dense.predict(ramp(DENSE_BATCH * 160, 3)).toArray().slice());
      bn.dispose();
      dense.dispose();
      return out;
    };
    await invariant(predict, ["channelAffine", "softmax"]);
  });
});
