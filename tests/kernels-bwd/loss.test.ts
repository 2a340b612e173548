// Fused losses: every wasm binary against the JS reference (whose gradients
// gradcheck.test.ts checks against finite differences), out of place and in
// place, on shapes around the SIMD width; plus the numerical-stability and
// label-validation corners the contract promises.

import { beforeAll, describe, expect, it } from "vitest";
import { expectAllClose } from "../support/compare.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import {
  createJsTrainingBackend, loadWasmTrainingBackend, WASM_VARIANTS, type TrainingBackend,
} from "../support/train-backends.js";
import { runLoss, type LossKind } from "../support/train-run.js";
import { LOSS_GRADIENT_TOLERANCE, LOSS_VALUE_TOLERANCE } from "../tolerances-bwd.js";

const js = createJsTrainingBackend();

const SHAPES: [rows: number, cols: number][] = [[1, 1], [1, 10], [3, 2], [8, 10], [5, 17], [32, 1]];
const KINDS: LossKind[] = ["softmaxCrossEntropy", "sparseSoftmaxCrossEntropy", "sigmoidBinaryCrossEntropy",
  "meanSquaredError"];

/** Labels of each loss's kind: one-hot rows, class indices, 0/1 targets, or real targets. */
function labelsFor(kind: LossKind, rows: number, cols: number, seed: number): Float32Array {
  const u = randomFloats(rows * cols, seed, 0, 1);
  switch (kind) {
    case "softmaxCrossEntropy": {
      const t = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) t[r * cols + Math.floor(u[r] * cols)] = 1;
      return t;
    }
    case "sparseSoftmaxCrossEntropy":
      return Float32Array.from({ length: rows }, (_, r) => Math.floor(u[r] * cols));
    case "sigmoidBinaryCrossEntropy":
      return u.map((v) => (v < 0.5 ? 0 : 1));
    default:
      return randomFloats(rows * cols, seed);
  }
}

function expectLossClose(actual: number, expected: number, context: string): void {
  const tol = LOSS_VALUE_TOLERANCE.abs + LOSS_VALUE_TOLERANCE.rel * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${context}: loss ${actual}, expected ${expected}`);
}

describe("js losses: stability and label corners", () => {
  it("softmax cross-entropy is finite for huge logits (log-sum-exp)", () => {
    // Row losses lse - z[label]: 1000 - (-1000) and 50 - (-50) (the other exps vanish); a
    // naive exp(1000) would be Infinity and give NaN.
    const logits = Float32Array.of(1000, -1000, 0, 50, -50, 0);
    const labels = Float32Array.of(0, 1, 0, 0, 1, 0);
    const { loss, grad } = runLoss(js, "softmaxCrossEntropy", logits, labels, 2, 3, false, "huge");
    expect(loss).toBeCloseTo((2000 + 100) / 2, 9);
    expect(Array.from(grad).every(Number.isFinite)).toBe(true);
  });

  it("binary cross-entropy is finite for huge logits", () => {
    const { loss, grad } = runLoss(js, "sigmoidBinaryCrossEntropy", Float32Array.of(200, -200), Float32Array.of(0, 1),
      1, 2, false, "huge");
    expect(loss).toBeCloseTo(200, 6);
    expect(Array.from(grad)).toEqual([0.5, -0.5]);
  });

  it("a sparse label outside [0, cols) contributes no loss and no gradient", () => {
    const logits = Float32Array.of(1, 2, 3, 1, 2, 3);
    const { loss, grad } = runLoss(js, "sparseSoftmaxCrossEntropy", logits, Float32Array.of(2, 7), 2, 3, false, "bad");
    const p2 = Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(loss).toBeCloseTo(-Math.log(p2) / 2, 12);
    expect(Array.from(grad.subarray(3))).toEqual([0, 0, 0]);
  });
});

describe.each(WASM_VARIANTS)("losses: %s.wasm vs js", (variant) => {
  let wasm: TrainingBackend;
  beforeAll(async () => {
    wasm = await loadWasmTrainingBackend(variant);
  });

  describe.each(KINDS)("%s", (kind) => {
    it.each(SHAPES)("rows %i cols %i", (rows, cols) => {
      const label = `${kind} ${rows}x${cols}`;
      // Logits up to +-40: large enough that a naive softmax/sigmoid would lose them.
      const input = randomFloats(rows * cols, seedFrom(label + "z"), -40, 40);
      const labels = labelsFor(kind, rows, cols, seedFrom(label + "t"));
      const expected = runLoss(js, kind, input, labels, rows, cols, false, label);
      for (const inPlace of [false, true]) {
        const context = `${variant} ${label}${inPlace ? " in place" : ""}`;
        const actual = runLoss(wasm, kind, input, labels, rows, cols, inPlace, label);
        expectLossClose(actual.loss, expected.loss, context);
        expectAllClose(actual.grad, expected.grad, LOSS_GRADIENT_TOLERANCE, context);
      }
    });
  });

  it("sparse labels out of range or NaN are ignored, as in the oracle", () => {
    const logits = randomFloats(4 * 5, seedFrom("sparse bad"));
    const labels = Float32Array.of(4, -1, 5, Number.NaN);
    const expected = runLoss(js, "sparseSoftmaxCrossEntropy", logits, labels, 4, 5, false, "bad labels");
    const actual = runLoss(wasm, "sparseSoftmaxCrossEntropy", logits, labels, 4, 5, false, "bad labels");
    expectLossClose(actual.loss, expected.loss, `${variant} bad labels`);
    expectAllClose(actual.grad, expected.grad, LOSS_GRADIENT_TOLERANCE, `${variant} bad labels`);
  });
});
