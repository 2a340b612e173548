// THE layer registry: Keras/tfjs className -> constructor. Serialization
// (save/load) and the `LayerType` union derive from this one table, so a new
// layer is one file plus one line here (ConvNetJS registered layers twice and
// the two lists drifted). Sigmoid and Tanh serialize as Keras' generic
// `Activation` layer, so they need no line of their own.

import { Activation, LeakyReLU, ReLU, Softmax } from "./activation.js";
import { Conv2D } from "./conv2d.js";
import { Conv2DTranspose } from "./conv2d-transpose.js";
import { DepthwiseConv2D } from "./depthwise-conv2d.js";
import { Dense } from "./dense.js";
import { Dropout } from "./dropout.js";
import { Flatten } from "./flatten.js";
import type { Layer } from "./layer.js";
import { AvgPool2D, GlobalAvgPool2D, GlobalMaxPool2D, MaxPool2D } from "./pooling.js";
import { Cropping2D, ZeroPadding2D } from "./padding.js";
import { Reshape } from "./reshape.js";
import { UpSampling2D } from "./upsampling.js";
import { Add, Average, Maximum, Multiply } from "./merge.js";
import { BatchNormalization } from "./batch-normalization.js";
import { Concatenate } from "./concatenate.js";
import { SeparableConv2D } from "./separable-conv2d.js";
import { InputLayer } from "./input-layer.js";

export const LAYER_REGISTRY = {
  InputLayer,
  Conv2D,
  DepthwiseConv2D,
  MaxPooling2D: MaxPool2D,
  AveragePooling2D: AvgPool2D,
  GlobalAveragePooling2D: GlobalAvgPool2D,
  GlobalMaxPooling2D: GlobalMaxPool2D,
  ZeroPadding2D,
  Cropping2D,
  UpSampling2D,
  Flatten,
  Reshape,
  Dense,
  Activation,
  ReLU,
  LeakyReLU,
  Softmax,
  Dropout,
  BatchNormalization,
  Add,
  Multiply,
  Average,
  Maximum,
  Concatenate,
  SeparableConv2D,
  Conv2DTranspose,
} as const satisfies Record<string, new (config: never) => Layer>;

/** Every serializable layer class name (the Keras/tfjs `className`). */
export type LayerType = keyof typeof LAYER_REGISTRY;

/** True when `name` is a registered layer class name. */
export function isLayerType(name: string): name is LayerType {
  return Object.prototype.hasOwnProperty.call(LAYER_REGISTRY, name);
}
