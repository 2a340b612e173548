// The whole-model workloads as plain layer lists, plus their Keras-order
// weights. Every contestant builds its own graph from the same list and the
// same weights, so the outputs must agree.

import { randomArray, windowAxis } from "./data.mjs";

/** LeNet-5 as Keras tutorials write it for 28x28 MNIST (max- instead of average-pooling). */
export const LENET5 = {
  name: "LeNet-5",
  inputShape: [28, 28, 1],
  layers: [
    { type: "conv", filters: 6, kernel: 5, padding: "same", activation: "relu" },
    { type: "maxpool", pool: 2 },
    { type: "conv", filters: 16, kernel: 5, padding: "valid", activation: "relu" },
    { type: "maxpool", pool: 2 },
    { type: "flatten" },
    { type: "dense", units: 120, activation: "relu" },
    { type: "dense", units: 84, activation: "relu" },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};

/** A small VGG for 32x32x3 (CIFAR-sized): two conv blocks, then two dense layers. */
export const SMALL_VGG = {
  name: "small VGG",
  inputShape: [32, 32, 3],
  layers: [
    { type: "conv", filters: 32, kernel: 3, padding: "same", activation: "relu" },
    { type: "conv", filters: 32, kernel: 3, padding: "same", activation: "relu" },
    { type: "maxpool", pool: 2 },
    { type: "conv", filters: 64, kernel: 3, padding: "same", activation: "relu" },
    { type: "conv", filters: 64, kernel: 3, padding: "same", activation: "relu" },
    { type: "maxpool", pool: 2 },
    { type: "flatten" },
    { type: "dense", units: 512, activation: "relu" },
    { type: "dense", units: 10, activation: "softmax" },
  ],
};

/**
 * Walks the layer list: each layer annotated with its input shape [h, w, c]
 * (or [features] after flatten), its output shape, its FLOPs per image and
 * (for conv/dense) its Keras weight shapes.
 */
export function describeModel(spec) {
  let shape = spec.inputShape;
  let flops = 0;
  const layers = spec.layers.map((layer) => {
    const input = shape;
    let weightShapes = [];
    if (layer.type === "conv") {
      const [h, w, c] = shape;
      const oh = windowAxis(h, layer.kernel, 1, layer.padding).out;
      const ow = windowAxis(w, layer.kernel, 1, layer.padding).out;
      shape = [oh, ow, layer.filters];
      flops += 2 * oh * ow * layer.filters * layer.kernel * layer.kernel * c;
      weightShapes = [[layer.kernel, layer.kernel, c, layer.filters], [layer.filters]];
    } else if (layer.type === "maxpool") {
      const [h, w, c] = shape;
      shape = [Math.floor(h / layer.pool), Math.floor(w / layer.pool), c];
    } else if (layer.type === "flatten") {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (layer.type === "dense") {
      flops += 2 * shape[0] * layer.units;
      weightShapes = [[shape[0], layer.units], [layer.units]];
      shape = [layer.units];
    } else {
      throw new Error(`bench model '${spec.name}': unknown layer type ${layer.type}`);
    }
    return { ...layer, input, output: shape, weightShapes };
  });
  return { ...spec, layers, outputShape: shape, flopsPerImage: flops };
}

/**
 * Keras-order weights (kernel, bias per conv/dense layer), He-scaled so
 * activations neither vanish nor explode through the stack.
 */
export function modelWeights(described, seed) {
  const weights = [];
  for (const layer of described.layers) {
    if (layer.weightShapes.length === 0) continue;
    const [kernelShape, biasShape] = layer.weightShapes;
    const fanIn = kernelShape.slice(0, -1).reduce((a, b) => a * b, 1);
    const size = kernelShape.reduce((a, b) => a * b, 1);
    weights.push(randomArray(size, seed++, Math.sqrt(6 / fanIn)));
    weights.push(randomArray(biasShape[0], seed++, 0.1));
  }
  return weights;
}
