// simdcnn's models from the bench specs (models.mjs) through the public
// API, given as `api` (the simdcnn module): no Node imports, so the
// browser bench page (bench/browser/) bundles the same builders the Node
// bench uses.

import { weightsByNode } from "./models.mjs";

/** A graph spec (models.mjs) as a functional Model: input(), layer.apply(), Model({ inputs, outputs }). */
function buildGraphModel(api, spec) {
  const inp = api.input({ shape: spec.inputShape, name: "input" });
  const values = new Map([["input", inp]]);
  for (const n of spec.nodes) {
    let layer;
    switch (n.type) {
      case "conv":
        layer = new api.Conv2D({
          name: n.name, filters: n.filters, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias,
        });
        break;
      case "bn":
        layer = new api.BatchNormalization({ name: n.name });
        break;
      case "relu":
        layer = new api.ReLU({ name: n.name });
        break;
      case "relu6":
        layer = new api.ReLU({ name: n.name, maxValue: 6 });
        break;
      case "dwconv":
        layer = new api.DepthwiseConv2D({
          name: n.name, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias,
        });
        break;
      case "zeropad":
        layer = new api.ZeroPadding2D({ name: n.name, padding: n.padding });
        break;
      case "add":
        layer = new api.Add({ name: n.name });
        break;
      case "gap":
        layer = new api.GlobalAvgPool2D({ name: n.name });
        break;
      case "dense":
        layer = new api.Dense({ name: n.name, units: n.units, activation: n.activation });
        break;
      default:
        throw new Error(`bench: unknown node type ${n.type}`);
    }
    const xs = n.inputs.map((name) => values.get(name));
    values.set(n.name, layer.apply(xs.length === 1 ? xs[0] : xs));
  }
  return new api.Model({ inputs: inp, outputs: values.get(spec.nodes[spec.nodes.length - 1].name) });
}

/** Sets a model's weights from the Keras-order list of models.mjs (graph models: layer by layer, by name). */
export function loadWeights(model, spec, weights) {
  if (!spec.graph) return model.setWeights(weights);
  for (const { node, arrays } of weightsByNode(spec, weights)) model.getLayer(node.name).setWeights(arrays);
}

/** A copy of a model's weights in the order loadWeights takes them. */
export function readWeights(model, spec) {
  const arrays = spec.graph
    ? spec.nodes.filter((n) => n.weightShapes.length > 0).flatMap((n) => model.getLayer(n.name).getWeights())
    : model.getWeights();
  return arrays.map((w) => Float32Array.from(w));
}

/** Builds the public-API Sequential (or, for a graph spec, the functional Model) on the current backend. */
export function buildModel(api, spec) {
  if (spec.graph) return buildGraphModel(api, spec);
  const layers = spec.layers.map((l) => {
    switch (l.type) {
      case "conv":
        return new api.Conv2D({ filters: l.filters, kernelSize: l.kernel, strides: 1, padding: l.padding, activation: l.activation });
      case "maxpool":
        return new api.MaxPool2D({ poolSize: l.pool });
      case "flatten":
        return new api.Flatten();
      case "dense":
        return new api.Dense({ units: l.units, activation: l.activation });
      default:
        throw new Error(`bench: unknown layer ${l.type}`);
    }
  });
  return new api.Sequential(layers, { inputShape: spec.inputShape });
}
