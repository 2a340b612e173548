// Stochastic gradient descent, with optional momentum as tf.train.momentum
// (v = momentum * v + g; w -= lr * v), which for a constant learning rate
// takes the same steps as Keras' SGD(momentum) (v = m v - lr g; w += v).

import type { TrainingKernels } from "../backend/kernels-train.js";
import { checkConfigKeys, configKeys } from "../layers/config-keys.js";
import { Optimizer, unitInterval, type OptimizerParam } from "./optimizer.js";

/** Options of {@link SGD}. */
export interface SGDConfig {
  /** Step size (default 0.01, as Keras). */
  learningRate?: number;
  /** Momentum in [0, 1) (default 0: plain SGD). */
  momentum?: number;
}

/** The keys of {@link SGDConfig}, in the order error messages list them. */
export const SGD_KEYS = configKeys<SGDConfig>()(["learningRate", "momentum"]);

/**
 * Stochastic gradient descent with optional momentum.
 * @example
 * model.compile({ optimizer: new SGD({ learningRate: 0.05, momentum: 0.9 }), loss: "categoricalCrossentropy" });
 * @throws {ConfigError} when learningRate is not a finite number > 0 or
 *   momentum is not in [0, 1).
 */
export class SGD extends Optimizer {
  readonly className = "SGD";
  readonly momentum: number;

  constructor(config: SGDConfig = {}) {
    checkConfigKeys(config, SGD_KEYS, "SGD");
    super(config.learningRate ?? 0.01, "SGD");
    this.momentum = unitInterval(config.momentum ?? 0, "momentum", "SGD");
  }

  /** @internal */
  get slots(): number {
    return this.momentum > 0 ? 1 : 0;
  }

  /** @internal */
  update(train: TrainingKernels, p: OptimizerParam): void {
    train.sgdUpdate(p.value, p.grad, p.state[0] ?? 0, p.size, this.learningRate, this.momentum);
  }

  getConfig(): Record<string, number> {
    return { learningRate: this.learningRate, momentum: this.momentum };
  }
}
