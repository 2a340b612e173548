// Stand-alone activation layers. Element-wise ones are one kernel call;
// Softmax normalises over the last axis (channels), as Keras' default axis -1.

import { ActivationId } from "../../assembly/shared/ids.js";
import { ConfigError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { F32_BYTES } from "../memory.js";
import {
  activationBackward, applyActivation, LEAKY_RELU_DEFAULT_ALPHA, parseActivation, parseRelu,
  type ActivationName, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { Layer, LAYER_CONFIG_KEYS, type BackwardArgs, type ForwardArgs, type LayerConfig } from "./layer.js";

/** Options of {@link Activation}. */
export interface ActivationConfig extends LayerConfig {
  activation: ActivationName;
  /** Slope for x < 0 when `activation` is 'leakyRelu' (default 0.3). */
  alpha?: number;
}

/** The keys of {@link ActivationConfig}, in the order error messages list them. */
export const ACTIVATION_KEYS = configKeys<ActivationConfig>()(["activation", "alpha", "name", "seed"]);

/** Options of {@link ReLU}, as Keras / tfjs-layers ReLU. */
export interface ReLUConfig extends LayerConfig {
  /** Cap on the output: min(max(x, 0), maxValue) (6 is ReLU6). Default none. */
  maxValue?: number | null;
  /** Slope for x < 0 (a leaky ReLU); not together with maxValue. Default 0. */
  negativeSlope?: number;
  /** Only 0 (the default) is supported. */
  threshold?: number;
}

/** The keys of {@link ReLUConfig}, in the order error messages list them. */
export const RELU_KEYS = configKeys<ReLUConfig>()(["maxValue", "negativeSlope", "threshold", "name", "seed"]);

/** Options of {@link LeakyReLU}. */
export interface LeakyReLUConfig extends LayerConfig {
  /** Slope for x < 0 (default 0.3, as Keras / tfjs-layers). */
  alpha?: number;
}

/** The keys of {@link LeakyReLUConfig}, in the order error messages list them. */
export const LEAKY_RELU_KEYS = configKeys<LeakyReLUConfig>()(["alpha", "name", "seed"]);

/**
 * Applies an activation by name (Keras' `Activation` layer).
 * @example
 * new Activation({ activation: "tanh" });
 * @throws {ConfigError} for an unknown activation name.
 */
export class Activation extends Layer {
  readonly className: string = "Activation";
  readonly namePrefix: string = "activation";
  readonly activation: ParsedActivation;
  private innerSize = 0;
  private lastDim = 0;

  /** `parsed`: a subclass's own activation (ReLU's cap or slope), used instead of config.activation. */
  constructor(config: ActivationConfig, parsed?: ParsedActivation) {
    checkConfigKeys(config, ACTIVATION_KEYS, "Activation");
    super(config);
    if (typeof config !== "object" || config === null) throw new ConfigError("Activation: a config object is required");
    this.activation = parsed ?? parseActivation(config.activation, config.alpha, "Activation");
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    this.innerSize = sizeOf(inputShape);
    this.lastDim = inputShape[inputShape.length - 1]!;
    return [...inputShape];
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  override get inPlace(): boolean {
    return true; // every activation kernel (softmax too) allows y == x
  }

  forward({ batch, x, y, activation }: ForwardArgs): void {
    const rows = (batch * this.innerSize) / this.lastDim;
    applyActivation(this.requireBackend().kernels, activation ?? this.activation, x, y, rows, this.lastDim);
  }

  override backward({ batch, x, y, dy, dx, fusedActivation }: BackwardArgs): void {
    if (dx === 0) return;
    const rows = (batch * this.innerSize) / this.lastDim;
    if (fusedActivation) {
      // The loss took dy w.r.t. this layer's input (the model normally skips the layer then).
      const { f32, at } = this.view(dy);
      if (dx !== dy) f32.copyWithin(dx / F32_BYTES, at, at + batch * this.innerSize);
      return;
    }
    // x is intact: training never writes an output over its input.
    activationBackward(this.requireBackend().kernels, this.activation, y, dy, dx, rows, this.lastDim, x);
  }

  getConfig(): LayerConfig & Record<string, unknown> {
    const a = this.activation;
    return { name: this.name, activation: a.name, alpha: a.name === "leakyRelu" ? a.alpha : undefined };
  }
}

/**
 * max(x, 0); with `maxValue` min(max(x, 0), maxValue), with `negativeSlope`
 * negativeSlope * x for x < 0 (Keras' ReLU layer).
 * @example
 * new ReLU();
 * new ReLU({ maxValue: 6 }); // ReLU6
 * @throws {ConfigError} for a threshold other than 0, negativeSlope together
 * with maxValue, or a negative maxValue / negativeSlope.
 */
export class ReLU extends Activation {
  override readonly className = "ReLU";
  override readonly namePrefix = "re_lu";

  constructor(config: ReLUConfig = {}) {
    checkConfigKeys(config, RELU_KEYS, "ReLU");
    const parsed = parseRelu(config.maxValue, config.negativeSlope, config.threshold, "ReLU");
    super({ name: config.name, seed: config.seed, activation: "relu" }, parsed);
  }

  /** The cap, or null when uncapped. */
  get maxValue(): number | null {
    return this.activation.id === ActivationId.ReluCapped ? this.activation.alpha : null;
  }

  /** The slope for x < 0 (0 unless leaky). */
  get negativeSlope(): number {
    return this.activation.id === ActivationId.LeakyRelu ? this.activation.alpha : 0;
  }

  override getConfig(): LayerConfig & Record<string, unknown> {
    const { maxValue, negativeSlope } = this;
    return {
      name: this.name, ...(maxValue !== null ? { maxValue } : {}), ...(negativeSlope !== 0 ? { negativeSlope } : {}),
    };
  }
}

/**
 * x for x > 0, alpha * x otherwise.
 * @example
 * new LeakyReLU({ alpha: 0.1 });
 * @throws {ConfigError} when alpha is not a finite number.
 */
export class LeakyReLU extends Activation {
  override readonly className = "LeakyReLU";
  override readonly namePrefix = "leaky_re_lu";

  constructor(config: LeakyReLUConfig = {}) {
    checkConfigKeys(config, LEAKY_RELU_KEYS, "LeakyReLU");
    super({ ...config, activation: "leakyRelu", alpha: config.alpha ?? LEAKY_RELU_DEFAULT_ALPHA });
  }

  override getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name, alpha: this.activation.alpha };
  }
}

/**
 * 1 / (1 + exp(-x)). Serialized as Keras `Activation('sigmoid')`.
 * @example
 * new Sigmoid();
 * @throws never
 */
export class Sigmoid extends Activation {
  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, "Sigmoid");
    super({ ...config, activation: "sigmoid" });
  }
}

/**
 * tanh(x). Serialized as Keras `Activation('tanh')`.
 * @example
 * new Tanh();
 * @throws never
 */
export class Tanh extends Activation {
  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, "Tanh");
    super({ ...config, activation: "tanh" });
  }
}

/**
 * Softmax over the last axis (channels), numerically stable.
 * @example
 * new Softmax(); // after Dense({ units: 10 })
 * @throws never
 */
export class Softmax extends Activation {
  override readonly className = "Softmax";
  override readonly namePrefix = "softmax";

  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, "Softmax");
    super({ ...config, activation: "softmax" });
  }

  override getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name };
  }
}
