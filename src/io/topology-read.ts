// Keras JSON topology -> simdcnn layers, symbolically: every layer is made
// from its config and applied to symbolic tensors (shapes only), so that the
// whole graph, its shapes and the weights it needs are known and checked
// before a byte of the arena is allocated. Reads Sequential configs (Keras 2,
// Keras 3, tfjs-layers: an InputLayer or `batch_input_shape` on the first
// layer) and functional ones (`Model` / `Functional`, `inbound_nodes` in the
// Keras 2 form `[[name, node, tensor, kwargs]]` or Keras 3's
// `[{ args: [keras tensors], kwargs }]`).

import { CnnError, ModelFormatError } from "../errors.js";
import { SymbolicTensor } from "../graph/symbolic.js";
import { orderGraph } from "../graph/topology.js";
import { InputLayer } from "../layers/input-layer.js";
import type { Layer } from "../layers/layer.js";
import { isLayerType, LAYER_REGISTRY, type LayerType } from "../layers/registry.js";
import { Model, Sequential } from "../model.js";
import { sizeOf } from "../shape.js";
import {
  describeJson, fail, isObject, KerasConfig, own, readArray, readBatchShape, readInt, readObject, readString,
} from "./json-read.js";
import { KERAS_CLASS_ALIASES, KERAS_LAYERS, type KerasCodec } from "./keras-layers.js";
import { withDepthMultiplier } from "./depth-multiplier.js";
import type { ManifestEntry, WantedWeight } from "./weights-manifest.js";

/** A model read from a topology, not yet built. */
export interface ReadGraph {
  /** Every weight the layers will hold. */
  readonly wanted: readonly WantedWeight[];
  /** Floats of every layer output (and input) for one sample: a bound on the activation memory. */
  readonly activationFloats: number;
  /** Builds the model (allocates its weights and buffers). */
  build(batchSize: number): Model<SymbolicTensor | SymbolicTensor[]>;
}

/** One entry of `config.layers`. */
interface LayerEntry {
  readonly path: string;
  /** `modelTopology.config.layers[3] "conv2d" (Conv2D)`, how messages name the layer. */
  readonly place: string;
  readonly name: string | undefined;
  readonly className: LayerType;
  readonly config: KerasConfig;
  readonly inbound: readonly NodeRef[][];
}

/** `[layer, node, tensor]`: one tensor some layer call produced. */
interface NodeRef {
  readonly layer: string;
  readonly node: number;
  readonly path: string;
}

/** Most nodes (calls) one layer may have and deepest nesting of Keras 3 args: far above any real model. */
const MAX_NODE_INDEX = 1 << 20;
const MAX_ARGS_DEPTH = 4;
/**
 * Most layers, and most layer calls, a file may have: several times the
 * largest Keras application (EfficientNetV2-L has ~1,000 layers), and within
 * what the graph engine's recursive walk handles on a default stack.
 */
export const MAX_LAYER_CALLS = 4096;

/** Rethrows a library error from a constructor or apply as a ModelFormatError naming the place. */
function atPlace<T>(place: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ModelFormatError || !(e instanceof CnnError)) throw e;
    throw new ModelFormatError(`${place}: ${e.message}`);
  }
}

function readRef(value: unknown, path: string): NodeRef {
  const list = readArray(value, path);
  if (list.length < 3 || list.length > 4) fail(path, `expected [layer name, node index, tensor index], got ${describeJson(value)}`);
  const layer = readString(list[0], `${path}[0]`);
  const node = readInt(list[1], `${path}[1]`, 0, MAX_NODE_INDEX);
  const tensor = readInt(list[2], `${path}[2]`, 0, MAX_NODE_INDEX);
  if (tensor !== 0) fail(`${path}[2]`, `output ${tensor} of '${layer}': simdcnn layers have one output (index 0)`);
  return { layer, node, path };
}

/** Keras 3: the tensors among a node's args (a tensor, or a list of them for merge layers). */
function collectKerasTensors(value: unknown, path: string, depth: number, out: NodeRef[]): void {
  if (depth > MAX_ARGS_DEPTH) fail(path, "nested too deeply");
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectKerasTensors(v, `${path}[${i}]`, depth + 1, out));
    return;
  }
  const obj = readObject(value, path);
  if (own(obj, "class_name") !== "__keras_tensor__") {
    fail(path, `expected a Keras tensor ({ class_name: "__keras_tensor__" }), got class ${describeJson(own(obj, "class_name"))}`);
  }
  const config = readObject(own(obj, "config"), `${path}.config`);
  out.push(readRef(own(config, "keras_history"), `${path}.config.keras_history`));
}

