// Level 1 of the gradient checks (tinygrad, ConvNetJS): the JS reference
// backward kernels against central finite differences of a float64 forward
// pass (tests/support/reference64.ts). For a layer y = f(x, w, b) and a random
// upstream gradient dy, the scalar L = <f(x, w, b), dy> has exactly the
// gradients the backward kernels compute. Inputs avoid kinks: ReLU inputs
// stay away from 0 and max-pool inputs are distinct by far more than the step.

import { describe, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { expectAllClose } from "../support/compare.js";
import { describeWindow, windowGeometry, type Padding, type WindowCase } from "../support/geometry.js";
import {
  activation64, binaryCrossEntropy64, conv2d64, dense64, dot64, globalAvgPool64, meanSquaredError64,
  numericGradient, pool64, softmaxCrossEntropy64,
} from "../support/reference64.js";
import { mulberry32, randomFloats, seedFrom } from "../support/rng.js";
import { activationName, ALL_ACTIVATIONS, LEAKY_ALPHA } from "../support/run.js";
import { createJsTrainingBackend } from "../support/train-backends.js";
import {
  runActivationBackward, runConvBackward, runDenseBackward, runGlobalAvgPoolBackward, runLoss, runPoolBackward,
} from "../support/train-run.js";
import { ACTIVATION_BWD_GRADCHECK_TOLERANCE, FD_STEP, GRADCHECK_TOLERANCE } from "../tolerances-bwd.js";

const js = createJsTrainingBackend();
const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

const shape = (batch: number, inHeight: number, inWidth: number, inChannels: number, kernelHeight: number,
               kernelWidth: number, strideHeight: number, strideWidth: number, padding: Padding): WindowCase =>
  ({ batch, inHeight, inWidth, inChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padding });

/** Small shapes: strides 1/2/3, 'same' with odd total padding, non-square kernels, batch > 1, uncovered cells. */
const WINDOW_CASES: WindowCase[] = [
  shape(1, 5, 5, 2, 3, 3, 1, 1, "same"),  // total padding 2: symmetric
  shape(2, 6, 6, 3, 3, 3, 2, 2, "same"),  // total padding 1: extra at the bottom/right
  shape(1, 7, 6, 2, 2, 3, 3, 2, "same"),  // non-square kernel, unequal strides
  shape(2, 7, 7, 1, 3, 2, 3, 3, "valid"), // stride 3 > kernel width: columns in no window
  shape(1, 4, 5, 3, 1, 1, 2, 2, "valid"), // 1x1 stride 2: every other cell unused
  shape(1, 5, 4, 2, 4, 1, 1, 1, "same"),  // even kernel: padding (1, 2)
];

const OUT_CHANNELS = 3;

describe("gradient check: js dense backward vs float64 central differences", () => {
  it.each([[1, 3, 2], [4, 5, 3], [3, 1, 7]])("m%i k%i n%i", (m, k, n) => {
    const label = `dense m${m} k${k} n${n}`;
    const x = randomFloats(m * k, seedFrom(label + "x"));
    const w = randomFloats(k * n, seedFrom(label + "w"));
    const b = randomFloats(n, seedFrom(label + "b"));
    const dy = randomFloats(m * n, seedFrom(label + "dy"));
    const got = runDenseBackward(js, { m, k, n, x, w, dy, bias: true }, label);
    const [x64, w64, b64] = [f64(x), f64(w), f64(b)];
    const loss = (): number => dot64(dense64(x64, w64, b64, m, k, n), dy);
    expectAllClose(got.dx, numericGradient(loss, x64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dx`);
    expectAllClose(got.dw, numericGradient(loss, w64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dw`);
    expectAllClose(got.dbias!, numericGradient(loss, b64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dbias`);
  });
});

describe("gradient check: js conv2d backward vs float64 central differences", () => {
  it.each(WINDOW_CASES.map((c) => [describeWindow(c), c] as const))("%s", (label, c) => {
    const g = windowGeometry(c);
    const x = randomFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label + "x"));
    const w = randomFloats(c.kernelHeight * c.kernelWidth * c.inChannels * OUT_CHANNELS, seedFrom(label + "w"));
    const b = randomFloats(OUT_CHANNELS, seedFrom(label + "b"));
    const dy = randomFloats(g.batch * g.outHeight * g.outWidth * OUT_CHANNELS, seedFrom(label + "dy"));
    const got = runConvBackward(js, { shape: c, outChannels: OUT_CHANNELS, x, w, dy, bias: true }, label);
    const [x64, w64, b64] = [f64(x), f64(w), f64(b)];
    const loss = (): number => dot64(conv2d64(g, x64, w64, b64, OUT_CHANNELS), dy);
    expectAllClose(got.dx, numericGradient(loss, x64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dx`);
    expectAllClose(got.dw, numericGradient(loss, w64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dw`);
    expectAllClose(got.dbias!, numericGradient(loss, b64, FD_STEP), GRADCHECK_TOLERANCE, `${label} dbias`);
  });
});

/** A random permutation of well-separated values: no ties, and no FD step can change a window's argmax. */
function distinctFloats(length: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const values = Array.from({ length }, (_, i) => (i - length / 2) * 1e-2);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [values[i], values[j]] = [values[j], values[i]];
  }
  return Float32Array.from(values);
}

describe("gradient check: js pooling backward vs float64 central differences", () => {
  const modes = ["max", "avg"] as const;
  describe.each(modes)("%sPool2d", (mode) => {
    it.each(WINDOW_CASES.map((c) => [describeWindow(c), c] as const))("%s", (label, c) => {
      const g = windowGeometry(c);
      const x = distinctFloats(c.batch * c.inHeight * c.inWidth * c.inChannels, seedFrom(label + "x"));
      const dy = randomFloats(g.batch * g.outHeight * g.outWidth * c.inChannels, seedFrom(label + "dy"));
      const got = runPoolBackward(js, mode, c, x, dy, label);
      const x64 = f64(x);
      const expected = numericGradient(() => dot64(pool64(g, x64, mode), dy), x64, FD_STEP);
      expectAllClose(got, expected, GRADCHECK_TOLERANCE, `${mode}Pool2d ${label}`);
    });
  });

  it.each([[1, 3, 3, 2], [2, 2, 5, 3]])("globalAvgPool2d b%i %ix%ix%i", (batch, height, width, ch) => {
    const label = `gap b${batch} ${height}x${width}x${ch}`;
    const x = randomFloats(batch * height * width * ch, seedFrom(label + "x"));
    const dy = randomFloats(batch * ch, seedFrom(label + "dy"));
    const got = runGlobalAvgPoolBackward(js, batch, height, width, ch, dy, label);
    const x64 = f64(x);
    const expected = numericGradient(() => dot64(globalAvgPool64(batch, height, width, ch, x64), dy), x64, FD_STEP);
    expectAllClose(got, expected, GRADCHECK_TOLERANCE, label);
  });
});

describe("gradient check: js activation backward (from the output y; swish's from its input x) vs central differences", () => {
  const RELU_CAP = 1.5;
  it.each(ALL_ACTIVATIONS.map((a) => [activationName(a), a] as const))("%s", (name, act) => {
    // Pre-activations in +-[0.05, 3]: away from the ReLU kink, into the sigmoid/tanh tails.
    const raw = randomFloats(37, seedFrom(name + "x"), 0.05, 3);
    const signs = randomFloats(37, seedFrom(name + "s"));
    // ReluCapped gets a cap of 1.5 inside that range, and inputs within 0.05 of it move off the kink.
    const alpha = act === ActivationId.ReluCapped ? RELU_CAP : LEAKY_ALPHA;
    const x64 = Float64Array.from(raw, (v, i) => {
      if (act === ActivationId.ReluCapped && Math.abs(v - RELU_CAP) < 0.05) v += 0.1;
      return signs[i] < 0 ? -v : v;
    });
    // Swish's derivative is not a function of its output: the kernel reads the input x instead.
    const y = Float32Array.from(act === ActivationId.Swish ? x64 : activation64(x64, act, alpha));
    const dy = randomFloats(37, seedFrom(name + "dy"));
    const got = runActivationBackward(js, y, dy, act, alpha, false, name);
    const expected = numericGradient(() => dot64(activation64(x64, act, alpha), dy), x64, FD_STEP);
    expectAllClose(got, expected, ACTIVATION_BWD_GRADCHECK_TOLERANCE, `activation ${name}`);
  });
});

describe("gradient check: js fused losses vs central differences of the textbook loss", () => {
  const rows = 3;
  const cols = 5;
  const logits = randomFloats(rows * cols, seedFrom("loss logits"), -3, 3);
  const classes = [4, 0, 2];
  const oneHot = new Float32Array(rows * cols);
  classes.forEach((c, r) => { oneHot[r * cols + c] = 1; });

  it("softmaxCrossEntropy (one-hot and soft labels)", () => {
    const soft = randomFloats(rows * cols, seedFrom("soft labels"), 0, 1);
    for (const labels of [oneHot, soft]) {
      const got = runLoss(js, "softmaxCrossEntropy", logits, labels, rows, cols, false, "cce");
      const z = f64(logits);
      const t = f64(labels);
      const expectedLoss = softmaxCrossEntropy64(z, t, rows, cols);
      expectAllClose(Float32Array.of(got.loss), Float32Array.of(expectedLoss), GRADCHECK_TOLERANCE, "cce loss");
      const expected = numericGradient(() => softmaxCrossEntropy64(z, t, rows, cols), z, FD_STEP);
      expectAllClose(got.grad, expected, GRADCHECK_TOLERANCE, "cce gradient");
    }
  });

  it("sparseSoftmaxCrossEntropy equals the one-hot loss", () => {
    const got = runLoss(js, "sparseSoftmaxCrossEntropy", logits, Float32Array.from(classes), rows, cols, false,
      "sparse");
    const z = f64(logits);
    const t = f64(oneHot);
    expectAllClose(Float32Array.of(got.loss), Float32Array.of(softmaxCrossEntropy64(z, t, rows, cols)),
      GRADCHECK_TOLERANCE, "sparse loss");
    const expected = numericGradient(() => softmaxCrossEntropy64(z, t, rows, cols), z, FD_STEP);
    expectAllClose(got.grad, expected, GRADCHECK_TOLERANCE, "sparse gradient");
  });

  it("sigmoidBinaryCrossEntropy", () => {
    const labels = randomFloats(rows * cols, seedFrom("bce labels"), 0, 1).map((v) => (v < 0.5 ? 0 : 1));
    const got = runLoss(js, "sigmoidBinaryCrossEntropy", logits, labels, rows, cols, false, "bce");
    const z = f64(logits);
    const t = f64(labels);
    expectAllClose(Float32Array.of(got.loss), Float32Array.of(binaryCrossEntropy64(z, t)), GRADCHECK_TOLERANCE,
      "bce loss");
    expectAllClose(got.grad, numericGradient(() => binaryCrossEntropy64(z, t), z, FD_STEP), GRADCHECK_TOLERANCE,
      "bce gradient");
  });

  it("meanSquaredError", () => {
    const labels = randomFloats(rows * cols, seedFrom("mse labels"));
    const got = runLoss(js, "meanSquaredError", logits, labels, rows, cols, false, "mse");
    const y = f64(logits);
    const t = f64(labels);
    expectAllClose(Float32Array.of(got.loss), Float32Array.of(meanSquaredError64(y, t)), GRADCHECK_TOLERANCE,
      "mse loss");
    expectAllClose(got.grad, numericGradient(() => meanSquaredError64(y, t), y, FD_STEP), GRADCHECK_TOLERANCE,
      "mse gradient");
  });
});
