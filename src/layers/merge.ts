// Element-wise merge layers (Keras' Add, Multiply, Average, Maximum): two or
// more inputs of one shape in, one tensor of that shape out. Each is a chain
// of one element-wise kernel over the inputs, so k inputs cost k - 1 passes;
// backward gives every input its share of dy.

import { BinaryOpId } from "../../assembly/shared/ids.js";
import { ConfigError, ShapeError } from "../errors.js";
import { formatShape, sizeOf } from "../shape.js";
import { checkConfigKeys } from "./config-keys.js";
import { Layer, LAYER_CONFIG_KEYS, type BackwardArgs, type ForwardArgs, type LayerConfig } from "./layer.js";

/** What the four merge layers share: shape checks and the forward chain. */
abstract class Merge extends Layer {
  /** Floats per sample (every input and the output). */
  protected size = 0;
  protected abstract readonly op: BinaryOpId;

  constructor(config: LayerConfig = {}) {
    checkConfigKeys(config, LAYER_CONFIG_KEYS, new.target.name);
    super(config);
  }

  protected override computeOutputShapes(shapes: readonly (readonly number[])[]): number[] {
    if (shapes.length < 2) {
      throw new ConfigError(`${this.describe()}: merges a list of at least 2 inputs, got ${shapes.length}; ` +
        `call apply([a, b, ...])`);
    }
    const first = formatShape(shapes[0]!);
    if (shapes.some((s) => formatShape(s) !== first)) {
      throw new ShapeError(`${this.describe()}: every input must have the same shape, got ` +
        `${shapes.map(formatShape).join(", ")}`);
    }
    this.size = sizeOf(shapes[0]!);
    return [...shapes[0]!];
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override get inPlace(): boolean {
    return true; // the binary kernel allows y == a
  }

  forward({ batch, inputs, y }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const n = batch * this.size;
    kernels.binary(this.op, inputs[0]!, inputs[1]!, y, n);
    for (let i = 2; i < inputs.length; i++) kernels.binary(this.op, y, inputs[i]!, y, n);
  }

  getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name };
  }
}

/**
 * Sums its inputs: ResNet's residual connection.
 * @example
 * const y = new Add().apply([x, new Conv2D({ filters: 16, padding: "same" }).apply(x)]);
 * @throws {ConfigError} for fewer than 2 inputs; {@link ShapeError} when the shapes differ.
 */
export class Add extends Merge {
  readonly className = "Add";
  readonly namePrefix = "add";
  protected readonly op = BinaryOpId.Add;

  override get accumulatesInputGradients(): boolean {
    return true;
  }

  override get passesGradientThrough(): boolean {
    return true;
  }

  override backward({ batch, dy, dxs, accumulate }: BackwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const n = batch * this.size;
    dxs.forEach((dx, i) => {
      if (dx === 0 || dx === dy) return; // dx === dy: the model made dy this input's gradient
      if (accumulate[i]) kernels.binary(BinaryOpId.Add, dx, dy, dx, n);
      else kernels.copyRows(dy, dx, 1, n, n, n);
    });
  }
}

/**
 * The mean of its inputs.
 * @example
 * const y = new Average().apply([a, b]);
 * @throws {ConfigError} for fewer than 2 inputs; {@link ShapeError} when the shapes differ.
 */
export class Average extends Merge {
  readonly className = "Average";
  readonly namePrefix = "average";
  protected readonly op = BinaryOpId.Add;

  override forward(args: ForwardArgs): void {
    super.forward(args);
    this.requireBackend().kernels.scale(args.y, args.y, args.batch * this.size, 1 / args.inputs.length);
  }

  override backward({ batch, dy, dxs }: BackwardArgs): void {
    const kernels = this.requireBackend().kernels;
    for (const dx of dxs) if (dx !== 0) kernels.scale(dy, dx, batch * this.size, 1 / dxs.length);
  }
}

/**
 * The element-wise product of its inputs (e.g. an attention gate).
 * @example
 * const y = new Multiply().apply([features, gate]);
 * @throws {ConfigError} for fewer than 2 inputs; {@link ShapeError} when the shapes differ.
 */
export class Multiply extends Merge {
  readonly className = "Multiply";
  readonly namePrefix = "multiply";
  protected readonly op = BinaryOpId.Mul;

  override backward({ batch, inputs, dy, dxs }: BackwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const n = batch * this.size;
    dxs.forEach((dx, i) => {
      if (dx === 0) return;
      // dx_i = dy * (product of the other inputs), one pass per other input.
      let from = dy;
      inputs.forEach((x, j) => {
        if (j === i) return;
        kernels.binary(BinaryOpId.Mul, from, x, dx, n);
        from = dx;
      });
    });
  }
}

/**
 * The element-wise maximum of its inputs. Backward routes each gradient to
 * the input that held the maximum; on a tie, to the first such input (as
 * TensorFlow's maximum, applied input by input).
 * @example
 * const y = new Maximum().apply([a, b]);
 * @throws {ConfigError} for fewer than 2 inputs; {@link ShapeError} when the shapes differ.
 */
export class Maximum extends Merge {
  readonly className = "Maximum";
  readonly namePrefix = "maximum";
  protected readonly op = BinaryOpId.Max;

  /** Where the gradient of an input nobody needs goes (routing must still claim its share). */
  override trainingScratchFloats(batch: number): number {
    return batch * this.size;
  }

  override backward({ batch, inputs, y, dy, dxs, scratch }: BackwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const n = batch * this.size;
    // In input order: each claims dy where it equals the max, and zeroes it there for the later ones.
    inputs.forEach((x, i) => kernels.maximumBackward(x, y, dy, dxs[i]! !== 0 ? dxs[i]! : scratch, n));
  }
}
