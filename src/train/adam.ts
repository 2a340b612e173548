// Adam (Kingma & Ba), exactly as tf.train.adam in tfjs-core 4.22: epsilon is
// added to the square root of the bias-corrected second moment; the
// defaults are Keras' (epsilon 1e-7 is also tfjs' float32 backend epsilon).

import type { TrainingKernels } from "../backend/kernels-train.js";
import { checkConfigKeys, configKeys } from "../layers/config-keys.js";
import { Optimizer, positiveNumber, unitInterval, type OptimizerParam } from "./optimizer.js";

/** Options of {@link Adam}. */
export interface AdamConfig {
  /** Step size (default 1e-3). */
  learningRate?: number;
  /** Decay of the first moment, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay of the second moment, in [0, 1) (default 0.999). */
  beta2?: number;
  /** Added to the denominator, > 0 (default 1e-7). */
  epsilon?: number;
}

/** The keys of {@link AdamConfig}, in the order error messages list them. */
export const ADAM_KEYS = configKeys<AdamConfig>()(["learningRate", "beta1", "beta2", "epsilon"]);

/**
 * The Adam optimizer.
 * @example
 * model.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: "sparseCategoricalCrossentropy" });
 * @throws {ConfigError} when learningRate or epsilon is not a finite number > 0,
 *   or a beta is not in [0, 1).
 */
export class Adam extends Optimizer {
  readonly className = "Adam";
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(config: AdamConfig = {}) {
    checkConfigKeys(config, ADAM_KEYS, "Adam");
    super(config.learningRate ?? 1e-3, "Adam");
    this.beta1 = unitInterval(config.beta1 ?? 0.9, "beta1", "Adam");
    this.beta2 = unitInterval(config.beta2 ?? 0.999, "beta2", "Adam");
    this.epsilon = positiveNumber(config.epsilon ?? 1e-7, "epsilon", "Adam");
  }

  /** @internal */
  get slots(): number {
    return 2;
  }

  /** @internal */
  update(train: TrainingKernels, p: OptimizerParam, step: number): void {
    train.adamUpdate(p.value, p.grad, p.state[0]!, p.state[1]!, p.size,
      this.learningRate, this.beta1, this.beta2, this.epsilon, step);
  }

  getConfig(): Record<string, number> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
