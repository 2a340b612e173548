// Optimizer updates: several steps of SGD (with and without momentum) and
// Adam on every backend, against (1) a float64 reimplementation of the
// formulas written here from the tfjs-core sources, independent of
// src/backend/js-train.ts, and (2) tf.train.sgd / momentum / adam on
// TensorFlow.js's cpu backend, fed the same gradients. Lengths straddle the
// 4-lane SIMD body and its scalar tail.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, it } from "vitest";
import { expectAllClose } from "../support/compare.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import {
  createJsTrainingBackend, loadWasmTrainingBackend, WASM_VARIANTS, type TrainingBackend,
} from "../support/train-backends.js";
import { runOptimizerSteps, type OptimizerConfig } from "../support/train-run.js";
import { OPTIMIZER_TOLERANCE, TFJS_OPTIMIZER_TOLERANCE } from "../tolerances-bwd.js";

const STEPS = 5;
const LENGTHS = [1, 3, 4, 7, 8, 9, 33];

const CONFIGS: { label: string; config: OptimizerConfig }[] = [
  { label: "sgd", config: { kind: "sgd", learningRate: 0.1, momentum: 0, velocity: false } },
  { label: "sgd momentum 0.9", config: { kind: "sgd", learningRate: 0.05, momentum: 0.9, velocity: true } },
  { label: "adam defaults", config: { kind: "adam", learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
  { label: "adam lr 0.1", config: { kind: "adam", learningRate: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-3 } },
];

/** The float64 formulas: tf.train.momentum and tf.train.adam (tfjs-core 4.22 optimizers/*.ts). */
function reference64(config: OptimizerConfig, w0: Float32Array, grads: readonly Float32Array[]): Float32Array {
  const w = Array.from(w0);
  const a = new Array<number>(w.length).fill(0); // velocity or first moment
  const b = new Array<number>(w.length).fill(0); // second moment
  grads.forEach((g, step) => {
    for (let i = 0; i < w.length; i++) {
      if (config.kind === "sgd") {
        if (config.velocity) {
          a[i] = config.momentum * a[i] + g[i];
          w[i] -= config.learningRate * a[i];
        } else {
          w[i] -= config.learningRate * g[i];
        }
      } else {
        const t = step + 1;
        a[i] = config.beta1 * a[i] + (1 - config.beta1) * g[i];
        b[i] = config.beta2 * b[i] + (1 - config.beta2) * g[i] * g[i];
        const mHat = a[i] / (1 - config.beta1 ** t);
        const vHat = b[i] / (1 - config.beta2 ** t);
        w[i] -= config.learningRate * mHat / (Math.sqrt(vHat) + config.epsilon);
      }
    }
  });
  return Float32Array.from(w);
}

function tfjsSteps(config: OptimizerConfig, w0: Float32Array, grads: readonly Float32Array[]): Float32Array {
  const optimizer = config.kind === "adam"
    ? tf.train.adam(config.learningRate, config.beta1, config.beta2, config.epsilon)
    : config.velocity
      ? tf.train.momentum(config.learningRate, config.momentum)
      : tf.train.sgd(config.learningRate);
  const w = tf.variable(tf.tensor1d(w0));
  for (const g of grads) {
    tf.tidy(() => optimizer.applyGradients([{ name: w.name, tensor: tf.tensor1d(g) }]));
  }
  const out = w.dataSync() as Float32Array;
  const copy = Float32Array.from(out);
  optimizer.dispose();
  w.dispose();
  return copy;
}

function caseInputs(label: string, length: number): { w0: Float32Array; grads: Float32Array[] } {
  const w0 = randomFloats(length, seedFrom(`${label} ${length} w`));
  const grads = Array.from({ length: STEPS }, (_, s) => randomFloats(length, seedFrom(`${label} ${length} g${s}`)));
  return { w0, grads };
}

const js = createJsTrainingBackend();

describe("optimizers: backends vs float64 formulas and tf.train (cpu)", () => {
  const backends: TrainingBackend[] = [js];
  beforeAll(async () => {
    tf.env().set("PROD", true);
    await tf.setBackend("cpu");
    for (const variant of WASM_VARIANTS) backends.push(await loadWasmTrainingBackend(variant));
  });

  describe.each(CONFIGS)("$label", ({ label, config }) => {
    it.each(LENGTHS)("length %i, 5 steps", (length) => {
      const { w0, grads } = caseInputs(label, length);
      const formulas = reference64(config, w0, grads);
      const tfjs = tfjsSteps(config, w0, grads);
      expectAllClose(tfjs, formulas, TFJS_OPTIMIZER_TOLERANCE, `tf.train ${label} vs the float64 formulas`);
      for (const be of backends) {
        const got = runOptimizerSteps(be, config, w0, grads, `${label} ${length}`);
        expectAllClose(got.w, formulas, OPTIMIZER_TOLERANCE, `${be.name} ${label} vs the float64 formulas`);
        expectAllClose(got.w, tfjs, TFJS_OPTIMIZER_TOLERANCE, `${be.name} ${label} vs tf.train`);
      }
    });
  });

  it("wasm optimizer state (velocity, m, v) matches the js oracle", () => {
    for (const { label, config } of CONFIGS) {
      const { w0, grads } = caseInputs(label, 9);
      const expected = runOptimizerSteps(js, config, w0, grads, label);
      for (const be of backends.slice(1)) {
        const got = runOptimizerSteps(be, config, w0, grads, label);
        got.state.forEach((s, i) =>
          expectAllClose(s, expected.state[i], OPTIMIZER_TOLERANCE, `${be.name} ${label} state ${i}`));
      }
    }
  });

  it("sgd on the wasm builds matches tf.train bit for bit (same f32 operations)", () => {
    for (const { label, config } of CONFIGS.filter((c) => c.config.kind === "sgd")) {
      const { w0, grads } = caseInputs(label, 33);
      const tfjs = tfjsSteps(config, w0, grads);
      for (const be of backends.slice(1)) {
        const got = runOptimizerSteps(be, config, w0, grads, label);
        expectAllClose(got.w, tfjs, { abs: 0, rel: 0 }, `${be.name} ${label} vs tf.train (exact)`);
      }
    }
  });
});
