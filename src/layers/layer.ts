// The base every layer extends. A layer owns its weights (raw Keras-layout
// arrays plus whatever packed form its kernel wants) and knows its output
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
import { GraphNode, SymbolicTensor } from "../graph/symbolic.js";

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

/**
 * One weight array of a layer: its raw values (Keras layout) and, while
 * training, its gradient.
 */
export interface LayerParam {
  /** Keras weight name: "kernel", "bias", "gamma", "moving_mean", ... */
  readonly name: string;
  /** Keras layout: conv kernel [kh, kw, in, out], dense kernel [in, units], bias [units]. */
  readonly shape: readonly number[];
  readonly size: number;
  /** Byte offset of the values in linear memory. */
  readonly value: number;
  /**
   * False for statistics a layer keeps but does not learn (BatchNormalization's
   * moving mean and variance): they get no gradient and no optimizer state.
   */
  readonly trainable: boolean;
  /** Byte offset of the gradient, or 0 while no gradient buffer is planned (inference, non-trainable). */
  grad: number;
}

/** Pointers for one forward call; all byte offsets into the backend's memory. */
export interface ForwardArgs {
  batch: number;
  /** The first input [batch, ...inputShape] (`inputs[0]`). */
  x: number;
  /** Every input, in the order the layer was applied to them (merge layers have several). */
  inputs: readonly number[];
  /** Output activations [batch, ...outputShape] (equal to x for identity layers). */
  y: number;
  /** Shared scratch of at least `scratchFloats(batch)` floats (0 when none is needed). */
  scratch: number;
  /** True inside fit/trainOnBatch (dropout drops, BatchNorm uses batch statistics); false for predict and evaluate. */
  training: boolean;
  /**
   * The activation this call ends with when the model moved it, else null
   * (the layer's own). LINEAR when the model fused the layer's output
   * activation into the loss (softmax or sigmoid + cross-entropy, a rewrite
   * made at compile: write the logits); a following activation layer's when
   * it fused that layer into this one's epilogue (inference).
   */
  activation: ParsedActivation | null;
  /** Inference: the BatchNormalization given to `prepareFold` is folded into this call's weights. */
  folded: boolean;
  /**
   * Inference: the zero padding of a ZeroPadding2D the model moved into this
   * call (see `preparePadding`): `x` is the unpadded image, and this call
   * pads it itself. Null otherwise.
   */
  padding: Padding2D | null;
  /**
   * Inference: a tensor [batch, ...outputShape] this call adds before its
   * activation, for an Add the model fused into it (see `src/graph/rewrite.ts`);
   * 0 otherwise. Only Conv2D is given one.
   */
  residual: number;
  /** The node's own training state, `trainingStateFloats(batch)` floats (0 when none). */
  state: number;
}

/** Rows and columns around an image: [[top, bottom], [left, right]] (ZeroPadding2D, Cropping2D). */
export type Padding2D = readonly [readonly [number, number], readonly [number, number]];

/** A per-channel affine map a layer can fold into its weights (BatchNormalization at inference). */
export interface AffineSource {
  /** Bumped whenever the map changes. */
  readonly weightsVersion: number;
  /** scale and shift per output channel. */
  inferenceAffine(): { scale: Float64Array; shift: Float64Array };
}

/** Pointers for one backward call; all byte offsets into the backend's memory. */
export interface BackwardArgs {
  batch: number;
  /** The first forward input (`inputs[0]`), as the last training forward left it. */
  x: number;
  /** Every forward input. */
  inputs: readonly number[];
  /** The forward output [batch, ...outputShape] (after the activation unless `fusedActivation`). */
  y: number;
  /** Gradient w.r.t. the output; the layer may overwrite it (it is not read again). */
  dy: number;
  /** Where the gradient w.r.t. the first input goes (`dxs[0]`), or 0 when nobody needs it. */
  dx: number;
  /** Where the gradient w.r.t. each input goes, 0 where nobody needs it. */
  dxs: readonly number[];
  /**
   * Per input: add into `dxs[i]` (another reader of that input already wrote
   * its part) instead of writing it. Only set for layers whose
   * `accumulatesInputGradients` is true; otherwise all false.
   */
  accumulate: readonly boolean[];
  /** True when `dy` is already the gradient w.r.t. the values before the output activation (fused loss). */
  fusedActivation: boolean;
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
 * Base class of all layers. A layer is applied to symbolic tensors
 * (`layer.apply(x)`, which infers its output shape) and built by the model
 * that adopts it (which names it and allocates its weights); one layer
 * instance belongs to one model, and applying it twice shares its weights.
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
  /** @internal Every call of this layer on symbolic inputs (two or more when shared). */
  readonly nodes: GraphNode[] = [];
  /** @internal Bumped whenever the raw weights change (setWeights, an optimizer step). */
  weightsVersion = 0;
  protected backend: Backend | null = null;
  private inShapes: readonly (readonly number[])[] | null = null;
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

