// InputLayer and input(): where a functional model starts. As in Keras, an
// input is a layer with no weights and no computation; its one node has no
// inbound tensors and produces the symbolic tensor the user applies layers
// to. The model copies the caller's data into that tensor's buffer.

import { ConfigError } from "../errors.js";
import { checkSampleShape, GraphNode, type InputConfig, type SymbolicTensor } from "../graph/symbolic.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { Layer, type ForwardArgs, type LayerConfig } from "./layer.js";

/** The keys {@link InputConfig} accepts. */
export const INPUT_KEYS = configKeys<InputConfig>()(["shape", "name"]);

/**
 * The layer behind {@link input}: holds the input shape, computes nothing.
 * @example
 * const x = input({ shape: [32, 32, 3], name: "image" });
 * x.layer; // InputLayer 'image'
 * @throws {ConfigError} for a shape that is not an array of positive integers.
 */
export class InputLayer extends Layer {
  readonly className = "InputLayer";
  readonly namePrefix = "input";
  /** Shape of one sample, without the batch dim. */
  readonly shape: readonly number[];

  constructor(config: InputConfig) {
    checkConfigKeys(config, INPUT_KEYS, "input");
    super({ name: (config as InputConfig | undefined)?.name });
    if (typeof config !== "object" || config === null) throw new ConfigError("input: options { shape } are required");
    this.shape = Object.freeze(checkSampleShape(config.shape, "shape", "input"));
    // Record the one node by hand: an input has no inbound tensors to apply to.
    this.nodes.push(new GraphNode(this, [], this.shape));
    this.setShapes([this.shape], this.shape);
  }

  /** The symbolic tensor this input produces. */
  get output(): SymbolicTensor {
    return this.nodes[0]!.output;
  }

  override apply(): SymbolicTensor {
    throw new ConfigError(`${this.describe()}: an input layer cannot be applied; use input({ shape }) and apply ` +
      `other layers to the tensor it returns`);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  override get isIdentity(): boolean {
    return true;
  }

  forward(_args: ForwardArgs): void {}

  getConfig(): LayerConfig & Record<string, unknown> {
    return { name: this.name, shape: [...this.shape] };
  }
}

/**
 * Starts a functional model: a symbolic tensor standing for a batch of
 * inputs of `shape` (channels-last, no batch dim).
 * @example
 * const inp = input({ shape: [32, 32, 3] });
 * const out = new Dense({ units: 10, activation: "softmax" }).apply(
 *   new GlobalAvgPool2D().apply(new Conv2D({ filters: 16, activation: "relu" }).apply(inp)));
 * const model = new Model({ inputs: inp, outputs: out });
 * @throws {ConfigError} for a shape that is not a non-empty array of positive integers, or a bad name.
 */
export function input(config: InputConfig): SymbolicTensor {
  return new InputLayer(config).output;
}
