// TensorFlow.js models from the bench specs (models.mjs), given tfjs-core
// (`tf`) and tfjs-layers (`L`) as arguments: no Node imports, so the
// browser bench page (bench/browser/) bundles the same builders the Node
// bench's TF.js contestants use (peer-tfjs.mjs, train-tfjs.mjs).

import { BN_EPSILON, weightsByNode } from "./models.mjs";

function tfActivation(act) {
  return act === "softmax" ? "linear" : act;
}

/** One conv/pool/dense stack as tf ops; `x` is an NHWC tensor, `weights` tensors in Keras order. */
export function tfForward(tf, spec, weights, x, batch) {
  let h = x;
  let w = 0;
  for (const layer of spec.layers) {
    if (layer.type === "conv") {
      h = tf.fused.conv2d({
        x: h, filter: weights[w++], bias: weights[w++], strides: 1, pad: layer.padding,
        activation: tfActivation(layer.activation),
      });
    } else if (layer.type === "maxpool") {
      h = tf.maxPool(h, layer.pool, layer.pool, "valid");
    } else if (layer.type === "flatten") {
      h = tf.reshape(h, [batch, -1]);
    } else if (layer.type === "dense") {
      h = tf.fused.matMul({ a: h, b: weights[w++], bias: weights[w++], activation: tfActivation(layer.activation) });
    }
    if (layer.activation === "softmax") h = tf.softmax(h);
  }
  return h;
}

/**
 * A graph spec (models.mjs) as a tfjs-layers functional model (L.input,
 * layer.apply, L.model; `L` is tfjs-layers), on the current backend, with
 * the spec's node names as layer names.
 */
export function tfGraphModel(L, spec) {
  const inp = L.input({ shape: spec.inputShape, name: "input" });
  const values = new Map([["input", inp]]);
  for (const n of spec.nodes) {
    let layer;
    switch (n.type) {
      case "conv":
        layer = L.layers.conv2d({
          name: n.name, filters: n.filters, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias,
        });
        break;
      case "bn":
        layer = L.layers.batchNormalization({ name: n.name, epsilon: BN_EPSILON });
        break;
      case "relu":
        layer = L.layers.reLU({ name: n.name });
        break;
      case "relu6":
        layer = L.layers.reLU({ name: n.name, maxValue: 6 });
        break;
      case "dwconv":
        layer = L.layers.depthwiseConv2d({
          name: n.name, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias,
        });
        break;
      case "zeropad":
        layer = L.layers.zeroPadding2d({ name: n.name, padding: n.padding });
        break;
      case "add":
        layer = L.layers.add({ name: n.name });
        break;
      case "gap":
        layer = L.layers.globalAveragePooling2d({ name: n.name });
        break;
      case "dense":
        layer = L.layers.dense({ name: n.name, units: n.units, activation: n.activation });
        break;
      default:
        throw new Error(`bench: unknown node type ${n.type}`);
    }
    const xs = n.inputs.map((name) => values.get(name));
    values.set(n.name, layer.apply(xs.length === 1 ? xs[0] : xs));
  }
  return L.model({ inputs: inp, outputs: values.get(spec.nodes[spec.nodes.length - 1].name) });
}

/** Sets a tfjs graph model's weights layer by layer, by name, from the flat list of models.mjs. */
export function setTfGraphWeights(tf, model, spec, weights) {
  for (const { node, arrays } of weightsByNode(spec, weights)) {
    const tensors = arrays.map((a, i) => tf.tensor(a, node.weightShapes[i]));
    model.getLayer(node.name).setWeights(tensors);
    tensors.forEach((t) => t.dispose());
  }
}

/** A copy of a tfjs graph model's weights in the order loadTfGraphWeights takes them. */
export function readTfGraphWeights(model, spec) {
  return spec.nodes
    .filter((n) => n.weightShapes.length > 0)
    .flatMap((n) => model.getLayer(n.name).getWeights().map((t) => Float32Array.from(t.dataSync())));
}
