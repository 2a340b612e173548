// Reshape (Keras): the same floats read under another shape. Row-major
// memory does not move, so this is a view like Flatten: the model aliases
// the output buffer to the input's, and the gradient passes through.

import { ConfigError, ShapeError } from "../errors.js";
import { formatShape, isPositiveInt, sizeOf } from "../shape.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { Layer, type ForwardArgs, type LayerConfig } from "./layer.js";

/** Options of {@link Reshape} (tfjs-layers names). */
export interface ReshapeConfig extends LayerConfig {
  /** The output shape without the batch axis; one entry may be -1, inferred from the input's size (as Keras). */
  targetShape: number[];
}

/** The keys of {@link ReshapeConfig}. */
export const RESHAPE_KEYS = configKeys<ReshapeConfig>()(["targetShape", "name", "seed"]);

/**
 * Gives each sample another shape of the same size (a view: no copy).
 * @example
 * new Reshape({ targetShape: [7, 7, 16] });  // [784] -> [7, 7, 16]
 * new Reshape({ targetShape: [-1, 8] });     // [4, 4, 16] -> [32, 8]
 * @throws {ConfigError} when targetShape is not a list of positive integers
 *   with at most one -1; at build {@link ShapeError} when its size differs
 *   from the input's (or the input's size is not a multiple of the others').
 */
export class Reshape extends Layer {
  readonly className = "Reshape";
  readonly namePrefix = "reshape";
  /** As given, -1 included. */
  readonly targetShape: readonly number[];

  constructor(config: ReshapeConfig) {
    checkConfigKeys(config, RESHAPE_KEYS, "Reshape");
    super(config);
    const t: unknown = config?.targetShape;
    if (!Array.isArray(t) || t.length === 0 || !t.every((d) => d === -1 || isPositiveInt(d)) ||
        t.filter((d) => d === -1).length > 1) {
      throw new ConfigError(`Reshape: targetShape must be a non-empty list of positive integers with at most ` +
        `one -1, got ${JSON.stringify(t)}`);
    }
    this.targetShape = Object.freeze([...(t as number[])]);
  }

  override get isIdentity(): boolean {
    return true;
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    const size = sizeOf(inputShape);
    const known = sizeOf(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? size / known : d));
    if (!out.every(isPositiveInt) || sizeOf(out) !== size) {
      throw new ShapeError(`${this.describe()}: cannot reshape input ${formatShape(inputShape)} (${size} values) ` +
        `to ${formatShape(this.targetShape)}`);
    }
    return out;
  }

  forward(_args: ForwardArgs): void {}

  getConfig(): ReshapeConfig & Record<string, unknown> {
    return { name: this.name, targetShape: [...this.targetShape] };
  }
}
