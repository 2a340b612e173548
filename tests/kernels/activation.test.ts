// Element-wise activations and row-wise softmax: every wasm binary against the
// plain-JS oracle, on lengths around the 4-lane SIMD width (1, 3, 4, 5, ...),
// in place and out of place, with inputs that reach saturation (|x| up to 100)
// and exact zeros. The oracle is checked on closed-form values first.

import { beforeAll, describe, expect, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { ALL_ACTIVATIONS, activationName, LEAKY_ALPHA, runActivation, runSoftmax } from "../support/run.js";
import { ACTIVATION_ABS, ACTIVATION_REL, KNOWN_ANSWER_ABS } from "../tolerances.js";

const LENGTHS = [1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 1001];
/** Largest |x| in the random inputs: far into sigmoid/tanh saturation, still finite in exp(-x). */
const INPUT_RANGE = 12;
/** Values that stress saturation and the sign branch: exact zeros, huge magnitudes. */
const SPECIAL = [0, -0, 1e-8, -1e-8, 20, -20, 88, -88, 100, -100, 1e4, -1e4];

/** relu6's cap, the ReluCapped alpha. */
const RELU6_CAP = 6;

const SOFTMAX_SHAPES: [number, number][] = [[1, 1], [1, 10], [3, 4], [5, 7], [2, 17], [4, 1000]];

const exact = { abs: KNOWN_ANSWER_ABS, rel: 0 };
const activationTolerance = { abs: ACTIVATION_ABS, rel: ACTIVATION_REL };

/**
 * Random values in [-INPUT_RANGE, INPUT_RANGE); long inputs also carry the
 * special values at the front (vector body) and the end (scalar tail). Short
 * inputs stay random so every tail lane sees an ordinary value.
 */
function activationInput(length: number, seed: number): Float32Array {
  const x = randomFloats(length, seed, -INPUT_RANGE, INPUT_RANGE);
  if (length >= 2 * SPECIAL.length) {
    x.set(SPECIAL, 0);
    x.set(SPECIAL, length - SPECIAL.length);
  }
  return x;
}

/** The special values alone, then shifted by one so each lands in both vector and tail lanes. */
const SPECIAL_INPUTS: Float32Array[] = [Float32Array.from(SPECIAL), Float32Array.from([1.5, ...SPECIAL])];

const js = createJsKernels();

describe("js activations: known answers", () => {
  const apply = (xs: number[], act: ActivationId): Float32Array =>
    runActivation(js, Float32Array.from(xs), act, LEAKY_ALPHA, false, activationName(act));

  it("relu and leakyRelu(0.2)", () => {
    expect(Array.from(apply([-5, 0, 3], ActivationId.Relu))).toEqual([0, 0, 3]);
    expectAllClose(apply([-5, 0, 3, -0.5], ActivationId.LeakyRelu), Float32Array.of(-1, 0, 3, -0.1), exact, "leaky");
  });

  it("sigmoid is 0.5 at 0, symmetric, and saturates without NaN", () => {
    const got = apply([0, 2, -2, 100, -100, 1e4, -1e4], ActivationId.Sigmoid);
    const s2 = 1 / (1 + Math.exp(-2));
    expectAllClose(got, Float32Array.of(0.5, s2, 1 - s2, 1, Math.exp(-100), 1, 0), exact, "sigmoid");
    // exp(-100) ~ 3.7e-44 is a float32 subnormal: the stable form keeps it instead of flushing to 0.
    expect(got[4]).toBeGreaterThan(0);
  });

  it("tanh matches Math.tanh and saturates at +-1", () => {
    const got = apply([0, 0.5, -0.5, 20, -20], ActivationId.Tanh);
    expectAllClose(got, Float32Array.of(0, Math.tanh(0.5), -Math.tanh(0.5), 1, -1), exact, "tanh");
  });

  it("reluCapped(6), relu6: 0 below, the cap above, NaN through", () => {
    const got = runActivation(js, Float32Array.of(-5, -0, 0, 1e-7, 3, 5.999999, 6, 6.000001, 100, NaN),
      ActivationId.ReluCapped, RELU6_CAP, false, "relu6");
    expectAllClose(got, Float32Array.of(0, 0, 0, 1e-7, 3, 5.999999, 6, 6, 6, NaN), exact, "relu6");
  });

  it("elu(1): x above 0, e^x - 1 below, -1 far below", () => {
    const got = runActivation(js, Float32Array.of(-100, -1, -1e-3, 0, 2, NaN), ActivationId.Elu, 1, false, "elu");
    expectAllClose(got, Float32Array.of(-1, Math.expm1(-1), Math.expm1(-1e-3), 0, 2, NaN), exact, "elu");
  });

  it("hardSigmoid: 0.2 x + 0.5 clipped to [0, 1] (tfjs-layers' formula)", () => {
    const got = runActivation(js, Float32Array.of(-3, -2.5, -1, 0, 1, 2.5, 3, NaN), ActivationId.HardSigmoid, 0, false, "hs");
    expectAllClose(got, Float32Array.of(0, 0, 0.3, 0.5, 0.7, 1, 1, NaN), exact, "hardSigmoid");
  });

  it("swish: x sigmoid(x), -0 far below, x far above", () => {
    const x = Float32Array.of(-100, -5, -1, -1e-3, 0, 1, 3, 30, NaN);
    const got = runActivation(js, x, ActivationId.Swish, 0, false, "swish");
    const expected = Float32Array.from(x, (v) => v / (1 + Math.exp(-v)));
    expectAllClose(got, expected, { abs: 0, rel: 1e-7 }, "swish");
    expect(got[7]).toBe(Math.fround(30 / (1 + Math.exp(-30))));
  });

  it("linear is the identity, in place too", () => {
    const x = Float32Array.of(-3.5, 0, 7.25);
    expect(Array.from(runActivation(js, x, ActivationId.Linear, LEAKY_ALPHA, true, "linear"))).toEqual([-3.5, 0, 7.25]);
  });

  it("softmax of large logits stays finite and sums to 1", () => {
    const got = runSoftmax(js, Float32Array.of(1000, 1000, 999, -1000, 0, 1000), 2, 3, false, "large");
    const d = 2 + Math.exp(-1);
    // row 2: exp(-2000) and exp(-1000) underflow to 0 exactly.
    expectAllClose(got, Float32Array.of(1 / d, 1 / d, Math.exp(-1) / d, 0, 0, 1), exact, "softmax large");
  });

  it("softmax in place, uniform row and a single column", () => {
    expectAllClose(runSoftmax(js, Float32Array.of(3, 3, 3, 3), 1, 4, true, "uniform"),
      Float32Array.of(0.25, 0.25, 0.25, 0.25), exact, "uniform");
    expect(Array.from(runSoftmax(js, Float32Array.of(-7, 42), 2, 1, true, "single"))).toEqual([1, 1]);
  });
});

describe.each(WASM_VARIANTS)("activations: %s.wasm vs js", (variant) => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await loadWasmKernels(variant);
  });

  describe.each(ALL_ACTIVATIONS.map((act) => [activationName(act), act] as const))("%s", (name, act) => {
    it.each(LENGTHS)("length %i, out of place and in place", (length) => {
      const label = `${name} length ${length}`;
      const x = activationInput(length, seedFrom(label));
      const expected = runActivation(js, x, act, LEAKY_ALPHA, false, label);
      for (const inPlace of [false, true]) {
        const actual = runActivation(wasm, x, act, LEAKY_ALPHA, inPlace, label);
        expectAllClose(actual, expected, activationTolerance,
          `${variant}.wasm activation ${label}${inPlace ? " in place" : ""}`);
      }
    });
  });

  it.each(ALL_ACTIVATIONS.map((act) => [activationName(act), act] as const))("%s of special values", (name, act) => {
    for (const x of SPECIAL_INPUTS) {
      const label = `${name} special values length ${x.length}`;
      const expected = runActivation(js, x, act, LEAKY_ALPHA, false, label);
      const actual = runActivation(wasm, x, act, LEAKY_ALPHA, false, label);
      expectAllClose(actual, expected, activationTolerance, `${variant}.wasm activation ${label}`);
    }
  });

  it("relu6 (cap 6) around 0, the cap and NaN, in the vector body and the tail", () => {
    const x = Float32Array.of(-1, -1e-7, -0, 0, 1e-7, 5.9999995, 6, 6.0000005, 7, NaN, -Infinity, Infinity, 3, NaN);
    for (const inPlace of [false, true]) {
      const expected = runActivation(js, x, ActivationId.ReluCapped, RELU6_CAP, false, "relu6");
      const actual = runActivation(wasm, x, ActivationId.ReluCapped, RELU6_CAP, inPlace, "relu6");
      expectAllClose(actual, expected, exact, `${variant}.wasm relu6${inPlace ? " in place" : ""}`);
    }
  });

  it.each([["elu", ActivationId.Elu, 1], ["hardSigmoid", ActivationId.HardSigmoid, 0]] as const)(
    "%s around its kinks and NaN, in the vector body and the tail", (name, act, alpha) => {
      const x = Float32Array.of(-100, -2.5, -2.4999998, -1e-7, -0, 0, 1e-7, 2.4999998, 2.5, 3, NaN, -Infinity, Infinity, NaN);
      for (const inPlace of [false, true]) {
        const expected = runActivation(js, x, act, alpha, false, name);
        const actual = runActivation(wasm, x, act, alpha, inPlace, name);
        expectAllClose(actual, expected, activationTolerance, `${variant}.wasm ${name}${inPlace ? " in place" : ""}`);
      }
    });

  it.each(SOFTMAX_SHAPES)("softmax %i x %i, out of place and in place", (rows, cols) => {
    const label = `softmax ${rows}x${cols}`;
    const x = randomFloats(rows * cols, seedFrom(label), -INPUT_RANGE, INPUT_RANGE);
    const expected = runSoftmax(js, x, rows, cols, false, label);
    for (const inPlace of [false, true]) {
      const actual = runSoftmax(wasm, x, rows, cols, inPlace, label);
      expectAllClose(actual, expected, activationTolerance, `${variant}.wasm ${label}${inPlace ? " in place" : ""}`);
    }
  });

  it("softmax of large logits stays finite", () => {
    const x = Float32Array.of(1000, 1000, 999, -1000, 0, 1000, 3e38, -3e38, 0);
    const expected = runSoftmax(js, x, 3, 3, false, "large");
    const actual = runSoftmax(wasm, x, 3, 3, false, "large");
    expect(actual.every(Number.isFinite)).toBe(true);
    expectAllClose(actual, expected, activationTolerance, `${variant}.wasm softmax large logits`);
  });
});

// A NaN must come out as NaN on every backend (TensorFlow propagates it), or
// the JS backend would hide corrupt inputs that every wasm build shows.
describe("NaN propagates through every activation, on every backend", () => {
  const backends: Kernels[] = [js];
  beforeAll(async () => {
    for (const variant of WASM_VARIANTS) backends.push(await loadWasmKernels(variant));
  });

  it("activation() keeps NaN in the vector body and the scalar tail", () => {
    for (const k of backends) {
      for (const act of ALL_ACTIVATIONS) {
        const length = 7; // 4 SIMD lanes + a 3-lane scalar tail
        const base = k.heapBase;
        if (k.memory.buffer.byteLength < base + 2 * length * 4) k.memory.grow(1);
        const x = new Float32Array(k.memory.buffer, base, length);
        x.set([NaN, 1, -1, 2, -2, 3, NaN]);
        const y = base + 32;
        k.activation(base, y, length, act, LEAKY_ALPHA);
        const out = new Float32Array(k.memory.buffer, y, length);
        expect([Number.isNaN(out[0]), Number.isNaN(out[6])], `${k.name} ${activationName(act)}`)
          .toEqual([true, true]);
      }
    }
  });
});
