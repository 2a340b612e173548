// The oracle against TensorFlow itself: the JS backend's conv2d, maxPool,
// avgPool and softmax agree with TensorFlow.js's cpu backend on 'same' and
// 'valid' geometries, including odd total padding and unequal strides. This
// pins down the padding convention every other kernel test inherits.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, windowGeometry, type Padding, type WindowCase } from "../support/geometry.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { LEAKY_ALPHA, runConv2d, runPool, runSoftmax } from "../support/run.js";
import { accumulationTolerance, ACTIVATION_ABS, ACTIVATION_REL, avgPoolTolerance, MAX_POOL_ABS } from "../tolerances.js";

const shape = (batch: number, inHeight: number, inWidth: number, inChannels: number, kernelHeight: number,
               kernelWidth: number, strideHeight: number, strideWidth: number, padding: Padding): WindowCase =>
  ({ batch, inHeight, inWidth, inChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padding });

const CASES: WindowCase[] = [
  shape(1, 4, 4, 1, 3, 3, 2, 2, "same"),  // total padding 1 on both axes
  shape(2, 6, 7, 3, 2, 2, 1, 1, "same"),  // even kernel: padding (0, 1)
  shape(1, 8, 9, 2, 2, 5, 2, 3, "same"),  // non-square kernel, unequal strides
  shape(1, 9, 9, 4, 3, 3, 3, 3, "same"),
  shape(1, 10, 8, 3, 5, 5, 2, 2, "same"),
  shape(2, 7, 7, 5, 3, 1, 2, 1, "valid"),
];

const js = createJsKernels();

describe("js oracle vs TensorFlow.js cpu backend", () => {
  beforeAll(async () => {
    // PROD silences the "install tfjs-node" banner; it only drops debug checks.
    tf.env().set("PROD", true);
    await tf.setBackend("cpu");
  });

  it.each(CASES.map((c) => [describeWindow(c), c] as const))("conv2d %s", (label, c) => {
    const outChannels = 3;
    const x = randomFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label));
    const w = randomFloats(c.kernelHeight * c.kernelWidth * c.inChannels * outChannels, seedFrom(label) + 1);
    const ours = runConv2d(js, { shape: c, outChannels, x, w, bias: null, act: ActivationId.Linear, alpha: LEAKY_ALPHA }, label);
    const theirs = tf.tidy(() => tf.conv2d(
      tf.tensor4d(x, [c.batch, c.inHeight, c.inWidth, c.inChannels]),
      tf.tensor4d(w, [c.kernelHeight, c.kernelWidth, c.inChannels, outChannels]),
      [c.strideHeight, c.strideWidth], c.padding).dataSync() as Float32Array);
    expectAllClose(ours, theirs, accumulationTolerance(c.kernelHeight * c.kernelWidth * c.inChannels), `conv2d ${label}`);
  });

  it.each(CASES.map((c) => [describeWindow(c), c] as const))("maxPool and avgPool %s", (label, c) => {
    const x = randomFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label));
    const g = windowGeometry(c);
    const input = (): tf.Tensor4D => tf.tensor4d(x, [c.batch, c.inHeight, c.inWidth, c.inChannels]);
    const size: [number, number] = [g.kernelHeight, g.kernelWidth];
    const strides: [number, number] = [g.strideHeight, g.strideWidth];
    const max = tf.tidy(() => tf.maxPool(input(), size, strides, c.padding).dataSync() as Float32Array);
    const avg = tf.tidy(() => tf.avgPool(input(), size, strides, c.padding).dataSync() as Float32Array);
    expectAllClose(runPool(js, "max", c, x, label), max, { abs: MAX_POOL_ABS, rel: 0 }, `maxPool ${label}`);
    expectAllClose(runPool(js, "avg", c, x, label), avg, avgPoolTolerance(g.kernelHeight * g.kernelWidth), `avgPool ${label}`);
  });

  it("softmax", () => {
    const x = randomFloats(4 * 9, 7, -20, 20);
    const theirs = tf.tidy(() => tf.softmax(tf.tensor2d(x, [4, 9])).dataSync() as Float32Array);
    expectAllClose(runSoftmax(js, x, 4, 9, false, "softmax"), theirs,
      { abs: ACTIVATION_ABS, rel: ACTIVATION_REL }, "softmax vs tf");
  });
});
