// Dropout: identity at inference; while training, "inverted dropout" as Keras:
// each input is kept with probability 1 - rate and scaled by 1 / (1 - rate),
// so inference needs no rescaling. The mask (0 or the scale) is drawn from
// the layer's seeded generator into its planned training state and reused by
// backward (dx = dy * mask). No kernel exists for this element-wise product;
// it is a single pass over one activation, done here over the arena.

import { ConfigError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { sizeOf } from "../shape.js";
import { mulberry32 } from "../random.js";
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
  private random: (() => number) | null = null;

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
    const { f32 } = this.view(0);
    const n = batch * this.size;
    const [xi, yi] = [x / F32_BYTES, y / F32_BYTES];
    if (!training) {
      f32.copyWithin(yi, xi, xi + n);
      return;
    }
    this.random ??= mulberry32(this.randomSeed());
    const keep = 1 - this.rate;
    const scale = 1 / keep;
    const mi = state / F32_BYTES;
    for (let i = 0; i < n; i++) {
      const m = this.random() < keep ? scale : 0;
      f32[mi + i] = m;
      f32[yi + i] = f32[xi + i]! * m;
    }
  }

  override backward({ batch, dy, dx, state }: BackwardArgs): void {
    if (dx === 0) return;
    const { f32 } = this.view(0);
    const [dyi, dxi, mi] = [dy / F32_BYTES, dx / F32_BYTES, state / F32_BYTES];
    for (let i = 0; i < batch * this.size; i++) f32[dxi + i] = f32[dyi + i]! * f32[mi + i]!;
  }

  getConfig(): DropoutConfig & Record<string, unknown> {
    return { name: this.name, rate: this.rate, seed: this.seed };
  }
}
