// Symbolic tensors and the nodes that produce them: what `input()` and
// `layer.apply()` record before any memory exists (tfjs-layers' SymbolicTensor
// and Node). A symbolic tensor knows its per-sample shape and its producer; a
// node knows its layer and the tensors it consumed. `new Model({ inputs,
// outputs })` walks these links backwards to find the graph.

import { ConfigError } from "../errors.js";
import { formatShape, isPositiveInt } from "../shape.js";
import type { Layer } from "../layers/layer.js";

let tensorIds = 0;

/**
 * A placeholder for a batch of tensors flowing through a functional model:
 * its shape (without the batch dim) and where it comes from. Made by
 * {@link input} and `layer.apply()`; holds no values.
 * @example
 * const x = input({ shape: [32, 32, 3] });
 * const y = new Conv2D({ filters: 8 }).apply(x);
 * y.shape; // [30, 30, 8]
 * @throws never
 */
export class SymbolicTensor {
  /** Unique id, in creation order (used to keep graph walks deterministic). */
  readonly id = ++tensorIds;

  /** @internal */
  constructor(
    /** Shape of one sample (no batch dim). */
    readonly shape: readonly number[],
    /** The node that produces it: an `InputLayer`'s node for model inputs. */
    readonly node: GraphNode,
  ) {}

  /** The layer that produces this tensor. */
  get layer(): Layer {
    return this.node.layer;
  }

  /** `conv2d_1 [30,30,8]`, for messages. */
  describe(): string {
    return `${this.node.layer.name ?? this.node.layer.className} output ${formatShape(this.shape)}`;
  }
}

/**
 * One call of a layer on symbolic inputs. A layer applied twice (shared
 * weights) has two nodes. Not exported by the package; its declaration
 * ships (not marked internal) because `SymbolicTensor.node` names it, and
 * stripping it would leave consumers with skipLibCheck off a broken .d.ts.
 */
export class GraphNode {
  readonly output: SymbolicTensor;

  constructor(
    readonly layer: Layer,
    /** The tensors it consumed, in call order (empty for an input). */
    readonly inputs: readonly SymbolicTensor[],
    outputShape: readonly number[],
  ) {
    this.output = new SymbolicTensor(Object.freeze([...outputShape]), this);
  }
}

/** Options of {@link input}. */
export interface InputConfig {
  /** Shape of one sample, without the batch dim, e.g. [32, 32, 3]. */
  shape: number[];
  /** Layer name (default `input_<n>` within the model). */
  name?: string;
}

/** Reads a per-sample shape option (inputShape, shape). */
export function checkSampleShape(shape: unknown, option: string, where: string): number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every(isPositiveInt)) {
    throw new ConfigError(`${where}: ${option} must be a non-empty array of positive integers ` +
      `(e.g. [28, 28, 1]), got ${JSON.stringify(shape)}`);
  }
  return [...(shape as number[])];
}

/** The shapes of `inputs`, for error messages: `[30,30,8] and [28,28,8]`. */
export function formatShapes(inputs: readonly SymbolicTensor[]): string {
  return inputs.map((t) => formatShape(t.shape)).join(" and ");
}
