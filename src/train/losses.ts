// The losses `compile` accepts, and how each one runs on the fused kernels.
// Cross-entropies never go through the probabilities: softmax +
// categorical cross-entropy and sigmoid + binary cross-entropy are computed
// from the output layer's logits with a log-sum-exp, and their gradient
// w.r.t. the logits is simply (p - t) / rows. That is both cheaper and
// stable where p underflows (Keras gets the same numbers by clipping p).

import type { TrainingKernels } from "../backend/kernels-train.js";
import { ConfigError } from "../errors.js";
import type { ParsedActivation } from "../layers/activations.js";

/** Loss names `compile` accepts (tfjs-layers spelling). */
export const LOSS_NAMES = [
  "categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy", "meanSquaredError",
] as const;

/** A loss by name. */
export type LossName = (typeof LOSS_NAMES)[number];

/** Aliases tfjs-layers and Keras also accept. */
const ALIASES: Record<string, LossName> = {
  categorical_crossentropy: "categoricalCrossentropy",
  sparse_categorical_crossentropy: "sparseCategoricalCrossentropy",
  binary_crossentropy: "binaryCrossentropy",
  mean_squared_error: "meanSquaredError",
  mse: "meanSquaredError",
};

/** How the accuracy metric reads a batch: argmax vs one-hot, argmax vs index, or p > 0.5. */
export type AccuracyKind = "categorical" | "sparse" | "binary";

/** A loss bound to a model's output layer. */
export interface BoundLoss {
  readonly name: LossName;
  /** True when the loss reads the output layer's logits (softmax/sigmoid fused). */
  readonly fused: boolean;
  /** Label floats per output row: `cols` for dense labels, 1 for class indices. */
  readonly sparse: boolean;
  readonly accuracy: AccuracyKind;
}

/**
 * Validates the loss option against the output layer's activation.
 * @throws {ConfigError} for an unknown loss, or a cross-entropy whose output
 *   layer does not end in the activation it needs (softmax / sigmoid).
 */
export function bindLoss(value: unknown, output: ParsedActivation | null, outputLayer: string,
                         cols: number, where: string): BoundLoss {
  const name = typeof value === "string" ? (ALIASES[value] ?? value) : value;
  if (typeof name !== "string" || !(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`${where}: unknown loss ${JSON.stringify(value)}; expected one of ` +
      `${LOSS_NAMES.map((n) => `'${n}'`).join(", ")}`);
  }
  const loss = name as LossName;
  const activation = output?.name ?? "none";
  if (loss === "categoricalCrossentropy" || loss === "sparseCategoricalCrossentropy") {
    if (output?.softmax !== true) {
      throw new ConfigError(`${where}: ${loss} needs the last layer to end in softmax, but ${outputLayer} ` +
        `has activation '${activation}'; use activation 'softmax' (the loss then runs fused on the logits)`);
    }
    return { name: loss, fused: true, sparse: loss === "sparseCategoricalCrossentropy",
      accuracy: loss === "sparseCategoricalCrossentropy" ? "sparse" : "categorical" };
  }
  if (loss === "binaryCrossentropy") {
    if (output?.name !== "sigmoid") {
      throw new ConfigError(`${where}: binaryCrossentropy needs the last layer to end in sigmoid, but ` +
        `${outputLayer} has activation '${activation}'; use activation 'sigmoid'`);
    }
    return { name: loss, fused: true, sparse: false, accuracy: "binary" };
  }
  return { name: loss, fused: false, sparse: false, accuracy: cols === 1 ? "binary" : "categorical" };
}

/** Buffers of one loss call (byte offsets). */
export interface LossBuffers {
  /** The output layer's logits (fused losses) — 0 otherwise. */
  logits: number;
  /** The model output (after the activation). */
  y: number;
  labels: number;
  /** Gradient out: w.r.t. the logits when fused, else w.r.t. y. */
  grad: number;
}

/** Runs the loss kernel over [rows, cols]; returns the mean loss and writes the gradient. */
export function runLoss(train: TrainingKernels, loss: BoundLoss, b: LossBuffers, rows: number, cols: number): number {
  switch (loss.name) {
    case "categoricalCrossentropy":
      return train.softmaxCrossEntropy(b.logits, b.labels, b.grad, rows, cols);
    case "sparseCategoricalCrossentropy":
      return train.sparseSoftmaxCrossEntropy(b.logits, b.labels, b.grad, rows, cols);
    case "binaryCrossentropy":
      return train.sigmoidBinaryCrossEntropy(b.logits, b.labels, b.grad, rows, cols);
    case "meanSquaredError":
      return train.meanSquaredError(b.y, b.labels, b.grad, rows, cols);
  }
}
