// The whole-model workloads as plain layer lists (or, for ResNet-8, a graph
// of named nodes), plus their Keras-order weights. Every contestant builds
// its own graph from the same list and the same weights, so the outputs
// must agree.

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
  if (spec.graph) return describeGraph(spec);
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
  if (described.graph) return graphWeights(described, seed);
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

// ---- graph models (functional API) ------------------------------------------
//
// A graph model is a list of named nodes, each naming its inputs ("input" is
// the model input), in an order where every input comes first. Contestants
// build it with their functional API (simdcnn input()/apply()/Model,
// tfjs-layers tf.model, an ONNX graph) and set weights layer by layer, by
// name, so no library's own layer order matters.

/**
 * ResNet-8 for 32x32x3 (the CIFAR ResNet of He et al. with one basic block
 * per stage): stem conv3x3 16 (no bias) + BN + ReLU; stages of 16, 32, 64
 * filters, each one block conv3x3-BN-ReLU-conv3x3-BN + shortcut, Add, ReLU;
 * stages 2 and 3 start with stride 2 and a 1x1 stride-2 conv + BN shortcut;
 * global average pooling; Dense 10 softmax.
 */
export const RESNET8 = (() => {
  const nodes = [];
  const push = (node) => (nodes.push(node), node.name);
  const convBn = (x, name, filters, kernel, strides) => {
    const conv = push({ name: `${name}_conv`, type: "conv", inputs: [x], filters, kernel, strides, padding: "same", useBias: false });
    return push({ name: `${name}_bn`, type: "bn", inputs: [conv] });
  };
  const relu = (x, name) => push({ name, type: "relu", inputs: [x] });
  let x = relu(convBn("input", "stem", 16, 3, 1), "stem_relu");
  [[16, 1], [32, 2], [64, 2]].forEach(([filters, strides], i) => {
    const stage = `stage${i + 1}`;
    let y = relu(convBn(x, `${stage}_a`, filters, 3, strides), `${stage}_a_relu`);
    y = convBn(y, `${stage}_b`, filters, 3, 1);
    const shortcut = strides === 1 ? x : convBn(x, `${stage}_proj`, filters, 1, strides);
    x = relu(push({ name: `${stage}_add`, type: "add", inputs: [y, shortcut] }), `${stage}_out`);
  });
  x = push({ name: "gap", type: "gap", inputs: [x] });
  push({ name: "logits", type: "dense", inputs: [x], units: 10, activation: "softmax" });
  return { name: "ResNet-8", inputShape: [32, 32, 3], graph: true, nodes };
})();

