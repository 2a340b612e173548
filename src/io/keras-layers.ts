// Keras JSON <-> simdcnn, per layer: one entry per registered layer class,
// keyed by the registry's class names (the mapped type below makes a layer
// added to src/layers/registry.ts without an entry here a compile error, so
// the two cannot drift). Each entry says how to write the layer's Keras
// config (snake_case), how to read one back into our constructor's config,
// and which weights (name, shape) the layer will hold once applied — known
// before anything is allocated, so a file's weights can be checked first.

import type { Activation, LeakyReLU, ReLU } from "../layers/activation.js";
import type { BatchNormalization } from "../layers/batch-normalization.js";
import type { Conv2D } from "../layers/conv2d.js";
import type { Conv2DTranspose } from "../layers/conv2d-transpose.js";
import type { Dense } from "../layers/dense.js";
import type { DepthwiseConv2D } from "../layers/depthwise-conv2d.js";
import type { SeparableConv2D } from "../layers/separable-conv2d.js";
import { padding2d, type Layer, type Padding2D } from "../layers/layer.js";
import { LAYER_REGISTRY, type LayerType } from "../layers/registry.js";
import { activationFromKeras, activationToKeras, initializerFromKeras, initializerToKeras } from "./keras-names.js";
import { describeJson, fail, isObject, KerasConfig, MAX_DIM, readArray, readBatchShape, readInt } from "./json-read.js";

type Registry = typeof LAYER_REGISTRY;
type LayerOf<K extends LayerType> = InstanceType<Registry[K]>;
type ConfigOf<K extends LayerType> = Exclude<ConstructorParameters<Registry[K]>[0], undefined>;

/** A weight a layer will hold: its Keras name and shape. */
export interface WeightShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/** How one layer is written as Keras JSON. */
export interface KerasLayerOut {
  /** The Keras class to write, when not the layer's own (an `Activation('leakyRelu')` is a `LeakyReLU`). */
  className?: LayerType;
  /** snake_case keys; the writer adds `name`, `trainable` and `dtype`. */
  config: Record<string, unknown>;
  /**
   * Set when the layer ends in leakyRelu, which Keras cannot say as an
   * activation string: the layer is written linear and a LeakyReLU layer
   * with this slope follows it.
   */
  leakyAlpha?: number;
}

/** The Keras side of one layer class. */
export interface KerasCodec<K extends LayerType> {
  save(layer: LayerOf<K>): KerasLayerOut;
  /** Our constructor's config (without name) from a Keras config; `inputs` are the shapes of the layer's first call. */
  load(c: KerasConfig, inputs: readonly (readonly number[])[]): ConfigOf<K>;
  /** The weights, in `weights()` order, of the layer applied to `inputs` (before it is built). */
  weightShapes?(layer: LayerOf<K>, inputs: readonly (readonly number[])[]): WeightShape[];
}

const channelsLast = (c: KerasConfig): void =>
  c.expect("data_format", (v) => v === "channels_last", "data_format 'channels_last'");
const NO_REGULARIZERS = {
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
};

function activationOf(c: KerasConfig): { activation: ReturnType<typeof activationFromKeras>["activation"]; alpha?: number } {
  // Keras 3 writes a layer's dtype as a DTypePolicy object; Keras 2 and tfjs as a string.
  return activationFromKeras(c.get("activation"), c.where("activation"), isObject(c.get("dtype")));
}

/** Keras counts the batch axis: 1..rank or -rank..-1 of the sample shape. */
function kerasAxis(c: KerasConfig, key: string, fallback: number, rank: number): number {
  let v = c.get(key);
  if (Array.isArray(v) && v.length === 1) v = v[0]; // Keras 2's BatchNormalization writes [3]
  if (v === undefined || v === null) return fallback;
  const axis = readInt(v, c.where(key), -rank, rank);
  if (axis === 0) fail(c.where(key), "the batch axis (0) is not supported");
  return axis;
}

const poolCodec = {
  save: (l: LayerOf<"MaxPooling2D"> | LayerOf<"AveragePooling2D">): KerasLayerOut => ({
    config: { pool_size: [...l.poolSize], strides: [...l.strides], padding: l.padding, data_format: "channels_last" },
  }),
  load: (c: KerasConfig) => {
    channelsLast(c);
    const poolSize = c.pair("pool_size", [2, 2]);
    return { poolSize, strides: c.pair("strides", poolSize), padding: c.oneOf("padding", ["valid", "same"], "valid") };
  },
};

