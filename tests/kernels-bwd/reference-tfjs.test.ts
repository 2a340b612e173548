// The backward oracle against TensorFlow itself: the JS reference conv2d,
// max-pool and average-pool gradients agree with tf.grads on TensorFlow.js's
// cpu backend ('same' with odd total padding, unequal strides, non-square
// kernels, batch > 1), which pins down the padding and tie conventions that
// the wasm-vs-js tests inherit.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core's node bundle registers no gradients (tfjs-layers or the full
// tfjs package normally do); this side-effect module registers them all.
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { beforeAll, describe, it } from "vitest";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, windowGeometry, type Padding, type WindowCase } from "../support/geometry.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { createJsTrainingBackend } from "../support/train-backends.js";
import { runConvBackward, runPoolBackward } from "../support/train-run.js";
import { accumulationTolerance } from "../tolerances.js";

const shape = (batch: number, inHeight: number, inWidth: number, inChannels: number, kernelHeight: number,
               kernelWidth: number, strideHeight: number, strideWidth: number, padding: Padding): WindowCase =>
  ({ batch, inHeight, inWidth, inChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padding });

const CASES: WindowCase[] = [
  shape(1, 4, 4, 1, 3, 3, 2, 2, "same"),
  shape(2, 6, 7, 3, 2, 2, 1, 1, "same"),
  shape(1, 8, 9, 2, 2, 5, 2, 3, "same"),
  shape(1, 9, 9, 4, 3, 3, 3, 3, "same"),
  shape(2, 7, 7, 5, 3, 1, 2, 1, "valid"),
];

const OUT_CHANNELS = 4;
const js = createJsTrainingBackend();
const nhwc = (c: WindowCase): [number, number, number, number] => [c.batch, c.inHeight, c.inWidth, c.inChannels];

describe("js backward oracle vs tf.grads on the TensorFlow.js cpu backend", () => {
  beforeAll(async () => {
    tf.env().set("PROD", true);
    await tf.setBackend("cpu");
  });

  it.each(CASES.map((c) => [describeWindow(c), c] as const))("conv2d %s", (label, c) => {
    const g = windowGeometry(c);
    const x = randomFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label + "x"));
    const w = randomFloats(c.kernelHeight * c.kernelWidth * c.inChannels * OUT_CHANNELS, seedFrom(label + "w"));
    const dy = randomFloats(g.batch * g.outHeight * g.outWidth * OUT_CHANNELS, seedFrom(label + "dy"));
    const got = runConvBackward(js, { shape: c, outChannels: OUT_CHANNELS, x, w, dy, bias: false }, label);
    const [dx, dw] = tf.tidy(() => {
      const dyT = tf.tensor4d(dy, [g.batch, g.outHeight, g.outWidth, OUT_CHANNELS]);
      const f = (xt: tf.Tensor, wt: tf.Tensor): tf.Tensor => tf.sum(tf.mul(
        tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, [c.strideHeight, c.strideWidth], c.padding), dyT));
      return tf.grads(f)([
        tf.tensor4d(x, nhwc(c)),
        tf.tensor4d(w, [c.kernelHeight, c.kernelWidth, c.inChannels, OUT_CHANNELS]),
      ]).map((t) => t.dataSync() as Float32Array);
    });
    expectAllClose(got.dx, dx, accumulationTolerance(c.kernelHeight * c.kernelWidth * OUT_CHANNELS), `${label} dx`);
    expectAllClose(got.dw, dw, accumulationTolerance(g.batch * g.outHeight * g.outWidth), `${label} dw`);
  });

  // tfjs-backend-cpu's AvgPoolGrad divides by the FULL window size
  // (kernels/AvgPoolGrad.js: avgMultiplier = 1 / (filterHeight * filterWidth))
  // while its forward avgPool divides by the real cells: at padded borders its
  // gradient is not the gradient of its own forward. Ours is (gradcheck.test.ts
  // checks it against finite differences), so average pooling is compared with
  // tfjs only on geometries without padding.
  const unpadded = (c: WindowCase): boolean => {
    const g = windowGeometry(c);
    return (g.outHeight - 1) * g.strideHeight + g.kernelHeight <= g.inHeight &&
      (g.outWidth - 1) * g.strideWidth + g.kernelWidth <= g.inWidth && g.padTop === 0 && g.padLeft === 0;
  };
  describe.each(["max", "avg"] as const)("%sPool2d", (mode) => {
    const cases = mode === "max" ? CASES : CASES.filter(unpadded);
    it.each(cases.map((c) => [describeWindow(c), c] as const))("%s", (label, c) => {
      const g = windowGeometry(c);
      const x = randomFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label + "x"));
      const dy = randomFloats(g.batch * g.outHeight * g.outWidth * c.inChannels, seedFrom(label + "dy"));
      const got = runPoolBackward(js, mode, c, x, dy, label);
      const expected = tf.tidy(() => {
        const dyT = tf.tensor4d(dy, [g.batch, g.outHeight, g.outWidth, c.inChannels]);
        const pool = mode === "max" ? tf.maxPool : tf.avgPool;
        const f = (xt: tf.Tensor): tf.Tensor => tf.sum(tf.mul(
          pool(xt as tf.Tensor4D, [c.kernelHeight, c.kernelWidth], [c.strideHeight, c.strideWidth], c.padding), dyT));
        return tf.grad(f)(tf.tensor4d(x, nhwc(c))).dataSync() as Float32Array;
      });
      expectAllClose(got, expected, accumulationTolerance(c.kernelHeight * c.kernelWidth), `${mode}Pool2d ${label}`);
    });
  });
});