  /** Shape of the (first) input without the batch dim; throws until applied. */
  get inputShape(): number[] {
    return [...this.requireShapes().inShapes![0]!];
  }

  /** Shapes of every input (merge layers have several); throws until applied. */
  get inputShapes(): number[][] {
    return this.requireShapes().inShapes!.map((s) => [...s]);
  }

  /** Output shape without the batch dim; throws until applied. */
  get outputShape(): number[] {
    return [...this.requireShapes().outShape!];
  }

  /** True once a model built the layer (its weights exist). */
  get built(): boolean {
    return this.backend !== null;
  }

  /** True when the output is the input buffer unchanged (Flatten, Dropout at inference). */
  get isIdentity(): boolean {
    return false;
  }

  /**
   * True when inference may write the output over the first input's buffer
   * (element-wise layers), which the planner does when nothing reads that
   * input afterwards.
   */
  get inPlace(): boolean {
    return false;
  }

  /**
   * Calls the layer on symbolic inputs: infers the output shape and records
   * the call, so a `Model` can be built from its inputs and outputs. A
   * layer applied twice shares its weights (the input shapes must match).
   * @example
   * const x = input({ shape: [28, 28, 1] });
   * const y = new Conv2D({ filters: 6, kernelSize: 5 }).apply(x); // [24, 24, 6]
   * const s = new Add().apply([y, new Conv2D({ filters: 6, kernelSize: 5 }).apply(x)]);
   * @throws {ConfigError} when an input is not a symbolic tensor, or the
   *   number of inputs does not suit the layer.
   * @throws {ShapeError} when the inputs do not fit the layer, or a shared
   *   layer gets shapes other than those of its first call.
   */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const list = Array.isArray(inputs) ? [...(inputs as readonly SymbolicTensor[])] : [inputs as SymbolicTensor];
    list.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        throw new ConfigError(`${this.describe()}: apply expects symbolic tensors (from input() or layer.apply()), ` +
          `got ${String(t)}${Array.isArray(inputs) ? ` at index ${i}` : ""}`);
      }
    });
    const shapes = list.map((t) => t.shape);
    if (this.inShapes === null) {
      const out = this.computeOutputShapes(shapes);
      if (!out.every(isPositiveInt)) {
        throw new ShapeError(`${this.describe()}: input ${shapes.map(formatShape).join(", ")} gives an empty output ${formatShape(out)}`);
      }
      this.inShapes = Object.freeze(shapes.map((s) => Object.freeze([...s])));
      this.outShape = Object.freeze([...out]);
    } else if (shapes.length !== this.inShapes.length ||
               shapes.some((s, i) => formatShape(s) !== formatShape(this.inShapes![i]!))) {
      throw new ShapeError(`${this.describe()}: a shared layer must get the input shapes of its first call ` +
        `(${this.inShapes.map(formatShape).join(", ")}), got ${shapes.map(formatShape).join(", ")}`);
    }
    const node = new GraphNode(this, list, this.outShape!);
    this.nodes.push(node);
    return node.output;
  }

  /** Records the shapes without a call (an InputLayer has no inbound tensors). */
  protected setShapes(inShapes: readonly (readonly number[])[], outShape: readonly number[]): void {
    this.inShapes = Object.freeze(inShapes.map((s) => Object.freeze([...s])));
    this.outShape = Object.freeze([...outShape]);
  }

  /**
   * Output shape for the input shapes (no batch dim). Single-input layers
   * implement `computeOutputShape`; merge layers override this.
   */
  protected computeOutputShapes(inputShapes: readonly (readonly number[])[]): number[] {
    if (inputShapes.length !== 1) {
      throw new ConfigError(`${this.describe()}: takes one input, got ${inputShapes.length}`);
    }
    const shape = inputShapes[0]!;
    if (shape.length === 0 || !shape.every(isPositiveInt)) {
      throw new ShapeError(`${this.describe()}: input shape must be positive integers, got ${JSON.stringify(shape)}`);
    }
    return this.computeOutputShape(shape);
  }

  /** Output shape for an input shape (no batch dim); throws ShapeError when it does not fit. */
  protected abstract computeOutputShape(inputShape: readonly number[]): number[];

  /**
   * Allocates and initialises the weights on `backend`. Called by the model
   * that adopts the layer, after naming it; building twice is an error.
   * @internal
   */
  build(backend: Backend = getBackend()): void {
    if (this.backend !== null) throw new ConfigError(`${this.describe()}: already built`);
    this.requireShapes();
    this.backend = backend;
    try {
      this.allocateParams(this.inShapes![0]!, this.outShape!);
    } catch (e) {
      this.releaseBlocks();
      this.backend = null;
      throw e;
    }
  }

  /** Allocates and initialises the parameters (none by default). */
  protected allocateParams(_inputShape: readonly number[], _outputShape: readonly number[]): void {}

  /**
   * True when backward can add its input gradients into `dxs` (the
   * `accumulate` flags) in the same pass. Where an input fans out, the model
   * then needs no temporary and no extra add for this layer's share.
   */
  get accumulatesInputGradients(): boolean {
    return false;
  }

  /**
   * True when the gradient w.r.t. every input is dy itself (Add). The model
   * may then hand the layer dy as one input's gradient buffer (dxs[i] ===
   * dy: nothing to write) instead of a copy.
   */
  get passesGradientThrough(): boolean {
    return false;
  }

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
   * Backward pass of the last training forward: writes the gradients of the
   * trainable weights (`weights()[i].grad`) and every non-zero `args.dxs[i]`.
   * Every layer that can train overrides it.
   * @throws {ConfigError} for a layer that cannot be trained.
   */
  backward(_args: BackwardArgs): void {
    throw new ConfigError(`${this.describe()}: this layer cannot be trained (it has no backward pass)`);
  }

  /**
   * Applies what the last training forward measured (BatchNormalization's
   * moving statistics), once the step is known good: after the optimizer
   * update, never for a step that diverged. `state` is the node's state.
   */
  commitStep(_state: number): void {}

  /** Floats of per-node training state (a dropout mask, batch statistics) for `batch` samples. */
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

  /** Every weight, trainable or not, in Keras order (kernel, then bias). Empty before build. */
  weights(): LayerParam[] {
    return [];
  }

  /**
   * Layers that can absorb a following BatchNormalization into their
   * weights (Conv2D, Dense) override this: allocate what a folded forward
   * needs (the model calls it while planning; `forward` with `folded`).
   * Returns false when the layer cannot fold.
   */
  prepareFold(_bn: AffineSource): boolean {
    return false;
  }

  /**
   * True for layers whose forward can run with a BatchNormalization folded
   * into their weights (`prepareFold`, `ForwardArgs.folded`) and with a
   * following element-wise activation as their epilogue (`ForwardArgs.activation`).
   */
  get absorbsAffine(): boolean {
    return false;
  }

  /**
   * Layers whose windows can read past the image as zeros (Conv2D,
   * DepthwiseConv2D) override this: get ready to run on the unpadded input
   * of a ZeroPadding2D that read into them (the model calls it while
   * planning an inference; `forward` then gets `padding`). Returns false
   * when the layer cannot.
   */
  preparePadding(_padding: Padding2D): boolean {
    return false;
  }

  /** Floats of the packed copies of the weights the forward kernels read (0 when none). */
  packedFloats(): number {
    return 0;
  }

  /** Re-derives packed forms after the raw values of `weights()` changed (setWeights, an optimizer step). */
  weightsChanged(): void {}

  /** Number of weights, trainable and not (0 for layers without any). */
  countParams(): number {
    this.requireBuilt();
    let n = 0;
    for (const p of this.weights()) n += p.size;
    return n;
  }

  /** Number of trainable weights. */
  countTrainableParams(): number {
    this.requireBuilt();
    let n = 0;
    for (const p of this.weights()) if (p.trainable) n += p.size;
    return n;
  }

  /**
   * Copies of this layer's weights, in Keras order and layout (for
   * BatchNormalization: gamma, beta, moving_mean, moving_variance).
   * @example
   * const [kernel, bias] = model.getLayer("conv2d_1").getWeights();
   * @throws {ConfigError} before the layer is built (added to a model).
   */
  getWeights(): Float32Array[] {
    this.requireBuilt();
    const f32 = this.backend!.arena.f32();
    return this.weights().map((w) => f32.slice(w.value / F32_BYTES, w.value / F32_BYTES + w.size));
  }

  /**
   * Replaces this layer's weights (Keras order, as `getWeights`). Everything
   * is checked before anything is written, so a failed call changes nothing.
   * @example
   * layer.setWeights([kernel, bias]);
   * @throws {ConfigError} before build, or when the number of arrays is wrong.
   * @throws {ShapeError} when an array has the wrong length.
   */
  setWeights(arrays: readonly (Float32Array | readonly number[])[]): void {
    this.requireBuilt();
    const list = this.weights();
    if (!Array.isArray(arrays) || arrays.length !== list.length) {
      throw new ConfigError(`${this.describe()}: setWeights expects ${list.length} arrays ` +
        `(${list.map((w) => w.name).join(", ")}), got ${Array.isArray(arrays) ? arrays.length : String(arrays)}`);
    }
    checkWeightArrays(list.map((w) => ({ layer: this, param: w })), arrays, `${this.describe()}: setWeights`, 0);
    const f32 = this.backend!.arena.f32();
    list.forEach((w, i) => f32.set(arrays[i]!, w.value / F32_BYTES));
    this.weightsVersion++;
    this.weightsChanged();
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

  private requireShapes(): this {
    if (this.outShape === null) {
      throw new ConfigError(`${this.describe()}: not built yet (add it to a model, or apply it to an input)`);
    }
    return this;
  }

  private requireBuilt(): this {
    if (this.backend === null) throw new ConfigError(`${this.describe()}: not built yet (add it to a model)`);
    return this;
  }

  private releaseBlocks(): void {
    if (this.backend !== null) for (const ptr of this.ownedBlocks) this.backend.arena.free(ptr);
    this.ownedBlocks.length = 0;
  }
}

