// The optimizer base class and the by-name lookup. An optimizer is a
// configuration plus an update rule over flat parameter buffers; its state
// (velocity, moments) belongs to the model that compiled it and is planned
// once at compile time, `slots` buffers of the parameter's size each.

import type { TrainingKernels } from "../backend/kernels-train.js";
import { ConfigError } from "../errors.js";

/** One parameter as the optimizer sees it: byte offsets of its value, gradient and state slots. */
export interface OptimizerParam {
  value: number;
  grad: number;
  size: number;
  /** `slots` state buffers of `size` floats (zero at compile time). */
  state: readonly number[];
}

/**
 * Base class of the optimizers ({@link SGD}, {@link Adam}).
 * @example
 * model.compile({ optimizer: new SGD({ learningRate: 0.1, momentum: 0.9 }), loss: "meanSquaredError" });
 * @throws see the subclasses.
 */
export abstract class Optimizer {
  /** The tfjs/Keras class name ("SGD", "Adam"). */
  abstract readonly className: string;
  /** Step size (may be changed between batches, e.g. from a callback). */
  learningRate: number;

  protected constructor(learningRate: number, where: string) {
    this.learningRate = positiveNumber(learningRate, "learningRate", where);
  }

  /** @internal How many state buffers of a parameter's size the update needs. */
  abstract get slots(): number;

  /** @internal Applies one update to `p`; `step` counts updates including this one (1 first). */
  abstract update(train: TrainingKernels, p: OptimizerParam, step: number): void;

  /** The options, JSON-serializable. */
  abstract getConfig(): Record<string, number>;
}

/** Reads a finite number > 0. */
export function positiveNumber(value: unknown, option: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${where}: ${option} must be a finite number > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads a number in [0, 1). */
export function unitInterval(value: unknown, option: string, where: string): number {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) {
    throw new ConfigError(`${where}: ${option} must be a number in [0, 1), got ${JSON.stringify(value)}`);
  }
  return value;
}
