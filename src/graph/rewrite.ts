// Inference rewrites, decided once per plan (XNNPACK's fusions, made on the
// graph before any buffer is placed):
// - a BatchNormalization over the channels right after a Conv2D,
//   DepthwiseConv2D or Dense with a linear activation, whose output nothing else reads, folds into
//   that layer's weights and bias, and its node becomes a view;
// - an element-wise activation layer right after such a layer (or after a
//   BatchNormalization folded into one) moves into its epilogue, and its
//   node becomes a view too.
// - a ZeroPadding2D read only by a Conv2D or DepthwiseConv2D (called once
//   in the graph) becomes a view: the convolution runs on the unpadded image
//   with the zeros as its own padding (Layer.preparePadding), so the padded
//   copy is neither written nor stored.
// So conv + BN + ReLU runs as one conv call, as conv + ReLU did. Training
// never rewrites: it needs each layer's own output for backward.

import { Activation } from "../layers/activation.js";
import type { ParsedActivation } from "../layers/activations.js";
import type { Padding2D } from "../layers/layer.js";
import { ZeroPadding2D } from "../layers/padding.js";
import { BatchNormalization } from "../layers/batch-normalization.js";
import { Conv2D } from "../layers/conv2d.js";
import { DepthwiseConv2D } from "../layers/depthwise-conv2d.js";
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
  /** Conv2D / DepthwiseConv2D nodes that run on the unpadded input of the ZeroPadding2D they read, and its padding. */
  readonly paddings: ReadonlyMap<GraphNode, Padding2D>;
}

/** No rewrites (training, and the feature maps that show every layer's own output). */
export const NO_REWRITES: Rewrites = { views: new Set(), folds: new Map(), epilogues: new Map(), paddings: new Map() };

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
  const once = (node: GraphNode): boolean => node.layer.nodes.filter((n) => inGraph.has(n)).length === 1;
  const absorbs = (node: GraphNode): boolean => {
    const layer = node.layer;
    if (!layer.absorbsAffine || layer.outputActivation?.name !== "linear") return false;
    return once(node);
  };
  const views = new Set<GraphNode>();
  const folds = new Map<GraphNode, BatchNormalization>();
  const epilogues = new Map<GraphNode, ParsedActivation>();
  const paddings = new Map<GraphNode, Padding2D>();
  for (const node of topology.nodes) {
    const layer = node.layer;
    const input = node.inputs[0];
    if (input === undefined || !private_(input)) continue;
    let producer = input.node;
    if (layer instanceof Conv2D || layer instanceof DepthwiseConv2D) {
      if (producer.layer instanceof ZeroPadding2D && once(node)) {
        paddings.set(node, producer.layer.padding);
        views.add(producer);
      }
      continue;
    }
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
  return { views, folds, epilogues, paddings };
}
