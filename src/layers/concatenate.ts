// Concatenate (Keras): joins its inputs along one axis. In row-major memory
// that is, for every index of the axes before `axis`, one contiguous run of
// each input after the other; so forward is one strided row copy per input
// and backward the same copies the other way.

import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, sizeOf } from "../shape.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { Layer, type BackwardArgs, type ForwardArgs, type LayerConfig } from "./layer.js";

/** Options of {@link Concatenate}. */
export interface ConcatenateConfig extends LayerConfig {
  /**
   * The axis to join along, counting the batch axis as 0 as Keras does
   * (default -1, the channels). The batch axis itself cannot be joined.
   */
  axis?: number;
}

/** The keys {@link ConcatenateConfig} accepts. */
export const CONCATENATE_KEYS = configKeys<ConcatenateConfig>()(["axis", "name", "seed"]);

/**
 * Joins its inputs along `axis` (Inception's branches, U-Net's skips).
 * @example
 * const y = new Concatenate().apply([branch1x1, branch3x3, branch5x5]); // channels add up
 * const rows = new Concatenate({ axis: 1 }).apply([top, bottom]);     // [h1 + h2, w, c]
 * @throws {ConfigError} for a non-integer axis or fewer than 2 inputs;
 *   {@link ShapeError} when the inputs differ on an axis other than `axis`,
 *   or `axis` is the batch axis or out of range.
 */
export class Concatenate extends Layer {
  readonly className = "Concatenate";
  readonly namePrefix = "concatenate";
  readonly axis: number;
  /** Runs per sample: the product of the dims before the axis. */
  private outer = 0;
  /** Floats of each input's run, and of the output's. */
  private widths: number[] = [];
  private total = 0;

  constructor(config: ConcatenateConfig = {}) {
    checkConfigKeys(config, CONCATENATE_KEYS, "Concatenate");
    super(config);
    const axis = config.axis ?? -1;
    if (!Number.isInteger(axis)) throw new ConfigError(`Concatenate: axis must be an integer, got ${JSON.stringify(config.axis)}`);
    this.axis = axis;
  }

  protected override computeOutputShapes(shapes: readonly (readonly number[])[]): number[] {
    if (shapes.length < 2) {
      throw new ConfigError(`${this.describe()}: joins a list of at least 2 inputs, got ${shapes.length}; ` +
        `call apply([a, b, ...])`);
    }
    const rank = shapes[0]!.length;
    // Keras counts the batch axis: axis 1 is the first sample axis, -1 the last.
    const a = this.axis < 0 ? rank + this.axis : this.axis - 1;
    if (a < 0 || a >= rank) {
      throw new ShapeError(`${this.describe()}: axis ${this.axis} is ${this.axis === 0 ? "the batch axis" : "out of range"} ` +
        `for inputs of shape [batch,${shapes[0]!.join(",")}]; use 1..${rank} or -${rank}..-1`);
    }
    const fits = shapes.every((s) => s.length === rank && s.every((d, i) => i === a || d === shapes[0]![i]));
    if (!fits) {
      throw new ShapeError(`${this.describe()}: inputs must match on every axis but ${this.axis}, got ` +
        `${shapes.map(formatShape).join(", ")}`);
    }
    const out = [...shapes[0]!];
    out[a] = shapes.reduce((n, s) => n + s[a]!, 0);
    this.outer = sizeOf(out.slice(0, a));
    this.widths = shapes.map((s) => sizeOf(s.slice(a)));
    this.total = sizeOf(out.slice(a));
    return out;
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  forward({ batch, inputs, y }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    let offset = 0;
    inputs.forEach((x, i) => {
      const w = this.widths[i]!;
      kernels.copyRows(x, y + offset * F32_BYTES, batch * this.outer, w, w, this.total);
      offset += w;
    });
  }

  override backward({ batch, dy, dxs }: BackwardArgs): void {
    const kernels = this.requireBackend().kernels;
    let offset = 0;
    dxs.forEach((dx, i) => {
      const w = this.widths[i]!;
      if (dx !== 0) kernels.copyRows(dy + offset * F32_BYTES, dx, batch * this.outer, w, this.total, w);
      offset += w;
    });
  }

  getConfig(): ConcatenateConfig & Record<string, unknown> {
    return { name: this.name, axis: this.axis };
  }
}
