// Dense: y = act(x W + b), Keras kernel layout [inputs, units]. Like Keras it
// acts on the last axis, so a [h, w, c] input gives [h, w, units]. W is packed
// once at build (and after setWeights): at batch 1 packing per call would
// cost more than the GEMM itself.

import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, sizeOf } from "../shape.js";
import {
  activateKept, activationBackward, fusedPart, keptFloats, parseActivation, softmaxRows, type ActivationName, type NamedActivation, type ParsedActivation,
} from "./activations.js";
import { checkConfigKeys, configKeys } from "./config-keys.js";
import { initialize, parseInitializer, type InitializerName } from "./init.js";
import {
  boolOption, Layer, positiveInt, type AffineSource, type BackwardArgs, type ForwardArgs, type LayerConfig, type LayerParam,
} from "./layer.js";
import { FoldedWeights } from "./fold.js";

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
  /** Kernel initializer by name (default 'glorotUniform', as Keras). */
  kernelInitializer?: InitializerName;
  /** Bias initializer by name (default 'zeros', as Keras). */
  biasInitializer?: InitializerName;
}

/** The keys of {@link DenseConfig}, in the order error messages list them. */
export const DENSE_KEYS = configKeys<DenseConfig>()([
  "units", "activation", "alpha", "useBias", "kernelInitializer", "biasInitializer", "name", "seed",
]);

/**
 * Fully connected layer.
 * @example
 * new Dense({ units: 10, activation: "softmax" });
 * new Dense({ units: 1, activation: "sigmoid" }); // binary output
 * new Dense({ units: 64, activation: "relu", kernelInitializer: "heNormal", seed: 7 });
 * @throws {ConfigError} for non-positive or non-integer `units`, an unknown
 *   activation or initializer, or a bad seed.
 */
export class Dense extends Layer {
  readonly className = "Dense";
  readonly namePrefix = "dense";
  readonly units: number;
  readonly activation: NamedActivation;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  private inputs = 0;
  /** Rows of the GEMM per sample (product of all input dims but the last). */
  private rowsPerSample = 0;
  private kernelPtr = 0;
  private biasPtr = 0;
  private packedPtr = 0;
  private packedSize = 0;
  private readonly paramList: LayerParam[] = [];
  private fold: FoldedWeights | null = null;

  constructor(config: DenseConfig) {
    checkConfigKeys(config, DENSE_KEYS, "Dense");
    super(config);
    const where = "Dense";
    if (typeof config !== "object" || config === null) throw new ConfigError(`${where}: a config object is required`);
    this.units = positiveInt(config.units, "units", where);
    this.activation = parseActivation(config.activation, config.alpha, where);
    this.useBias = boolOption(config.useBias, true, "useBias", where);
    this.kernelInitializer = parseInitializer(config.kernelInitializer, "glorotUniform", `${where} kernelInitializer`);
    this.biasInitializer = parseInitializer(config.biasInitializer, "zeros", `${where} biasInitializer`);
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
    this.paramList.push({ name: "kernel", shape: [this.inputs, this.units], size: kernelSize, value: this.kernelPtr, trainable: true, grad: 0 });
    if (this.useBias) {
      this.biasPtr = this.allocBlock(this.units);
      this.paramList.push({ name: "bias", shape: [this.units], size: this.units, value: this.biasPtr, trainable: true, grad: 0 });
    }
    this.packedSize = kernels.gemmPackedSize(this.inputs, this.units);
    this.packedPtr = this.allocBlock(this.packedSize);
    const seed = this.randomSeed();
    const { f32, at } = this.view(this.kernelPtr);
    initialize(this.kernelInitializer, kernels, f32, at, kernelSize, this.inputs, this.units, seed);
    // The bias draws from its own stream (seed + 1) so changing it never shifts the kernel.
    if (this.useBias) {
      initialize(this.biasInitializer, kernels, f32, this.biasPtr / F32_BYTES, this.units, this.inputs, this.units, seed + 1);
    }
    this.weightsChanged();
  }

  override packedFloats(): number {
    return this.packedSize;
  }

  override weightsChanged(): void {
    this.requireBackend().kernels.gemmPackB(this.kernelPtr, this.inputs, this.units, this.packedPtr);
  }

  override get outputActivation(): ParsedActivation {
    return this.activation;
  }

  override trainingStateFloats(batch: number): number {
    return keptFloats(this.activation, batch * this.rowsPerSample * this.units);
  }

  forward({ batch, x, y, activation, folded, training, state }: ForwardArgs): void {
    const kernels = this.requireBackend().kernels;
    const m = batch * this.rowsPerSample;
    const act = activation ?? this.activation;
    const keep = training ? state : 0;
    const fused = fusedPart(act, keep);
    let packed = this.packedPtr;
    let bias = this.biasPtr;
    if (folded) {
      const f = this.fold!;
      f.refresh(kernels, this.weightsVersion, this.kernelPtr, this.inputs * this.units, this.biasPtr, this.units,
        (raw, out) => kernels.gemmPackB(raw, this.inputs, this.units, out));
      packed = f.packed;
      bias = f.bias;
    }
    kernels.gemm(x, packed, bias, keep || y, m, this.inputs, this.units, fused.id, fused.alpha);
    activateKept(kernels, act, keep, y, m * this.units);
    if (act.softmax) softmaxRows(kernels, y, m, this.units);
  }

  override get absorbsAffine(): boolean {
    return true;
  }

  override prepareFold(source: AffineSource): boolean {
    if (this.fold?.source === source) return true;
    this.fold = new FoldedWeights(source, this.allocBlock(this.inputs * this.units), this.allocBlock(this.packedSize),
      this.allocBlock(this.units));
    return true;
  }

  override backward({ batch, x, y, dy, dx, fusedActivation, state }: BackwardArgs): void {
    const train = this.trainKernels();
    const m = batch * this.rowsPerSample;
    if (!fusedActivation) {
      activationBackward(this.requireBackend().kernels, this.activation, y, dy, dy, m, this.units, state);
    }
    const [kernel, bias] = this.paramList;
    train.gemmBackwardFilter(x, dy, kernel!.grad, bias?.grad ?? 0, m, this.inputs, this.units);
    if (dx !== 0) train.gemmBackwardInput(dy, this.kernelPtr, dx, m, this.inputs, this.units);
  }

  override weights(): LayerParam[] {
    return this.paramList;
  }

  getConfig(): DenseConfig & Record<string, unknown> {
    return {
      name: this.name, units: this.units, activation: this.activation.name,
      alpha: this.activation.name === "leakyRelu" ? this.activation.alpha : undefined, useBias: this.useBias,
      kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer, seed: this.seed,
    };
  }
}