/**
 * Checks that `arrays[i]` fits `params[i]` (a Float32Array or number[] of
 * the right length); `first` numbers the arrays in the message.
 * @throws {ShapeError} naming the layer, the weight and its shape.
 */
export function checkWeightArrays(params: readonly { layer: Layer; param: LayerParam }[],
                                  arrays: readonly unknown[], where: string, first: number): void {
  params.forEach(({ layer, param }, i) => {
    const w = arrays[i];
    const length = w instanceof Float32Array || Array.isArray(w) ? w.length : undefined;
    if (length !== param.size) {
      throw new ShapeError(`${where} array ${first + i} is ${layer.describe()} ${param.name} ` +
        `${formatShape(param.shape)} and needs ${param.size} values, got ${length === undefined ? String(w) : length}`);
    }
  });
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

/**
 * Reads a ZeroPadding2D / Cropping2D amount, as Keras takes it: `n` (every
 * side), `[h, w]` (top and bottom h, left and right w) or
 * `[[top, bottom], [left, right]]`; non-negative integers.
 */
export function padding2d(value: unknown, option: string, where: string): [[number, number], [number, number]] {
  const bad = (): never => {
    throw new ConfigError(`${where}: ${option} must be a non-negative integer, [height, width] or ` +
      `[[top, bottom], [left, right]], got ${JSON.stringify(value)}`);
  };
  const int = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : bad());
  const side = (v: unknown): [number, number] => {
    if (!Array.isArray(v)) return [int(v), int(v)];
    return v.length === 2 ? [int(v[0]), int(v[1])] : bad();
  };
  if (!Array.isArray(value)) return [side(value), side(value)];
  if (value.length !== 2 || Array.isArray(value[0]) !== Array.isArray(value[1])) bad();
  return [side(value[0]), side(value[1])];
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