/** ZeroPadding2D's and Cropping2D's amounts, written as Keras does: [[top, bottom], [left, right]]. */
const pairsOut = (p: Padding2D): number[][] => [[...p[0]], [...p[1]]];

/** Reads an amount in any of Keras' three forms (n, [h, w], [[top, bottom], [left, right]]). */
function pairsIn(c: KerasConfig, key: string, fallback: number): [[number, number], [number, number]] {
  const v = c.has(key) ? c.get(key) : fallback;
  try {
    return padding2d(v, key, c.where(key));
  } catch {
    return fail(c.where(key), `expected a non-negative integer, [height, width] or [[top, bottom], [left, right]], ` +
      `got ${describeJson(v)}`);
  }
}

const globalPoolCodec = {
  save: (): KerasLayerOut => ({ config: { data_format: "channels_last" } }),
  load: (c: KerasConfig) => {
    channelsLast(c);
    c.expect("keepdims", (v) => v === false, "keepdims false");
    return {};
  },
};

const noConfig = { save: (): KerasLayerOut => ({ config: {} }), load: () => ({}) };

/** THE table: Keras JSON for every registered layer class. */
export const KERAS_LAYERS: { readonly [K in LayerType]: KerasCodec<K> } = {
  InputLayer: {
    save: (l) => ({ config: { batch_input_shape: [null, ...l.shape], sparse: false } }),
    load: (c) => {
      c.expect("sparse", (v) => v === false, "dense inputs");
      c.expect("ragged", (v) => v === false, "dense inputs");
      const key = c.has("batch_shape") ? "batch_shape" : "batch_input_shape";
      if (!c.has(key)) fail(c.path, "an InputLayer needs batch_input_shape (Keras 2, tfjs) or batch_shape (Keras 3)");
      return { shape: readBatchShape(c.get(key), c.where(key)) };
    },
  },
  Conv2D: {
    save: (l: Conv2D) => {
      const { activation, leakyAlpha } = activationToKeras(l.activation);
      return {
        leakyAlpha,
        config: {
          filters: l.filters, kernel_size: [...l.kernelSize], strides: [...l.strides], padding: l.padding,
          data_format: "channels_last", dilation_rate: [...l.dilationRate], groups: 1, activation, use_bias: l.useBias,
          kernel_initializer: initializerToKeras(l.kernelInitializer), bias_initializer: initializerToKeras(l.biasInitializer),
          ...NO_REGULARIZERS,
        },
      };
    },
    load: (c) => {
      channelsLast(c);
      c.expect("groups", (v) => v === 1, "groups 1");
      c.expect("lora_rank", () => false, "no LoRA");
      return {
        filters: c.int("filters", NaN), kernelSize: c.pair("kernel_size", [3, 3]), strides: c.pair("strides", [1, 1]),
        padding: c.oneOf("padding", ["valid", "same"], "valid"), dilationRate: c.pair("dilation_rate", [1, 1]),
        ...activationOf(c), useBias: c.bool("use_bias", true),
        kernelInitializer: initializerFromKeras(c.get("kernel_initializer"), "glorotUniform"),
        biasInitializer: initializerFromKeras(c.get("bias_initializer"), "zeros"),
      };
    },
    weightShapes: (l: Conv2D, [x]) => {
      const shapes = [{ name: "kernel", shape: [...l.kernelSize, x![2]!, l.filters] }];
      return l.useBias ? [...shapes, { name: "bias", shape: [l.filters] }] : shapes;
    },
  },
  DepthwiseConv2D: {
    save: (l: DepthwiseConv2D) => {
      const { activation, leakyAlpha } = activationToKeras(l.activation);
      return {
        leakyAlpha,
        config: {
          kernel_size: [...l.kernelSize], strides: [...l.strides], padding: l.padding, data_format: "channels_last",
          depth_multiplier: l.depthMultiplier, dilation_rate: [...l.dilationRate], activation, use_bias: l.useBias,
          depthwise_initializer: initializerToKeras(l.depthwiseInitializer),
          bias_initializer: initializerToKeras(l.biasInitializer),
          depthwise_regularizer: null, bias_regularizer: null, activity_regularizer: null,
          depthwise_constraint: null, bias_constraint: null,
        },
      };
    },
    load: (c) => {
      channelsLast(c);
      return {
        kernelSize: c.pair("kernel_size", [3, 3]), strides: c.pair("strides", [1, 1]),
        padding: c.oneOf("padding", ["valid", "same"], "valid"), depthMultiplier: c.int("depth_multiplier", 1),
        dilationRate: c.pair("dilation_rate", [1, 1]), ...activationOf(c), useBias: c.bool("use_bias", true),
        depthwiseInitializer: initializerFromKeras(c.get("depthwise_initializer"), "glorotUniform"),
        biasInitializer: initializerFromKeras(c.get("bias_initializer"), "zeros"),
      };
    },
    weightShapes: (l: DepthwiseConv2D, [x]) => {
      const shapes = [{ name: "depthwise_kernel", shape: [...l.kernelSize, x![2]!, l.depthMultiplier] }];
      return l.useBias ? [...shapes, { name: "bias", shape: [x![2]! * l.depthMultiplier] }] : shapes;
    },
  },
  SeparableConv2D: {
    save: (l: SeparableConv2D) => {
      const { activation, leakyAlpha } = activationToKeras(l.activation);
      return {
        leakyAlpha,
        config: {
          filters: l.filters, kernel_size: [...l.kernelSize], strides: [...l.strides], padding: l.padding,
          data_format: "channels_last", depth_multiplier: l.depthMultiplier, dilation_rate: [...l.dilationRate],
          activation, use_bias: l.useBias, depthwise_initializer: initializerToKeras(l.depthwiseInitializer),
          pointwise_initializer: initializerToKeras(l.pointwiseInitializer),
          bias_initializer: initializerToKeras(l.biasInitializer),
          depthwise_regularizer: null, pointwise_regularizer: null, bias_regularizer: null, activity_regularizer: null,
          depthwise_constraint: null, pointwise_constraint: null, bias_constraint: null,
        },
      };
    },
    load: (c) => {
      channelsLast(c);
      return {
        filters: c.int("filters", NaN), kernelSize: c.pair("kernel_size", [3, 3]), strides: c.pair("strides", [1, 1]),
        padding: c.oneOf("padding", ["valid", "same"], "valid"), depthMultiplier: c.int("depth_multiplier", 1),
        dilationRate: c.pair("dilation_rate", [1, 1]), ...activationOf(c), useBias: c.bool("use_bias", true),
        depthwiseInitializer: initializerFromKeras(c.get("depthwise_initializer"), "glorotUniform"),
        pointwiseInitializer: initializerFromKeras(c.get("pointwise_initializer"), "glorotUniform"),
        biasInitializer: initializerFromKeras(c.get("bias_initializer"), "zeros"),
      };
    },
    weightShapes: (l: SeparableConv2D, [x]) => {
      const middle = x![2]! * l.depthMultiplier;
      const shapes = [
        { name: "depthwise_kernel", shape: [...l.kernelSize, x![2]!, l.depthMultiplier] },
        { name: "pointwise_kernel", shape: [1, 1, middle, l.filters] },
      ];
      return l.useBias ? [...shapes, { name: "bias", shape: [l.filters] }] : shapes;
    },
  },
  Conv2DTranspose: {
    save: (l: Conv2DTranspose) => {
      const { activation, leakyAlpha } = activationToKeras(l.activation);
      return {
        leakyAlpha,
        config: {
          filters: l.filters, kernel_size: [...l.kernelSize], strides: [...l.strides], padding: l.padding,
          output_padding: l.outputPadding && [...l.outputPadding], data_format: "channels_last", dilation_rate: [1, 1], activation, use_bias: l.useBias,
          kernel_initializer: initializerToKeras(l.kernelInitializer), bias_initializer: initializerToKeras(l.biasInitializer),
          ...NO_REGULARIZERS,
        },
      };
    },
    load: (c) => {
      channelsLast(c);
      c.expect("groups", (v) => v === 1, "groups 1");
      if (c.pair("dilation_rate", [1, 1]).some((d) => d !== 1)) {
        fail(c.where("dilation_rate"), `${describeJson(c.get("dilation_rate"))} is not supported: simdcnn implements dilation_rate 1 only`);
      }
      return {
        filters: c.int("filters", NaN), kernelSize: c.pair("kernel_size", [3, 3]), strides: c.pair("strides", [1, 1]),
        padding: c.oneOf("padding", ["valid", "same"], "valid"),
        outputPadding: c.has("output_padding") ? c.pair("output_padding", [0, 0], 0) : null,
        ...activationOf(c), useBias: c.bool("use_bias", true),
        kernelInitializer: initializerFromKeras(c.get("kernel_initializer"), "glorotUniform"),
        biasInitializer: initializerFromKeras(c.get("bias_initializer"), "zeros"),
      };
    },
    weightShapes: (l: Conv2DTranspose, [x]) => {
      const shapes = [{ name: "kernel", shape: [...l.kernelSize, l.filters, x![2]!] }];
      return l.useBias ? [...shapes, { name: "bias", shape: [l.filters] }] : shapes;
    },
  },
  MaxPooling2D: poolCodec,
  AveragePooling2D: poolCodec,
  GlobalAveragePooling2D: globalPoolCodec,
  GlobalMaxPooling2D: globalPoolCodec,
  ZeroPadding2D: {
    save: (l) => ({ config: { padding: pairsOut(l.padding), data_format: "channels_last" } }),
    load: (c) => {
      channelsLast(c);
      return { padding: pairsIn(c, "padding", 1) };
    },
  },
  Cropping2D: {
    save: (l) => ({ config: { cropping: pairsOut(l.cropping), data_format: "channels_last" } }),
    load: (c) => {
      channelsLast(c);
      return { cropping: pairsIn(c, "cropping", 0) };
    },
  },
  UpSampling2D: {
    save: (l) => ({ config: { size: [...l.size], data_format: "channels_last", interpolation: l.interpolation } }),
    load: (c) => {
      channelsLast(c);
      return { size: c.pair("size", [2, 2]), interpolation: c.oneOf("interpolation", ["nearest"], "nearest") };
    },
  },
  Flatten: {
    save: () => ({ config: { data_format: "channels_last" } }),
    load: (c) => {
      channelsLast(c);
      return {};
    },
  },
  Reshape: {
    save: (l) => ({ config: { target_shape: [...l.targetShape] } }),
    load: (c) => {
      const where = c.where("target_shape");
      if (!c.has("target_shape")) fail(where, "a Reshape layer needs a target_shape");
      // The inferred dimension is -1 in Keras 2, null in tfjs' and Keras 3's files.
      const dims = readArray(c.get("target_shape"), where);
      return { targetShape: dims.map((v, i) => (v === null ? -1 : readInt(v, `${where}[${i}]`, -1, MAX_DIM))) };
    },
  },
  Dense: {
    save: (l: Dense) => {
      const { activation, leakyAlpha } = activationToKeras(l.activation);
      return {
        leakyAlpha,
        config: {
          units: l.units, activation, use_bias: l.useBias, kernel_initializer: initializerToKeras(l.kernelInitializer),
          bias_initializer: initializerToKeras(l.biasInitializer), ...NO_REGULARIZERS,
        },
      };
    },
    load: (c) => {
      c.expect("lora_rank", () => false, "no LoRA");
      return {
        units: c.int("units", NaN), ...activationOf(c), useBias: c.bool("use_bias", true),
        kernelInitializer: initializerFromKeras(c.get("kernel_initializer"), "glorotUniform"),
        biasInitializer: initializerFromKeras(c.get("bias_initializer"), "zeros"),
      };
    },
    weightShapes: (l: Dense, [x]) => {
      const shapes = [{ name: "kernel", shape: [x![x!.length - 1]!, l.units] }];
      return l.useBias ? [...shapes, { name: "bias", shape: [l.units] }] : shapes;
    },
  },
  Activation: {
    save: (l: Activation) => l.activation.name === "leakyRelu"
      ? { className: "LeakyReLU", config: { alpha: l.activation.alpha } }
      : { config: { activation: l.activation.name } },
    load: (c) => {
      if (!c.has("activation")) fail(c.where("activation"), "an Activation layer needs an activation");
      return activationOf(c);
    },
  },
  ReLU: {
    // Keras writes all three keys. tfjs-layers reads max_value only and would silently drop a
    // slope, so a sloped ReLU is written as the LeakyReLU it is, which both read.
    save: (l: ReLU) => l.negativeSlope !== 0
      ? { className: "LeakyReLU", config: { alpha: l.negativeSlope } }
      : { config: { max_value: l.maxValue, negative_slope: 0, threshold: 0 } },
    load: (c) => {
      c.expect("threshold", (v) => v === 0, "threshold 0");
      const maxValue = c.has("max_value") ? c.number("max_value", NaN) : null;
      const negativeSlope = c.number("negative_slope", 0);
      if (maxValue !== null && maxValue < 0) fail(c.where("max_value"), `${maxValue} is not supported: it must be >= 0`);
      if (negativeSlope < 0) fail(c.where("negative_slope"), `${negativeSlope} is not supported: it must be >= 0`);
      if (maxValue !== null && negativeSlope !== 0) {
        fail(c.where("negative_slope"), `${negativeSlope} together with max_value ${maxValue} is not supported: ` +
          "simdcnn implements a capped or a leaky ReLU, not both");
      }
      return { maxValue, negativeSlope };
    },
  },
  LeakyReLU: {
    save: (l: LeakyReLU) => ({ config: { alpha: l.activation.alpha } }),
    // Keras 3 calls the slope negative_slope (its default 0.2 is always written); Keras 2 and tfjs alpha (0.3).
    load: (c) => ({ alpha: c.has("negative_slope") ? c.number("negative_slope", 0.3) : c.number("alpha", 0.3) }),
  },
  Softmax: {
    save: () => ({ config: { axis: -1 } }),
    load: (c, [x]) => {
      const rank = x!.length;
      const axis = kerasAxis(c, "axis", -1, rank);
      if (axis !== -1 && axis !== rank) fail(c.where("axis"), `softmax over axis ${axis} is not supported: only the last axis (-1 or ${rank})`);
      return {};
    },
  },
  Dropout: {
    save: (l) => ({ config: { rate: l.rate, noise_shape: null, seed: l.seed ?? null } }),
    load: (c) => {
      const rate = c.number("rate", NaN);
      const seed = c.get("seed");
      return { rate, seed: typeof seed === "number" && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : undefined };
    },
  },
  BatchNormalization: {
    save: (l: BatchNormalization) => ({
      config: {
        axis: l.axis, momentum: l.momentum, epsilon: l.epsilon, center: l.center, scale: l.scale,
        beta_initializer: initializerToKeras("zeros"), gamma_initializer: initializerToKeras("ones"),
        moving_mean_initializer: initializerToKeras("zeros"), moving_variance_initializer: initializerToKeras("ones"),
        beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
      },
    }),
    load: (c, [x]) => {
      c.expect("renorm", (v) => v === false, "renorm false");
      c.expect("virtual_batch_size", () => false, "no virtual batches");
      return {
        axis: kerasAxis(c, "axis", -1, x!.length), momentum: c.number("momentum", 0.99), epsilon: c.number("epsilon", 1e-3),
        center: c.bool("center", true), scale: c.bool("scale", true),
      };
    },
    weightShapes: (l: BatchNormalization, [x]) => {
      const a = l.axis < 0 ? x!.length + l.axis : l.axis - 1;
      const shape = [x![a]!];
      return [
        ...(l.scale ? [{ name: "gamma", shape }] : []), ...(l.center ? [{ name: "beta", shape }] : []),
        { name: "moving_mean", shape }, { name: "moving_variance", shape },
      ];
    },
  },
  Add: noConfig,
  Multiply: noConfig,
  Average: noConfig,
  Maximum: noConfig,
  Concatenate: {
    save: (l) => ({ config: { axis: l.axis } }),
    load: (c, [x]) => ({ axis: kerasAxis(c, "axis", -1, x!.length) }),
  },
};

/** The codec of a layer instance (by its className, which is a registry key for every serializable layer). */
export function codecOf(layer: Layer): KerasCodec<LayerType> | undefined {
  const name = layer.className;
  return Object.prototype.hasOwnProperty.call(KERAS_LAYERS, name)
    ? (KERAS_LAYERS[name as LayerType] as KerasCodec<LayerType>) : undefined;
}

/** Keras class names read as one of ours (Keras 3 / tfjs aliases of a registered class). */
export const KERAS_CLASS_ALIASES: Readonly<Record<string, LayerType>> = {
  MaxPool2D: "MaxPooling2D", AvgPool2D: "AveragePooling2D", GlobalAvgPool2D: "GlobalAveragePooling2D",
  GlobalMaxPool2D: "GlobalMaxPooling2D",
};

export { describeJson };
