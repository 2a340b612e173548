// Dense: y = act(x W + b), Keras kernel layout [inputs, units]. Like Keras it
// acts on the last axis, so a [h, w, c] input gives [h, w, units]. W is packed
// once at build (and after setWeights): at batch 1 packing per call would
// cost more than the GEMM itself.

import { ConfigError, ShapeError } from "../errors.js";
import { formatShape, sizeOf } from "../shape.js";
import { parseActivation, softmaxRows, type ActivationName, type ParsedActivation } from "./activations.js";
import { glorotUniform, seedFromName } from "./init.js";
import { boolOption, Layer, positiveInt, type ForwardArgs, type LayerConfig, type LayerParam } from "./layer.js";

/** Options of {@link Dense} (tfjs-layers names). */
export interface DenseConfig extends LayerConfig {
  /** Output size. */
  units: number;
  /** Default 'linear'. */
  activation?: ActivationName;
  /** Slope for x < 0 when `activation` is 'leakyRelu' (default 0.3). */
  alpha?: number;
  /** Add a bias per unit (default true). */
  useBias?: boolean;
}

/**
 * Fully connected layer.
 * @example
 * new Dense({ units: 10, activation: "softmax" });
 * new Dense({ units: 1, activation: "sigmoid" }); // binary output
 * @throws {ConfigError} for non-positive or non-integer `units`, or an
 *   unknown activation.
 */
export class Dense extends Layer {
  readonly className = "Dense";
  readonly namePrefix = "dense";
  readonly units: number;
  readonly activation: ParsedActivation;
  readonly useBias: boolean;
  private inputs = 0;
  /** Rows of the GEMM per sample (product of all input dims but the last). */
  private rowsPerSample = 0;
  private kernelPtr = 0;
  private biasPtr = 0;
  private packedPtr = 0;
  private readonly paramList: LayerParam[] = [];

  constructor(config: DenseConfig) {
    super(config);
    const where = "Dense";
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: a config object is required`);
    this.units = positiveInt(config.units, "units", where);
    this.activation = parseActivation(config.activation, config.alpha, where);
    this.useBias = boolOption(config.useBias, true, "useBias", where);
  }

  protected computeOutputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length < 1) throw new ShapeError(`${this.describe()}: expects a non-scalar input, got ${formatShape(inputShape)}`);
    return [...inputShape.slice(0, -1), this.units];
  }

  protected override allocateParams(inputShape: readonly number[]): void {
    const kernels = this.requireBackend().kernels;
    this.inputs = inputShape[inputShape.length - 1]!;
    this.rowsPerSample = sizeOf(inputShape.slice(0, -1));
    const kernelSize = this.inputs * this.units;
    this.kernelPtr = this.allocBlock(kernelSize);
    this.paramList.push({ name: "kernel", shape: [this.inputs, this.units], size: kernelSize, value: this.kernelPtr, grad: 0 });
    if (this.useBias) {
      this.biasPtr = this.allocBlock(this.units); // zero-filled: Keras' default bias
      this.paramList.push({ name: "bias", shape: [this.units], size: this.units, value: this.biasPtr, grad: 0 });
    }
    this.packedPtr = this.allocBlock(kernels.gemmPackedSize(this.inputs, this.units));
    const { f32, at } = this.view(this.kernelPtr);
    glorotUniform(f32, at, kernelSize, this.inputs, this.units, seedFromName(this.name ?? this.namePrefix));
    this.weightsChanged();
  }

  override weightsChanged(): void {
    this.requireBackend().kernels.gemmPackB(this.kernelPtr, this.inputs, this.units, this.packedPtr);
  }

  forward({ batch, x, y }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const m = batch * this.rowsPerSample;
    const act = this.activation;
    kernels.gemm(x, this.packedPtr, this.biasPtr, y, m, this.inputs, this.units, act.id, act.alpha);
    if (act.softmax) softmaxRows(kernels, y, m, this.units);
  }

  override params(): LayerParam[] {
    return this.paramList;
  }

  getConfig(): DenseConfig & Record<string, unknown> {
    return {
      name: this.name, units: this.units, activation: this.activation.name,
      alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined, useBias: this.useBias,
    };
  }
}