/** Keras' _make_divisible: channel counts rounded to a multiple of 8, never below 90% of `v`. */
function makeDivisible(v, divisor = 8) {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

/**
 * MobileNetV2 (Sandler et al.) as keras.applications builds it, with its
 * layer names: stem Conv1 3x3 stride 2 + BN + ReLU6; 17 inverted-residual
 * blocks (1x1 expand + BN + ReLU6, an explicit ZeroPadding2D before each
 * stride-2 3x3 depthwise 'valid', else depthwise 'same', + BN + ReLU6, 1x1
 * project + BN, Add when shapes allow); Conv_1 1x1 to 1280 + BN + ReLU6;
 * global average pooling; Dense `classes` softmax. Keras' BatchNorm epsilon
 * is 1e-3 as everywhere here (MobileNetV2's own is also 1e-3).
 */
export function mobileNetV2({ alpha = 1, size = 224, classes = 1000 } = {}) {
  const nodes = [];
  const push = (node) => (nodes.push(node), node.name);
  const bn = (x, name) => push({ name, type: "bn", inputs: [x] });
  const relu6 = (x, name) => push({ name, type: "relu6", inputs: [x] });
  const conv1x1 = (x, name, filters) =>
    push({ name, type: "conv", inputs: [x], filters, kernel: 1, strides: 1, padding: "same", useBias: false });
  let channels = makeDivisible(32 * alpha);
  let x = push({ name: "Conv1", type: "conv", inputs: ["input"], filters: channels, kernel: 3, strides: 2, padding: "same", useBias: false });
  x = relu6(bn(x, "bn_Conv1"), "Conv1_relu");
  let spatial = Math.ceil(size / 2);
  const blocks = [[16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6],
    [64, 1, 6], [64, 1, 6], [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6]];
  blocks.forEach(([filters, stride, expansion], id) => {
    const prefix = id === 0 ? "expanded_conv_" : `block_${id}_`;
    const out = makeDivisible(filters * alpha);
    let y = x;
    if (id > 0) y = relu6(bn(conv1x1(y, `${prefix}expand`, expansion * channels), `${prefix}expand_BN`), `${prefix}expand_relu`);
    if (stride === 2) {
      // keras.applications' correct_pad: one more row/column after than before on even sizes.
      const even = 1 - (spatial % 2);
      y = push({ name: `${prefix}pad`, type: "zeropad", inputs: [y], padding: [[1 - even, 1], [1 - even, 1]] });
    }
    y = push({ name: `${prefix}depthwise`, type: "dwconv", inputs: [y], kernel: 3, strides: stride,
      padding: stride === 1 ? "same" : "valid", useBias: false });
    y = relu6(bn(y, `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
    y = bn(conv1x1(y, `${prefix}project`, out), `${prefix}project_BN`);
    if (stride === 1 && out === channels) y = push({ name: `${prefix}add`, type: "add", inputs: [x, y] });
    if (stride === 2) spatial = Math.ceil(spatial / 2);
    channels = out;
    x = y;
  });
  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = relu6(bn(conv1x1(x, "Conv_1", last), "Conv_1_bn"), "out_relu");
  x = push({ name: "global_average_pooling2d", type: "gap", inputs: [x] });
  push({ name: "predictions", type: "dense", inputs: [x], units: classes, activation: "softmax" });
  return { name: `MobileNetV2 ${alpha} ${size}x${size}`, inputShape: [size, size, 3], graph: true, nodes };
}

/** Keras' BatchNormalization epsilon, which every contestant uses. */
export const BN_EPSILON = 1e-3;

/** describeModel for a graph spec: each node gets input/output shapes and weight shapes; FLOPs per image. */
function describeGraph(spec) {
  const shapes = new Map([["input", spec.inputShape]]);
  let flops = 0;
  const nodes = spec.nodes.map((node) => {
    const ins = node.inputs.map((name) => {
      const s = shapes.get(name);
      if (!s) throw new Error(`bench model '${spec.name}': node ${node.name} reads ${name} before it exists`);
      return s;
    });
    const [input] = ins;
    let output = input;
    let weightShapes = [];
    if (node.type === "conv") {
      const [h, w, c] = input;
      const oh = windowAxis(h, node.kernel, node.strides, node.padding).out;
      const ow = windowAxis(w, node.kernel, node.strides, node.padding).out;
      output = [oh, ow, node.filters];
      flops += 2 * oh * ow * node.filters * node.kernel * node.kernel * c;
      weightShapes = [[node.kernel, node.kernel, c, node.filters], ...(node.useBias ? [[node.filters]] : [])];
    } else if (node.type === "dwconv") {
      const [h, w, c] = input;
      const oh = windowAxis(h, node.kernel, node.strides, node.padding).out;
      const ow = windowAxis(w, node.kernel, node.strides, node.padding).out;
      output = [oh, ow, c];
      flops += 2 * oh * ow * c * node.kernel * node.kernel;
      weightShapes = [[node.kernel, node.kernel, c, 1], ...(node.useBias ? [[c]] : [])];
    } else if (node.type === "zeropad") {
      const [[top, bottom], [left, right]] = node.padding;
      output = [input[0] + top + bottom, input[1] + left + right, input[2]];
    } else if (node.type === "bn") {
      const c = input[input.length - 1];
      weightShapes = [[c], [c], [c], [c]]; // gamma, beta, moving_mean, moving_variance
    } else if (node.type === "add") {
      if (ins.some((s) => s.join() !== input.join())) throw new Error(`bench model '${spec.name}': ${node.name} adds shapes ${ins.join(" / ")}`);
    } else if (node.type === "gap") {
      output = [input[2]];
    } else if (node.type === "dense") {
      flops += 2 * input[0] * node.units;
      weightShapes = [[input[0], node.units], [node.units]];
      output = [node.units];
    } else if (node.type !== "relu" && node.type !== "relu6") {
      throw new Error(`bench model '${spec.name}': unknown node type ${node.type}`);
    }
    shapes.set(node.name, output);
    return { ...node, input, output, weightShapes };
  });
  return { ...spec, nodes, outputShape: nodes[nodes.length - 1].output, flopsPerImage: flops };
}

/**
 * Weights of a graph spec, node by node in Keras order per layer: conv and
 * dense kernels He-scaled, BatchNorm with statistics away from 0 and 1
 * (gamma 1 ± 0.2, beta ± 0.1, moving_mean ± 0.2, moving_variance 1 ± 0.4),
 * so folding them wrongly shows in the outputs.
 */
function graphWeights(described, seed) {
  const weights = [];
  for (const node of described.nodes) {
    if (node.type === "bn") {
      const c = node.weightShapes[0][0];
      const around = (center, scale) => randomArray(c, seed++, scale).map((v) => center + v);
      weights.push(around(1, 0.2), around(0, 0.1), around(0, 0.2), around(1, 0.4));
    } else if (node.weightShapes.length > 0) {
      const [kernelShape, biasShape] = node.weightShapes;
      // A depthwise filter sees one channel: its fan-in is its window.
      const fanIn = kernelShape.slice(0, node.type === "dwconv" ? -2 : -1).reduce((a, b) => a * b, 1);
      weights.push(randomArray(kernelShape.reduce((a, b) => a * b, 1), seed++, Math.sqrt(6 / fanIn)));
      if (biasShape) weights.push(randomArray(biasShape[0], seed++, 0.1));
    }
  }
  return weights;
}

/** Splits a flat weight list into { node, arrays } per node that has weights, in node order. */
export function weightsByNode(described, weights) {
  const out = [];
  let k = 0;
  for (const node of described.nodes) {
    const n = node.weightShapes.length;
    if (n === 0) continue;
    out.push({ node, arrays: weights.slice(k, k + n) });
    k += n;
  }
  if (k !== weights.length) throw new Error(`bench model '${described.name}': ${weights.length} weight arrays, want ${k}`);
  return out;
}