function readInbound(value: unknown, path: string): NodeRef[][] {
  if (value === undefined || value === null) return [];
  return readArray(value, path).map((node, k) => {
    const np = `${path}[${k}]`;
    if (Array.isArray(node)) return node.map((r, j) => readRef(r, `${np}[${j}]`));
    const args = own(readObject(node, np), "args");
    const refs: NodeRef[] = [];
    collectKerasTensors(readArray(args, `${np}.args`), `${np}.args`, 0, refs);
    return refs;
  });
}

const NESTED_MODELS = new Set(["Sequential", "Model", "Functional"]);

function readEntries(value: unknown, path: string, functional: boolean): LayerEntry[] {
  const list = readArray(value, path);
  if (list.length > MAX_LAYER_CALLS) fail(path, `has ${list.length} layers; simdcnn loads at most ${MAX_LAYER_CALLS}`);
  return list.map((raw, i) => {
    const p = `${path}[${i}]`;
    const entry = readObject(raw, p);
    const cls = readString(own(entry, "class_name"), `${p}.class_name`);
    const config = readObject(own(entry, "config") ?? {}, `${p}.config`);
    const nameValue = own(entry, "name") ?? own(config, "name");
    const name = nameValue === undefined && !functional ? undefined : readString(nameValue, `${p}.name`);
    if (name === "") fail(`${p}.name`, "a layer name must not be empty");
    const place = `${p}${name === undefined ? "" : ` ${JSON.stringify(name)}`} (${cls})`;
    const className = Object.prototype.hasOwnProperty.call(KERAS_CLASS_ALIASES, cls) ? KERAS_CLASS_ALIASES[cls]! : cls;
    if (!isLayerType(className)) {
      const why = NESTED_MODELS.has(cls) ? "nested models are not supported; flatten the model first"
        : `this layer class is not supported (supported: ${Object.keys(LAYER_REGISTRY).join(", ")})`;
      fail(place, why);
    }
    return {
      path: p, place, name, className, config: new KerasConfig(config, `${p}.config`),
      inbound: functional ? readInbound(own(entry, "inbound_nodes"), `${p}.inbound_nodes`) : [],
    };
  });
}

/** A layer from its entry, for a first call on inputs of `shapes`; `manifest` fills in what a writer left out. */
function makeLayer(e: LayerEntry, shapes: readonly (readonly number[])[], manifest?: readonly ManifestEntry[]): Layer {
  const codec = KERAS_LAYERS[e.className] as KerasCodec<LayerType>;
  const config = codec.load(withDepthMultiplier(e.config, e.className, e.name, shapes[0], manifest), shapes);
  const Ctor = LAYER_REGISTRY[e.className] as unknown as new (config: object) => Layer;
  return atPlace(e.place, () => new Ctor({ ...config, ...(e.name === undefined ? {} : { name: e.name }) }));
}

/** What a made layer will need: its weights (by name) and shape checks. */
function wantedOf(e: LayerEntry, layer: Layer, shapes: readonly (readonly number[])[], name: string): WantedWeight[] {
  const codec = KERAS_LAYERS[e.className] as KerasCodec<LayerType>;
  const shapesOf = codec.weightShapes?.(layer as never, shapes) ?? [];
  return shapesOf.map((w) => ({ ...w, key: `${name}/${w.name}`, owner: `${e.place}` }));
}

function applyLayer(e: LayerEntry, layer: Layer, inputs: readonly SymbolicTensor[]): SymbolicTensor {
  return atPlace(e.place, () => layer.apply(inputs.length === 1 ? inputs[0]! : inputs));
}

