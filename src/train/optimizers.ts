// Optimizers by name, as `compile({ optimizer: "adam" })` accepts them (with
// Keras' default hyper-parameters).

import { ConfigError } from "../errors.js";
import { Adam } from "./adam.js";
import { Optimizer } from "./optimizer.js";
import { SGD } from "./sgd.js";

/** Optimizer names `compile` accepts. */
export type OptimizerName = "sgd" | "adam";

/**
 * The optimizer for `compile`'s option: an Optimizer instance as is, or a
 * name ("sgd": SGD lr 0.01; "adam": Adam lr 1e-3).
 * @throws {ConfigError} for anything else.
 */
export function parseOptimizer(value: unknown, where: string): Optimizer {
  if (value instanceof Optimizer) return value;
  if (value === "sgd") return new SGD();
  if (value === "adam") return new Adam();
  throw new ConfigError(`${where}: optimizer must be an Optimizer (new SGD(...), new Adam(...)) or ` +
    `'sgd' / 'adam', got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
}
