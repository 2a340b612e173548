// Inference rewrites, decided once per plan (XNNPACK's fusions, made on the
// graph before any buffer is placed):
// - a BatchNormalization over the channels right after a Conv2D,
//   DepthwiseConv2D or Dense with a linear activation, whose output nothing else reads, folds into
//   that layer's weights and bias, and its node becomes a view;
// - an element-wise activation layer right after such a layer (or after a
//   BatchNormalization folded into one) moves into its epilogue, and its
//   node becomes a view too.
// So conv + BN + ReLU runs as one conv call, as conv + ReLU did. Training
// never rewrites: it needs each layer's own output for backward.

import { Activation } from "../layers/activation.js";
import type { ParsedActivation } from "../layers/activations.js";
import { BatchNormalization } from "../layers/batch-normalization.js";
import type { GraphNode, SymbolicTensor } from "./symbolic.js";
import type { Topology } from "./topology.js";

/** What the rewrites decided. */
export interface Rewrites {
  /** Nodes that no longer run: their output is their input's buffer. */
  readonly views: ReadonlySet<GraphNode>;
  /** Conv2D / DepthwiseConv2D / Dense nodes that run with a BatchNormalization folded in. */
  readonly folds: ReadonlyMap<GraphNode, BatchNormalization>;
  /** Nodes whose epilogue applies a following layer's activation instead of their own (linear) one. */
  readonly epilogues: ReadonlyMap<GraphNode, ParsedActivation>;
}

/** No rewrites (training, and the feature maps that show every layer's own output). */
export const NO_REWRITES: Rewrites = { views: new Set(), folds: new Map(), epilogues: new Map() };

/** Decides the inference rewrites of `topology`. Pure: layers are read, not changed. */
export function inferenceRewrites(topology: Topology): Rewrites {
  const readers = new Map<SymbolicTensor, number>();
  for (const node of topology.nodes) for (const t of node.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
  const outputs = new Set(topology.outputs);
  const inGraph = new Set(topology.nodes);
  // A tensor only `node` reads, which is no model output: fusing across it loses nothing.
  const private_ = (t: SymbolicTensor): boolean => readers.get(t) === 1 && !outputs.has(t);
  // A layer that can fold and fuse (Conv2D, Dense, the depthwise ones), called once in this graph,
  // with a linear activation.
  const absorbs = (node: GraphNode): boolean => {
    const layer = node.layer;
    if (!layer.absorbsAffine || layer.outputActivation?.name !== "linear") return false;
    return layer.nodes.filter((n) => inGraph.has(n)).length === 1;
  };
  const views = new Set<GraphNode>();
  const folds = new Map<GraphNode, BatchNormalization>();
  const epilogues = new Map<GraphNode, ParsedActivation>();
  for (const node of topology.nodes) {
    const layer = node.layer;
    const input = node.inputs[0];
    if (input === undefined || !private_(input)) continue;
    let producer = input.node;
    if (layer instanceof BatchNormalization) {
      if (layer.normalizesLastAxis && absorbs(producer) && !folds.has(producer) && !epilogues.has(producer)) {
        folds.set(producer, layer);
        views.add(node);
      }
      continue;
    }
    if (!(layer instanceof Activation) || layer.activation.softmax) continue;
    // Through a folded BatchNormalization to the layer that absorbed it.
    if (views.has(producer) && producer.layer instanceof BatchNormalization) producer = producer.inputs[0]!.node;
    if (absorbs(producer) && !epilogues.has(producer)) {
      epilogues.set(producer, layer.activation);
      views.add(node);
    }
  }
  return { views, folds, epilogues };
}
