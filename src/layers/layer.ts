// The base every layer extends. A layer owns its parameters (raw Keras-layout
// weights plus whatever packed form its kernel wants) and knows its output
// shape; the model owns the activation buffers and hands the layer pointers.
// Forward and backward of one layer live side by side in its file
// (ConvNetJS' habit).

import type { TrainingKernels } from "../backend/kernels-train.js";
import { getBackend, type Backend } from "../backend/registry.js";
import { ConfigError, ShapeError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { formatShape, isPositiveInt } from "../shape.js";
import type { ParsedActivation } from "./activations.js";
import { configKeys } from "./config-keys.js";
import { mixSeeds, parseSeed, seedFromName } from "./init.js";

/** Options every layer accepts. */
export interface LayerConfig {
  /** Unique name within the model; auto-assigned like Keras (`conv2d_1`) when absent. */
  name?: string;
  /**
   * Seed of this layer's random numbers (initial weights, dropout masks), an
   * integer in [0, 2^32). Default: derived from the model's `seed` and the
   * layer name, so the same model gets the same weights every time.
   */
  seed?: number;
}

/** The keys of {@link LayerConfig}: all a layer without options of its own accepts. */
export const LAYER_CONFIG_KEYS = configKeys<LayerConfig>()(["name", "seed"]);

/** One trainable array of a layer: its raw values and (when training) its gradient. */
export interface LayerParam {
  /** "kernel" or "bias" (Keras weight names). */
  readonly name: string;
  /** Keras layout: conv kernel [kh, kw, in, out], dense kernel [in, units], bias [units]. */
  readonly shape: readonly number[];
  readonly size: number;
  /** Byte offset of the values in linear memory. */
  readonly value: number;
  /** Byte offset of the gradient, or 0 while no gradient buffer is planned (inference). */
  grad: number;
}

/** Pointers for one forward call; all byte offsets into the backend's memory. */
export interface ForwardArgs {
  batch: number;
  /** Input activations [batch, ...inputShape]. */
  x: number;
  /** Output activations [batch, ...outputShape] (equal to x for identity layers). */
  y: number;
  /** Shared scratch of at least `scratchFloats(batch)` floats (0 when none is needed). */
  scratch: number;
  /** True inside fit/trainOnBatch (dropout drops); false for predict and evaluate. */
  training: boolean;
  /**
   * Non-zero only for the output layer of a fused loss (softmax + cross-entropy,
   * sigmoid + binary cross-entropy): the layer also leaves its values BEFORE
   * the output activation here ([batch, ...outputShape]); `y` still gets the
   * probabilities.
   */
  logits: number;
  /** The layer's own training state, `trainingStateFloats(batch)` floats (0 when none). */
  state: number;
}

/** Pointers for one backward call; all byte offsets into the backend's memory. */
export interface BackwardArgs {
  batch: number;
  /** The forward input [batch, ...inputShape], as the last training forward left it. */
  x: number;
  /** The forward output [batch, ...outputShape] (after the activation). */
  y: number;
  /** Gradient w.r.t. the output; the layer may overwrite it (it is not read again). */
  dy: number;
  /** Where the gradient w.r.t. the input goes, or 0 when nobody needs it (the first layer). */
  dx: number;
  /** True when `dy` is already the gradient w.r.t. the values before the output activation (fused loss). */
  preActivation: boolean;
  /** Shared scratch of at least `trainingScratchFloats(batch)` floats (0 when none is needed). */
  scratch: number;
  /** As ForwardArgs.state. */
  state: number;
}

/**
 * The training kernels of `backend` (every backend's `Kernels` implements
 * `TrainingKernels`). Layers and the trainer reach them only through here.
 * @internal
 */
export function trainingKernelsOf(backend: Backend): TrainingKernels {
  return backend.kernels;
}

/**
 * Base class of all layers. Layers are built by `Sequential` (which names
 * them, infers shapes and allocates their weights); one layer instance
 * belongs to one model.
 * @example
 * const conv = new Conv2D({ filters: 8 });
 * new Sequential([conv], { inputShape: [28, 28, 1] });
 * conv.outputShape; // [26, 26, 8]
 * @throws see the subclasses.
 */
export abstract class Layer {
  /** The tfjs-layers / Keras class name (the serialization and registry key). */
  abstract readonly className: string;
  /** Name prefix for auto-naming, Keras' snake_case of the class (`conv2d`, `max_pooling2d`). */
  abstract readonly namePrefix: string;
  /** Layer name; set by the model when not given. */
  name: string | undefined;
  /** Seed given in the config (see LayerConfig.seed), or undefined. */
  readonly seed: number | undefined;
  /** @internal The owning model's seed (set before build), mixed with the name when `seed` is absent. */
  modelSeed: number | undefined;
  /** @internal Set once a model adopts the layer, so a layer is never shared by two models. */
  owner: object | null = null;
  protected backend: Backend | null = null;
  private inShape: readonly number[] | null = null;
  private outShape: readonly number[] | null = null;
  private readonly ownedBlocks: number[] = [];

  constructor(config: LayerConfig = {}) {
    if (config.name !== undefined && (typeof config.name !== "string" || config.name === "")) {
      throw new ConfigError(`layer name must be a non-empty string, got ${JSON.stringify(config.name)}`);
    }
    this.name = config.name;
    this.seed = parseSeed(config.seed, new.target.name);
  }

  /** The seed for this layer's random numbers: its own, else the model's mixed with its name, else its name's. */
  protected randomSeed(): number {
    if (this.seed !== undefined) return this.seed;
    const fromName = seedFromName(this.name ?? this.namePrefix);
    return this.modelSeed === undefined ? fromName : mixSeeds(this.modelSeed, fromName);
  }

  /** `Conv2D 'conv2d_1'`: how error messages name this layer. */
  describe(): string {
    return this.name === undefined ? this.className : `${this.className} '${this.name}'`;
  }

  /** Input shape without the batch dim; throws until built. */
  get inputShape(): number[] {
    return [...this.requireBuilt().inShape!];
  }

  /** Output shape without the batch dim; throws until built. */
  get outputShape(): number[] {
    return [...this.requireBuilt().outShape!];
  }

  /** True once `build` ran. */
  get built(): boolean {
    return this.outShape !== null;
  }

  /** True when the output is the input buffer unchanged (Flatten, Dropout at inference). */
  get isIdentity(): boolean {
    return false;
  }

  /**
   * Infers the output shape (batch dim excluded) and allocates the weights.
   * Called by `Sequential`; building twice is an error.
   * @throws {ShapeError} when the input shape does not fit the layer (rank,
   *   kernel larger than a 'valid' input, empty output).
   */
  build(inputShape: readonly number[], backend: Backend = getBackend()): number[] {
    if (this.outShape !== null) throw new ConfigError(`${this.describe()}: already built`);
    if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every(isPositiveInt)) {
      throw new ShapeError(`${this.describe()}: input shape must be positive integers, got ${JSON.stringify(inputShape)}`);
    }
    const out = this.computeOutputShape(inputShape);
    if (!out.every(isPositiveInt)) {
      throw new ShapeError(`${this.describe()}: input ${formatShape(inputShape)} gives an empty output ${formatShape(out)}`);
    }
    this.backend = backend;
    try {
      this.allocateParams(inputShape, out);
    } catch (e) {
      this.releaseBlocks();
      this.backend = null;
      throw e;
    }
    this.inShape = Object.freeze([...inputShape]);
    this.outShape = Object.freeze([...out]);
    return [...out];
  }

  /** Output shape for an input shape (no batch dim); throws ShapeError when it does not fit. */
  protected abstract computeOutputShape(inputShape: readonly number[]): number[];

  /** Allocates and initialises the parameters (none by default). */
  protected allocateParams(_inputShape: readonly number[], _outputShape: readonly number[]): void {}

  /** True when training leaves the output equal to the input buffer (Flatten; not Dropout, which drops). */
  get isIdentityInTraining(): boolean {
    return this.isIdentity;
  }

  /** The activation applied to the output (for fused losses), or null when the layer has none. */
  get outputActivation(): ParsedActivation | null {
    return null;
  }

  /** Runs the layer on `args.batch` samples. */
  abstract forward(args: ForwardArgs): void;

  /**
   * Backward pass of the last training forward: writes the parameter gradients
   * (`params()[i].grad`) and, when `args.dx` is non-zero, the input gradient.
   * Every layer that can train overrides it.
   * @throws {ConfigError} for a layer that cannot be trained.
   */
  backward(_args: BackwardArgs): void {
    throw new ConfigError(`${this.describe()}: this layer cannot be trained (it has no backward pass)`);
  }

  /** Floats of per-layer training state (e.g. a dropout mask) for `batch` samples. */
  trainingStateFloats(_batch: number): number {
    return 0;
  }

  /**
   * Floats of scratch `backward` can use for `batch` samples (shared with the
   * forward scratch: the two never run at the same time). Planned once.
   */
  trainingScratchFloats(_batch: number): number {
    return 0;
  }

  /** Floats of scratch `forward` needs for `batch` samples. */
  scratchFloats(_batch: number): number {
    return 0;
  }

  /** Trainable parameters, in Keras order (kernel, then bias). Empty before build. */
  params(): LayerParam[] {
    return [];
  }

  /** Re-derives packed forms after the raw values of `params()` changed (setWeights, an optimizer step). */
  weightsChanged(): void {}

  /** Number of weights (0 for layers without parameters). */
  countParams(): number {
    this.requireBuilt();
    let n = 0;
    for (const p of this.params()) n += p.size;
    return n;
  }

  /** The options this layer was made with (JSON-serializable). */
  abstract getConfig(): LayerConfig & Record<string, unknown>;

  /** Frees the parameters. The layer cannot be used afterwards. */
  dispose(): void {
    this.releaseBlocks();
  }

  /** Allocates `floats` in the arena; freed by dispose(). */
  protected allocBlock(floats: number): number {
    const ptr = this.requireBackend().arena.alloc(floats);
    this.ownedBlocks.push(ptr);
    return ptr;
  }

  /** The arena's current Float32Array and the float index of `ptr` in it. */
  protected view(ptr: number): { f32: Float32Array; at: number } {
    return { f32: this.requireBackend().arena.f32(), at: ptr / F32_BYTES };
  }

  /** The backend's training kernels. */
  protected trainKernels(): TrainingKernels {
    return trainingKernelsOf(this.requireBackend());
  }

  protected requireBackend(): Backend {
    if (this.backend === null) throw new ConfigError(`${this.describe()}: not built yet`);
    return this.backend;
  }

  private requireBuilt(): this {
    if (this.outShape === null) throw new ConfigError(`${this.describe()}: not built yet (add it to a Sequential)`);
    return this;
  }

  private releaseBlocks(): void {
    if (this.backend !== null) for (const ptr of this.ownedBlocks) this.backend.arena.free(ptr);
    this.ownedBlocks.length = 0;
  }
}

/** Reads `value` as a positive integer option. */
export function positiveInt(value: unknown, option: string, where: string): number {
  if (!isPositiveInt(value)) {
    throw new ConfigError(`${where}: ${option} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads a `number | [h, w]` option (kernelSize, strides, poolSize) as [h, w]. */
export function pair(value: unknown, option: string, where: string): [number, number] {
  if (Array.isArray(value)) {
    if (value.length !== 2) {
      throw new ConfigError(`${where}: ${option} must be a positive integer or [height, width], got ${JSON.stringify(value)}`);
    }
    return [positiveInt(value[0], option, where), positiveInt(value[1], option, where)];
  }
  const v = positiveInt(value, option, where);
  return [v, v];
}

/** Reads the padding option. */
export function paddingOption(value: unknown, where: string): "valid" | "same" {
  const p = value ?? "valid";
  if (p !== "valid" && p !== "same") {
    throw new ConfigError(`${where}: padding must be 'valid' or 'same', got ${JSON.stringify(value)}`);
  }
  return p;
}

/** Reads the useBias option. */
export function boolOption(value: unknown, fallback: boolean, option: string, where: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(`${where}: ${option} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}
