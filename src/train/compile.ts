// What compile() checks before anything is planned, so a bad compile leaves
// an earlier one in place. Apart from the Trainer (trainer.ts), which a page
// imports only when a model is compiled.
import { ConfigError } from "../errors.js";
import { checkConfigKeys, configKeys } from "../layers/config-keys.js";
import { bindLoss, type BoundLoss, type LossName } from "./losses.js";
import type { MetricName } from "./metrics.js";
import type { Optimizer } from "./optimizer.js";
import { parseOptimizer, type OptimizerName } from "./optimizers.js";
import type { ModelView } from "./trainer.js";

/** Options of `Sequential.compile`. */
export interface CompileOptions {
  /** An optimizer instance, or "sgd" / "adam" (Keras defaults). */
  optimizer: Optimizer | OptimizerName;
  /** The loss to minimise. */
  loss: LossName;
  /**
   * Metrics reported by fit/evaluate: ["accuracy"] (default for the
   * cross-entropies) or [] (default for meanSquaredError).
   */
  metrics?: MetricName[];
}

const COMPILE_KEYS = configKeys<CompileOptions>()(["optimizer", "loss", "metrics"]);

/** Compile options, checked and bound. */
export interface Validated {
  loss: BoundLoss;
  optimizer: Optimizer;
  accuracy: boolean;
}

/**
 * Checks compile options without touching the model, so a bad compile
 * leaves an earlier one in place.
 * @throws {ConfigError} for a bad optimizer, loss or metric, or a model
 *   with several inputs or outputs.
 */
export function validateCompile(options: CompileOptions, m: ModelView): Validated {
  const where = `${m.label}: compile`;
  if (typeof options !== "object" || options === null) {
    throw new ConfigError(`${where} expects { optimizer, loss, metrics }, got ${String(options)}`);
  }
  checkConfigKeys(options, COMPILE_KEYS, where);
  const { outputs } = m.topology;
  if (outputs.length !== 1) {
    throw new ConfigError(`${where}: training needs a model with one output, this one has ${outputs.length} ` +
      `(per-output losses are not supported)`);
  }
  const optimizer = parseOptimizer(options.optimizer, where);
  const last = outputs[0]!.node.layer;
  const outShape = outputs[0]!.shape;
  const loss = bindLoss(options.loss, last.outputActivation, last.describe(), outShape[outShape.length - 1]!, where);
  const metrics = options.metrics ?? (loss.name === "meanSquaredError" ? [] : ["accuracy"]);
  if (!Array.isArray(metrics) || metrics.some((x) => x !== "accuracy" && x !== "acc")) {
    throw new ConfigError(`${where}: metrics must be an array of 'accuracy', got ${JSON.stringify(options.metrics)}`);
  }
  return { loss, optimizer, accuracy: metrics.length > 0 };
}