function readSequential(config: unknown, path: string, manifest?: readonly ManifestEntry[]): ReadGraph {
  // Keras 2.0-2.2 wrote a Sequential's config as the bare list of layers.
  const obj = Array.isArray(config) ? { layers: config } : readObject(config, path);
  const layersPath = Array.isArray(config) ? path : `${path}.layers`;
  const entries = readEntries(own(obj, "layers"), layersPath, false);
  const name = typeof own(obj, "name") === "string" && own(obj, "name") !== "" ? (own(obj, "name") as string) : undefined;
  let rest = entries;
  let inputShape: number[];
  if (entries[0]?.className === "InputLayer") {
    inputShape = KERAS_LAYERS.InputLayer.load(entries[0].config, []).shape;
    rest = entries.slice(1);
  } else {
    const first = entries[0]?.config;
    const key = first === undefined ? undefined : ["batch_input_shape", "batch_shape"].find((k) => first.has(k));
    if (first !== undefined && key !== undefined) inputShape = readBatchShape(first.get(key), first.where(key));
    else if (own(obj, "build_input_shape") != null) inputShape = readBatchShape(own(obj, "build_input_shape"), `${path}.build_input_shape`);
    else fail(layersPath, "no input shape: expected an InputLayer first, or batch_input_shape on the first layer");
  }
  if (rest.length === 0) fail(layersPath, "a Sequential model needs at least one layer besides its input");
  const names = new Set<string>();
  const wanted: WantedWeight[] = [];
  const firstShapes: (readonly number[])[][] = [];
  let x = atPlace(path, () => new InputLayer({ shape: inputShape }).output);
  let floats = sizeOf(inputShape);
  rest.forEach((e, i) => {
    if (e.className === "InputLayer") fail(e.place, "an InputLayer can only come first");
    if (e.name !== undefined) {
      if (names.has(e.name)) fail(`${e.path}.name`, `two layers are named ${JSON.stringify(e.name)}`);
      names.add(e.name);
    }
    const shapes = [x.shape];
    firstShapes.push(shapes);
    const layer = makeLayer(e, shapes, manifest);
    x = applyLayer(e, layer, [x]);
    floats += sizeOf(x.shape);
    wanted.push(...wantedOf(e, layer, shapes, e.name ?? `${layer.namePrefix}_${i + 1}`));
  });
  if (rest.some((e) => e.name === undefined && (KERAS_LAYERS[e.className] as KerasCodec<LayerType>).weightShapes)) {
    fail(layersPath, "a layer with weights has no name, so no weight can be matched to it");
  }
  return {
    wanted, activationFloats: floats,
    build: (batchSize) => {
      const fresh = rest.map((e, i) => makeLayer(e, firstShapes[i]!, manifest));
      return atPlace(path, () => new Sequential(fresh, { inputShape, name, batchSize }));
    },
  };
}

/** `input_layers` / `output_layers`: a list of refs, or (Keras 3, one tensor) a single ref. */
function readRefList(value: unknown, path: string): NodeRef[] {
  const list = readArray(value, path);
  if (typeof list[0] === "string") return [readRef(list, path)];
  if (list.length === 0) fail(path, "must not be empty");
  return list.map((r, i) => readRef(r, `${path}[${i}]`));
}

/** A layer of a functional config while it is being made. */
interface LayerState {
  readonly entry: LayerEntry;
  layer: Layer | null;
  /** Its calls' outputs so far, by node index. */
  readonly outputs: SymbolicTensor[];
}

/** A min-heap of call ids (ready calls, earliest in the file first). */
class MinHeap {
  private readonly items: number[] = [];

  push(v: number): void {
    const a = this.items;
    a.push(v);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }

