// Dropout: identity at inference (Keras scales at training time, "inverted
// dropout", so nothing is rescaled here). The training mask arrives with fit.

import { ConfigError } from "../errors.js";
import { Layer, type ForwardArgs, type LayerConfig } from "./layer.js";

/** Options of {@link Dropout}. */
export interface DropoutConfig extends LayerConfig {
  /** Fraction of inputs dropped while training, in [0, 1). */
  rate: number;
}

/**
 * Randomly zeroes inputs while training; passes them through at inference.
 * @example
 * new Dropout({ rate: 0.5 });
 * @throws {ConfigError} when `rate` is not a number in [0, 1).
 */
export class Dropout extends Layer {
  readonly className = "Dropout";
  readonly namePrefix = "dropout";
  readonly rate: number;

  constructor(config: DropoutConfig) {
    super(config);
    const rate = (config as DropoutConfig | undefined)?.rate;
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
      throw new ConfigError(`Dropout: rate must be a number in [0, 1), got ${JSON.stringify(rate)}`);
    }
    this.rate = rate;
  }

  override get isIdentity(): boolean {
    return true;
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  forward(_args: ForwardArgs): void {}

  getConfig(): DropoutConfig & Record<string, unknown> {
    return { name: this.name, rate: this.rate };
  }
}
