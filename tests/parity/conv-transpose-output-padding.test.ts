// Conv2DTranspose with outputPadding vs TensorFlow.js, every backend.
// tfjs-layers 4.22's Conv2DTranspose has no outputPadding (it sizes its
// output by deconvLength without one; the first test shows it), so the
// reference is tfjs-core's conv2dTranspose given the output shape explicitly
// (Keras' TensorFlow backend runs the same op with the size it computed),
// plus the bias. Kernels 1 to 5 (below, at and above the stride), strides 1
// to 3, both paddings, every outputPadding below the stride, odd and even
// sizes, batches 1 and 3, raw (linear) outputs. TensorFlow refuses one size:
// 'same' with an even kernel and outputPadding 0, where ceil(out / stride) is
// not the input size; Keras' JAX backend pads it as
// `_convert_conv_transpose_padding_args_from_keras_to_jax` says, and a plain
// scatter with that padding is the reference there.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { Conv2DTranspose, init, Sequential } from "simdcnn";
import { BACKENDS, relativeError, uniform, useTfCpu } from "./harness.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

interface Case {
  shape: [number, number, number];
  kernelSize: number;
  strides: number;
  padding: "same" | "valid";
  outputPadding: [number, number];
}

const FILTERS = 4;

// outputPadding [p, stride - 1 - p]: every value below the stride on each axis.
const CASES: Case[] = [1, 2, 3, 4, 5].flatMap((kernelSize) => [1, 2, 3].flatMap((strides) =>
  (["same", "valid"] as const).flatMap((padding) => Array.from({ length: strides }, (_, p): Case => ({
    shape: (kernelSize + p) % 2 === 0 ? [5, 4, 3] : [3, 6, 2], kernelSize, strides, padding,
    outputPadding: [p, strides - 1 - p],
  })))));

/** TensorFlow computes the padding from ceil(out / stride), which must give back the input size. */
const tfTakes = (c: Case): boolean => c.padding === "valid" || c.kernelSize % 2 === 1 || !c.outputPadding.includes(0);

const label = (c: Case): string =>
  `${c.shape.join("x")} k${c.kernelSize} s${c.strides} ${c.padding} outputPadding ${c.outputPadding.join("x")}`;

/** The built layer's model with seeded weights, and those weights. */
function build(c: Case): { model: Sequential; kernel: Float32Array; bias: Float32Array } {
  const { shape, ...options } = c;
  const layer = new Conv2DTranspose({ filters: FILTERS, ...options });
  const model = new Sequential([layer], { inputShape: shape });
  const kernel = uniform(c.kernelSize ** 2 * FILTERS * shape[2], 31 + c.kernelSize, 0.5);
  const bias = uniform(FILTERS, 37, 0.2);
  layer.setWeights([kernel, bias]);
  return { model, kernel, bias };
}

function tfReference(x: Float32Array, batch: number, c: Case, out: number[], kernel: Float32Array, bias: Float32Array): Float32Array {
  return tf.tidy(() => {
    const y = tf.conv2dTranspose(tf.tensor4d(x, [batch, ...c.shape]), tf.tensor4d(kernel, [c.kernelSize, c.kernelSize, FILTERS, c.shape[2]]),
      [batch, out[0]!, out[1]!, FILTERS], c.strides, c.padding);
    return tf.add(y, tf.tensor1d(bias)).dataSync() as Float32Array;
  });
}

/**
 * Each input pixel (i, j) adds x * kernel[ky, kx] at output (i * s - top + ky, j * s - left + kx),
 * where top is k - 1 minus the JAX backend's left padding of the dilated input ('same' below).
 */
function scatterReference(x: Float32Array, batch: number, c: Case, out: number[], kernel: Float32Array,
                          bias: Float32Array): Float64Array {
  const [h, w, cin] = c.shape;
  const [k, s] = [c.kernelSize, c.strides];
  const before = (p: number): number => {
    if (c.padding === "valid") return 0; // JAX pads the dilated input by k - 1 before
    const padLen = k + (k % 2) - 2 + p;
    return k - 1 - Math.min(Math.floor(padLen / 2) + (padLen % 2), k - 1);
  };
  const [top, left] = [before(c.outputPadding[0]), before(c.outputPadding[1])];
  const [oh, ow] = out as [number, number];
  const y = new Float64Array(batch * oh * ow * FILTERS);
  for (let i = 0; i < y.length; i++) y[i] = bias[i % FILTERS]!;
  for (let n = 0; n < batch; n++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const [r, q] = [i * s - top + ky, j * s - left + kx];
      if (r < 0 || r >= oh || q < 0 || q >= ow) continue;
      for (let f = 0; f < FILTERS; f++) for (let ci = 0; ci < cin; ci++) {
        y[((n * oh + r) * ow + q) * FILTERS + f]! += x[((n * h + i) * w + j) * cin + ci]! * kernel[((ky * k + kx) * FILTERS + f) * cin + ci]!;
      }
    }
  }
  return y;
}

beforeAll(useTfCpu);

it("tfjs-layers 4.22 has no outputPadding: its Conv2DTranspose keeps the size without it", () => {
  const layer = tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same", outputPadding: 0 } as never);
  expect(layer.computeOutputShape([null, 5, 5, 1])).toEqual([null, 10, 10, 1]); // Keras: (5 - 1) * 2 + 1 + 0 = 9
});

it("the scatter reference agrees with tfjs-core where TensorFlow takes the size", async () => {
  await init({ backend: "js" });
  for (const c of CASES.filter(tfTakes)) {
    const { model, kernel, bias } = build(c);
    const x = uniform(2 * c.shape[0] * c.shape[1] * c.shape[2], 5);
    const want = tfReference(x, 2, c, model.outputShape, kernel, bias);
    expect(relativeError(Float32Array.from(scatterReference(x, 2, c, model.outputShape, kernel, bias)), want), label(c))
      .toBeLessThanOrEqual(GRAPH_PARITY_REL);
    model.dispose();
  }
});

describe.each(BACKENDS)("Conv2DTranspose outputPadding vs tfjs-core on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES.map((c) => [label(c), c] as const))("%s", (_, c) => {
    const { model, kernel, bias } = build(c);
    const out = model.outputShape;
    // Keras' deconv_output_length with output_padding.
    const pad = c.padding === "same" ? Math.floor(c.kernelSize / 2) : 0;
    expect(out).toEqual([0, 1].map((i) => (c.shape[i]! - 1) * c.strides + c.kernelSize - 2 * pad + c.outputPadding[i]!).concat(FILTERS));
    for (const batch of [1, 3]) {
      const x = uniform(batch * c.shape[0] * c.shape[1] * c.shape[2], 17 + batch, 2);
      const want = tfTakes(c) ? tfReference(x, batch, c, out, kernel, bias)
        : Float32Array.from(scatterReference(x, batch, c, out, kernel, bias));
      expect(relativeError(model.predict(x).toArray(), want)).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    model.dispose();
  });
});