  pop(): number | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function readFunctional(config: unknown, path: string, manifest?: readonly ManifestEntry[]): ReadGraph {
  const obj = readObject(config, path);
  const entries = readEntries(own(obj, "layers"), `${path}.layers`, true);
  const name = typeof own(obj, "name") === "string" && own(obj, "name") !== "" ? (own(obj, "name") as string) : undefined;
  const byName = new Map<string, LayerState>();
  for (const e of entries) {
    if (byName.has(e.name!)) fail(`${e.path}.name`, `two layers are named ${JSON.stringify(e.name)}`);
    byName.set(e.name!, { entry: e, layer: null, outputs: [] });
  }
  const nodeCount = (e: LayerEntry): number => (e.className === "InputLayer" ? 1 : e.inbound.length);
  const checkRef = (r: NodeRef): void => {
    const src = byName.get(r.layer);
    if (src === undefined) fail(`${r.path}[0]`, `names no layer of the model: ${JSON.stringify(r.layer)}`);
    if (r.node >= nodeCount(src.entry)) {
      fail(`${r.path}[1]`, `'${r.layer}' has ${nodeCount(src.entry)} node(s), so node ${r.node} does not exist`);
    }
  };
  const wanted: WantedWeight[] = [];
  let floats = 0;
  for (const [layerName, state] of byName) {
    const e = state.entry;
    if (e.className === "InputLayer") {
      const { shape } = KERAS_LAYERS.InputLayer.load(e.config, []);
      const layer = atPlace(e.place, () => new InputLayer({ shape, name: layerName }));
      state.layer = layer;
      state.outputs.push(layer.output);
      floats += sizeOf(shape);
      continue;
    }
    if (e.inbound.length === 0) fail(`${e.path}.inbound_nodes`, "is empty: the layer is not connected to anything");
    e.inbound.forEach((node, k) => {
      if (node.length === 0) fail(`${e.path}.inbound_nodes[${k}]`, "has no input tensors");
      node.forEach(checkRef);
    });
  }
  // Make each layer call once its inputs exist (Kahn's algorithm over the calls: Keras lists
  // layers in any order, and a hostile file must not make this quadratic). Of the calls that
  // are ready, the earliest in the file goes first, so layers are made in file order.
  const calls: { state: LayerState; k: number; missing: number }[] = [];
  const waiting = new Map<string, number[]>();
  const produced = (layerName: string, k: number): string => JSON.stringify([layerName, k]);
  const available = new Set<string>();
  for (const [layerName, state] of byName) if (state.entry.className === "InputLayer") available.add(produced(layerName, 0));
  for (const [layerName, state] of byName) {
    if (state.entry.className === "InputLayer") continue;
    state.entry.inbound.forEach((refs, k) => {
      const id = calls.length;
      const deps = new Set(refs.map((r) => produced(r.layer, r.node)));
      if (k > 0) deps.add(produced(layerName, k - 1)); // a layer's calls happen in order
      let missing = 0;
      for (const d of deps) {
        if (available.has(d)) continue;
        missing++;
        const list = waiting.get(d);
        if (list === undefined) waiting.set(d, [id]);
        else list.push(id);
      }
      calls.push({ state, k, missing });
    });
  }
  if (calls.length > MAX_LAYER_CALLS) {
    fail(`${path}.layers`, `make ${calls.length} layer calls (inbound_nodes); simdcnn loads at most ${MAX_LAYER_CALLS}`);
  }
  const ready = new MinHeap();
  calls.forEach((c, id) => {
    if (c.missing === 0) ready.push(id);
  });
  let done = 0;
  for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
    const { state, k } = calls[id]!;
    const e = state.entry;
    const tensors = e.inbound[k]!.map((r) => byName.get(r.layer)!.outputs[r.node]!);
    const shapes = tensors.map((t) => t.shape);
    if (state.layer === null) {
      state.layer = makeLayer(e, shapes, manifest);
      wanted.push(...wantedOf(e, state.layer, shapes, e.name!));
    }
    const out = applyLayer(e, state.layer, tensors);
    state.outputs.push(out);
    floats += sizeOf(out.shape);
    done++;
    for (const next of waiting.get(produced(e.name!, k)) ?? []) if (--calls[next]!.missing === 0) ready.push(next);
  }
  if (done < calls.length) {
    const stuck = calls.find((c) => c.missing > 0)!;
    fail(`${stuck.state.entry.path}.inbound_nodes[${stuck.k}]`, "waits for a tensor that is never produced: the inbound_nodes form a cycle");
  }
  const tensorOf = (r: NodeRef): SymbolicTensor => {
    checkRef(r);
    return byName.get(r.layer)!.outputs[r.node]!;
  };
  const inputRefs = readRefList(own(obj, "input_layers"), `${path}.input_layers`);
  const inputs = inputRefs.map((r) => {
    const t = tensorOf(r);
    if (!(t.layer instanceof InputLayer)) fail(`${r.path}[0]`, `'${r.layer}' is not an InputLayer`);
    return t;
  });
  const outputs = readRefList(own(obj, "output_layers"), `${path}.output_layers`).map(tensorOf);
  const topology = atPlace(path, () => orderGraph(inputs, outputs, `${path}`));
  const used = new Set(topology.layers);
  for (const s of byName.values()) {
    if (!used.has(s.layer!)) fail(s.entry.place, "is not connected to the model's outputs");
  }
  return {
    wanted, activationFloats: floats,
    build: (batchSize) => atPlace(path, () => new Model<SymbolicTensor | SymbolicTensor[]>({
      inputs, outputs: outputs.length === 1 ? outputs[0]! : outputs, name, batchSize,
    })),
  };
}

/**
 * Reads a Keras JSON topology (`modelTopology`, with or without the
 * converter's `model_config` wrapper) into layers applied symbolically.
 * `manifest`, the weights the file holds, supplies a depthwise layer's
 * `depth_multiplier` when the config leaves it out.
 */
export function readTopology(value: unknown, path: string, manifest?: readonly ManifestEntry[]): ReadGraph {
  let topology = readObject(value, path);
  let at = path;
  const wrapped = own(topology, "model_config");
  if (wrapped !== undefined && wrapped !== null) {
    at = `${path}.model_config`;
    topology = readObject(wrapped, at);
  }
  const cls = readString(own(topology, "class_name"), `${at}.class_name`);
  const config = own(topology, "config");
  if (cls === "Sequential") return readSequential(config, `${at}.config`, manifest);
  if (cls === "Model" || cls === "Functional") return readFunctional(config, `${at}.config`, manifest);
  return fail(`${at}.class_name`, `expected "Sequential", "Model" or "Functional", got ${describeJson(cls)}`);
}

export { isObject };
