// Inference rewrites, decided once per plan (XNNPACK's fusions, made on the
// graph before any buffer is placed):
// - a BatchNormalization over the channels right after a Conv2D,
//   DepthwiseConv2D, SeparableConv2D, Conv2DTranspose or Dense with a linear
//   activation, whose output nothing else reads, folds into
//   that layer's weights and bias, and its node becomes a view;
// - an element-wise activation layer right after such a layer (or after a
//   BatchNormalization folded into one) moves into its epilogue, and its
//   node becomes a view too.
// - a ZeroPadding2D read only by a Conv2D or DepthwiseConv2D (called once
//   in the graph) becomes a view: the convolution runs on the unpadded image
//   with the zeros as its own padding (Layer.preparePadding), so the padded
//   copy is neither written nor stored.
// - a two-input Add, one of whose inputs only it reads and a Conv2D made
//   (with a linear activation, through a folded BatchNormalization), moves
//   into that convolution: it adds the other input in its epilogue
//   (an inverted-residual block's projection, as XNNPACK fuses it), writes
//   the Add's output, and the Add node becomes a view of it. An activation
//   after the Add then moves into the same epilogue (a ResNet block's ReLU).
// So conv + BN + ReLU runs as one conv call, as conv + ReLU did. Training
// never rewrites: it needs each layer's own output for backward.

import { Activation } from "../layers/activation.js";
import type { ParsedActivation } from "../layers/activations.js";
import type { Padding2D } from "../layers/layer.js";
import { ZeroPadding2D } from "../layers/padding.js";
import { BatchNormalization } from "../layers/batch-normalization.js";
import { Conv2D } from "../layers/conv2d.js";
import { DepthwiseConv2D } from "../layers/depthwise-conv2d.js";
import { Add } from "../layers/merge.js";
import type { GraphNode, SymbolicTensor } from "./symbolic.js";
import type { Topology } from "./topology.js";

/** What the rewrites decided. */
export interface Rewrites {
  /** Nodes that no longer run: their output is their input's buffer. */
  readonly views: ReadonlySet<GraphNode>;
  /** Nodes of layers that absorb an affine map (Layer.absorbsAffine) that run with a BatchNormalization folded in. */
  readonly folds: ReadonlyMap<GraphNode, BatchNormalization>;
  /** Nodes whose epilogue applies a following layer's activation instead of their own (linear) one. */
  readonly epilogues: ReadonlyMap<GraphNode, ParsedActivation>;
  /** Conv2D / DepthwiseConv2D nodes that run on the unpadded input of the ZeroPadding2D they read, and its padding. */
  readonly paddings: ReadonlyMap<GraphNode, Padding2D>;
  /** Conv2D nodes that add a fused Add's other input (this tensor) in their epilogue. */
  readonly residuals: ReadonlyMap<GraphNode, SymbolicTensor>;
  /** Fused Add nodes (views) and which of their inputs' buffer is their output: the convolution's. */
  readonly viewOf: ReadonlyMap<GraphNode, number>;
}

/** No rewrites (training, and the feature maps that show every layer's own output). */
export const NO_REWRITES: Rewrites = {
  views: new Set(), folds: new Map(), epilogues: new Map(), paddings: new Map(), residuals: new Map(), viewOf: new Map(),
};

/** Decides the inference rewrites of `topology`. Pure: layers are read, not changed. */
export function inferenceRewrites(topology: Topology): Rewrites {
  const readers = new Map<SymbolicTensor, number>();
  for (const node of topology.nodes) for (const t of node.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
  const outputs = new Set(topology.outputs);
  const inGraph = new Set(topology.nodes);
  // A tensor only `node` reads, which is no model output: fusing across it loses nothing.
  const private_ = (t: SymbolicTensor): boolean => readers.get(t) === 1 && !outputs.has(t);
  // A layer that can fold and fuse (Conv2D, Dense, the depthwise ones, Conv2DTranspose), called once in this graph,
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
  const residuals = new Map<GraphNode, SymbolicTensor>();
  const viewOf = new Map<GraphNode, number>();
  // Fused Add -> the convolution that runs it.
  const addedBy = new Map<GraphNode, GraphNode>();
  const order = new Map(topology.nodes.map((n, i) => [n, i]));
  // The layer behind a folded BatchNormalization's view, else the node itself.
  const behindFold = (n: GraphNode): GraphNode =>
    views.has(n) && n.layer instanceof BatchNormalization ? n.inputs[0]!.node : n;
  for (const node of topology.nodes) {
    const layer = node.layer;
    if (layer instanceof Add) {
      const fused = fuseResidual(node);
      if (fused !== null) {
        residuals.set(fused.conv, node.inputs[1 - fused.input]!);
        viewOf.set(node, fused.input);
        addedBy.set(node, fused.conv);
        views.add(node);
      }
      continue;
    }
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
    // Through a folded BatchNormalization, or a fused Add, to the layer that absorbed it.
    producer = addedBy.get(producer) ?? behindFold(producer);
    if (absorbs(producer) && !epilogues.has(producer)) {
      epilogues.set(producer, layer.activation);
      views.add(node);
    }
  }
  return { views, folds, epilogues, paddings, residuals, viewOf };

  /**
   * Which input of a two-input Add a Conv2D can take over: one only the Add
   * reads, made by a Conv2D (through a folded BatchNormalization) that can
   * take an epilogue and has none yet, and that runs after the other input
   * exists. The later-made of two candidates, so the other is ready.
   */
  function fuseResidual(add: GraphNode): { conv: GraphNode; input: number } | null {
    if (add.inputs.length !== 2 || add.inputs[0] === add.inputs[1]) return null;
    const candidates = [0, 1]
      .map((input) => ({ input, conv: behindFold(add.inputs[input]!.node) }))
      .filter(({ input, conv }) => private_(add.inputs[input]!) && conv.layer instanceof Conv2D && !conv.layer.dilated &&
        absorbs(conv) && !epilogues.has(conv) && !residuals.has(conv) &&
        (order.get(add.inputs[1 - input]!.node) ?? -1) < order.get(conv)!)
      .sort((a, b) => order.get(b.conv)! - order.get(a.conv)!);
    return candidates[0] ?? null;
  }
}
