// The accuracy metric, counted in JS over the (small) output rows of a batch:
// argmax match for one-hot labels (Keras' categorical_accuracy), argmax vs
// the class index for sparse labels, and p > 0.5 vs t > 0.5 per element for
// binary outputs (Keras' binary_accuracy with threshold 0.5).

import type { AccuracyKind } from "./losses.js";

/** Metric names `compile` accepts. */
export const METRIC_NAMES = ["accuracy", "acc"] as const;

/** A metric by name. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Index of the largest value of one row (first wins ties, as tf.argMax). */
function argmax(f32: Float32Array, start: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (f32[start + j]! > f32[start + best]!) best = j;
  return best;
}

/**
 * Counts correct predictions in [rows, cols] of outputs `y` against `labels`
 * (float indices into `f32`). Returns { correct, total } where total is rows
 * (categorical, sparse) or rows * cols (binary).
 */
export function countCorrect(kind: AccuracyKind, f32: Float32Array, y: number, labels: number,
                             rows: number, cols: number): { correct: number; total: number } {
  let correct = 0;
  if (kind === "binary") {
    for (let i = 0; i < rows * cols; i++) if ((f32[y + i]! > 0.5) === (f32[labels + i]! > 0.5)) correct++;
    return { correct, total: rows * cols };
  }
  for (let r = 0; r < rows; r++) {
    const predicted = argmax(f32, y + r * cols, cols);
    const truth = kind === "sparse" ? f32[labels + r]! : argmax(f32, labels + r * cols, cols);
    if (predicted === truth) correct++;
  }
  return { correct, total: rows };
}
