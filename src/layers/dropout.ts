// Dropout: identity at inference; while training, "inverted dropout" as Keras:
// each input is kept with probability 1 - rate and scaled by 1 / (1 - rate),
// so inference needs no rescaling. The dropoutForward kernel draws the mask
// (0 or the scale) into the node's planned training state from a seed that
// mixes the layer's seed with a call counter (the same seed, the same masks,
// run after run); backward is one element-wise product, dx = dy * mask.

import { BinaryOpId } from "../../assembly/shared/ids.js";
import { ConfigError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { mixSeeds } from "./init.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { Layer, type BackwardArgs, type ForwardArgs, type LayerConfig } from "./layer.js";

/** Options of {@link Dropout}. */
export interface DropoutConfig extends LayerConfig {
  /** Fraction of inputs dropped while training, in [0, 1). */
  rate: number;
}

/** The keys of {@link DropoutConfig}, in the order error messages list them. */
export const DROPOUT_KEYS = configKeys<DropoutConfig>()(["rate", "name", "seed"]);

/**
 * Randomly zeroes inputs while training (scaling the rest by 1 / (1 - rate));
 * passes them through at inference. The mask comes from the layer's seed.
 * @example
 * new Dropout({ rate: 0.5 });
 * new Dropout({ rate: 0.25, seed: 42 }); // reproducible masks
 * @throws {ConfigError} when `rate` is not a number in [0, 1), or the seed is bad.
 */
export class Dropout extends Layer {
  readonly className = "Dropout";
  readonly namePrefix = "dropout";
  readonly rate: number;
  private size = 0;
  /** Training forward calls so far: each draws its masks from its own seed. */
  private calls = 0;

  constructor(config: DropoutConfig) {
    checkConfigKeys(config, DROPOUT_KEYS, "Dropout");
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

  override get isIdentityInTraining(): boolean {
    return this.rate === 0;
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    this.size = sizeOf(inputShape);
    return [...inputShape];
  }

  override trainingStateFloats(batch: number): number {
    return this.rate === 0 ? 0 : batch * this.size;
  }

  forward({ batch, x, y, training, state }: ForwardArgs): void {
    if (x === y) return; // planned as a view (inference)
    const kernels = this.requireBackend().kernels;
    const n = batch * this.size;
    if (!training) {
      kernels.copyRows(x, y, 1, n, n, n);
      return;
    }
    kernels.dropoutForward(x, y, state, n, mixSeeds(this.randomSeed(), this.calls++), 1 - this.rate);
  }

  override backward({ batch, dy, dx, state }: BackwardArgs): void {
    if (dx === 0) return;
    this.requireBackend().kernels.binary(BinaryOpId.Mul, dy, state, dx, batch * this.size);
  }

  getConfig(): DropoutConfig & Record<string, unknown> {
    return { name: this.name, rate: this.rate, seed: this.seed };
  }
}
