// From a model's inputs and outputs to the graph it runs: walk the symbolic
// tensors back from the outputs, check every path ends at a model input,
// and order the nodes and layers by depth, as tfjs-layers' Container does
// (a node's depth is its longest distance to an output; deeper runs first,
// ties in creation order). For a chain that is the list order.

import { ConfigError } from "../errors.js";
import type { Layer } from "../layers/layer.js";
import { InputLayer } from "../layers/input-layer.js";
import { formatShape } from "../shape.js";
import { SymbolicTensor, type GraphNode } from "./symbolic.js";

/** The ordered graph of a model. */
export interface Topology {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Every node that computes (input nodes excluded), producers before consumers. */
  readonly nodes: readonly GraphNode[];
  /** Every layer once, Keras order (input layers included). */
  readonly layers: readonly Layer[];
}

/** Reads `inputs` / `outputs` of `new Model(...)` as a non-empty list of symbolic tensors. */
export function tensorList(value: unknown, option: string, where: string): SymbolicTensor[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new ConfigError(`${where}: ${option} must not be empty`);
  list.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) {
      throw new ConfigError(`${where}: ${option}${Array.isArray(value) ? `[${i}]` : ""} must be a symbolic tensor ` +
        `(from input() or layer.apply()), got ${String(t)}`);
    }
  });
  return list as SymbolicTensor[];
}

/**
 * Orders the graph between `inputs` and `outputs`.
 * @throws {ConfigError} when an input is not made by `input()`, is given
 *   twice, or an output needs a tensor that no model input leads to.
 */
export function orderGraph(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[],
                           where: string): Topology {
  inputs.forEach((t, i) => {
    if (!(t.node.layer instanceof InputLayer)) {
      throw new ConfigError(`${where}: inputs[${i}] comes from ${t.node.layer.describe()}, not from input(); ` +
        `a model's inputs must be made by input({ shape })`);
    }
  });
  if (new Set(inputs).size !== inputs.length) throw new ConfigError(`${where}: the same input is given twice`);
  const allowed = new Set(inputs.map((t) => t.node));

  // Post-order walk from the outputs: every node after the nodes it reads. An explicit stack,
  // not recursion, so a graph thousands of layers deep cannot overflow the call stack.
  const postOrder: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  const stack: { node: GraphNode; next: number }[] = [];
  const enter = (node: GraphNode, from: string): void => {
    if (seen.has(node)) return;
    seen.add(node);
    if (node.layer instanceof InputLayer && !allowed.has(node)) {
      throw new ConfigError(`${where}: graph disconnected: ${from} needs ${node.layer.describe()} ` +
        `${formatShape(node.output.shape)}, which is not among the model's inputs`);
    }
    stack.push({ node, next: 0 });
  };
  outputs.forEach((t, i) => {
    enter(t.node, `outputs[${i}]`);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const input = top.node.inputs[top.next++];
      if (input === undefined) postOrder.push(stack.pop()!.node);
      else enter(input.node, top.node.layer.describe());
    }
  });

  // Depth: longest path to an output. Reverse post-order sees every consumer before its producers.
  const depth = new Map<GraphNode, number>();
  for (let i = postOrder.length - 1; i >= 0; i--) {
    const node = postOrder[i]!;
    const d = depth.get(node) ?? 0;
    depth.set(node, d);
    for (const t of node.inputs) depth.set(t.node, Math.max(depth.get(t.node) ?? 0, d + 1));
  }
  const byDepth = (a: GraphNode, b: GraphNode): number =>
    depth.get(b)! - depth.get(a)! || a.output.id - b.output.id;
  const sorted = [...postOrder].sort(byDepth);

  const layerDepth = new Map<Layer, { depth: number; first: number }>();
  for (const node of sorted) {
    const entry = layerDepth.get(node.layer);
    const d = depth.get(node)!;
    if (entry === undefined) layerDepth.set(node.layer, { depth: d, first: node.output.id });
    else entry.depth = Math.max(entry.depth, d);
  }
  for (const t of inputs) if (!layerDepth.has(t.node.layer)) layerDepth.set(t.node.layer, { depth: Number.MAX_SAFE_INTEGER, first: t.id });
  const layers = [...layerDepth.keys()].sort((a, b) => {
    const [x, y] = [layerDepth.get(a)!, layerDepth.get(b)!];
    return y.depth - x.depth || x.first - y.first;
  });
  return {
    inputs: [...inputs],
    outputs: [...outputs],
    nodes: sorted.filter((n) => !(n.layer instanceof InputLayer)),
    layers,
  };
}
