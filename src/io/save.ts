// Model -> TensorFlow.js LayersModel (model.json + weights.bin), in memory.
// The topology is Keras JSON as tfjs-layers writes it: a Sequential's first
// layer carries `batch_input_shape`; a functional model lists every layer
// with its `inbound_nodes` (Keras 2 form, `[[name, node, tensor, {}]]`).
// Weights go in `getWeights()` order, named `layer/weight`.

import { ConfigError } from "../errors.js";
import type { GraphNode } from "../graph/symbolic.js";
import type { Topology } from "../graph/topology.js";
import { InputLayer } from "../layers/input-layer.js";
import type { Layer } from "../layers/layer.js";
import { F32_BYTES } from "../memory.js";
import { LIBRARY_VERSION, type ModelJson, type SavedModel, type WeightSpec } from "./format.js";
import { codecOf, type KerasLayerOut } from "./keras-layers.js";
import { optimizerWeights, trainingConfigOf, type SavedTrainer } from "./training-config.js";

/** What save needs of a model. */
export interface SavableModel {
  readonly name: string;
  readonly className: string;
  readonly layers: readonly Layer[];
  getWeights(): Float32Array[];
}

/** The training side of a save: the compiled trainer (if any), whether its state goes along, the shard's file name. */
export interface SaveTraining {
  trainer?: SavedTrainer | null;
  includeOptimizer?: boolean;
  weightsPath?: string;
}

type KerasLayer = Record<string, unknown>;

/** A layer as Keras JSON: class and config, plus the LeakyReLU that follows when it ends in leakyRelu. */
function describeLayer(layer: Layer): { className: string; config: Record<string, unknown>; leakyAlpha?: number } {
  const codec = codecOf(layer);
  if (codec === undefined) throw new ConfigError(`save: ${layer.describe()} has no Keras form`);
  const out: KerasLayerOut = codec.save(layer as never);
  return { config: out.config, leakyAlpha: out.leakyAlpha, className: out.className ?? layer.className };
}

function kerasConfig(name: string, config: Record<string, unknown>): Record<string, unknown> {
  return { name, trainable: true, dtype: "float32", ...config };
}

/** A name not in `taken` (and now taken): `base`, else `base_2`, ... */
function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

function sequentialTopology(model: SavableModel, topology: Topology): KerasLayer[] {
  const taken = new Set(model.layers.map((l) => l.name!));
  const out: KerasLayer[] = [];
  for (const layer of model.layers) {
    const d = describeLayer(layer);
    out.push({ class_name: d.className, config: kerasConfig(layer.name!, d.config) });
    if (d.leakyAlpha !== undefined) {
      out.push({ class_name: "LeakyReLU", config: kerasConfig(freshName(`${layer.name}_leaky_re_lu`, taken), { alpha: d.leakyAlpha }) });
    }
  }
  const first = out[0]!.config as Record<string, unknown>;
  first["batch_input_shape"] = [null, ...topology.inputs[0]!.shape];
  return out;
}

function functionalTopology(model: SavableModel, topology: Topology): Record<string, unknown> {
  const inGraph = new Set<GraphNode>([...topology.nodes, ...topology.inputs.map((t) => t.node)]);
  const taken = new Set(topology.layers.map((l) => l.name!));
  // Where each node's output is in the file: [layer name, node index], after any LeakyReLU split.
  const ref = new Map<GraphNode, [string, number]>();
  const layers: KerasLayer[] = [];
  const pending: { entry: KerasLayer; nodes: GraphNode[] }[] = [];
  for (const layer of topology.layers) {
    const nodes = layer.nodes.filter((n) => inGraph.has(n));
    const d = describeLayer(layer);
    const entry: KerasLayer = { name: layer.name, class_name: d.className, config: kerasConfig(layer.name!, d.config) };
    layers.push(entry);
    pending.push({ entry, nodes });
    nodes.forEach((n, k) => ref.set(n, [layer.name!, k]));
    if (d.leakyAlpha !== undefined) {
      const name = freshName(`${layer.name}_leaky_re_lu`, taken);
      layers.push({
        name, class_name: "LeakyReLU", config: kerasConfig(name, { alpha: d.leakyAlpha }),
        inbound_nodes: nodes.map((_n, k) => [[layer.name, k, 0, {}]]),
      });
      nodes.forEach((n, k) => ref.set(n, [name, k]));
    }
  }
  for (const { entry, nodes } of pending) {
    entry["inbound_nodes"] = entry["class_name"] === "InputLayer" ? []
      : nodes.map((n) => n.inputs.map((t) => [...ref.get(t.node)!, 0, {}]));
  }
  const triple = (n: GraphNode): unknown[] => [...ref.get(n)!, 0];
  return {
    name: model.name, layers,
    input_layers: topology.inputs.map((t) => triple(t.node)),
    output_layers: topology.outputs.map((t) => triple(t.node)),
  };
}

/**
 * The model as a TensorFlow.js LayersModel: model.json and its weights.
 * @internal (called by Model.save)
 */
export function saveModel(model: SavableModel, topology: Topology, training: SaveTraining = {}): SavedModel {
  const sequential = model.className === "Sequential";
  const config = sequential ? { name: model.name, layers: sequentialTopology(model, topology) } : functionalTopology(model, topology);
  const specs: WeightSpec[] = [];
  for (const layer of model.layers) {
    if (layer instanceof InputLayer) continue;
    for (const p of layer.weights()) specs.push({ name: `${layer.name}/${p.name}`, shape: [...p.shape], dtype: "float32" });
  }
  const arrays = model.getWeights();
  const floats = arrays.reduce((n, a) => n + a.length, 0);
  const { trainer, includeOptimizer = false, weightsPath = "weights.bin" } = training;
  const opt = trainer !== undefined && trainer !== null && includeOptimizer ? optimizerWeights(trainer) : null;
  const weights = new ArrayBuffer(floats * F32_BYTES + (opt?.bytes.byteLength ?? 0));
  const view = new DataView(weights);
  let at = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++, at += F32_BYTES) view.setFloat32(at, a[i]!, true);
  if (opt !== null) {
    new Uint8Array(weights, at).set(opt.bytes);
    specs.push(...opt.specs);
  }
  const modelJson: ModelJson = {
    format: "layers-model",
    generatedBy: `simdcnn v${LIBRARY_VERSION}`,
    convertedBy: null,
    modelTopology: {
      class_name: sequential ? "Sequential" : "Model", config, keras_version: `simdcnn ${LIBRARY_VERSION}`, backend: "tensor_flow.js",
    },
    weightsManifest: [{ paths: [weightsPath], weights: specs }],
  };
  if (trainer !== undefined && trainer !== null) modelJson.trainingConfig = trainingConfigOf(trainer);
  return { modelJson, weights };
}
