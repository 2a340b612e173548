// TensorFlow.js contestants: the wasm backend (SIMD binary, one thread) and
// the cpu backend (plain JS). Both share one tfjs-core engine; each prepared
// workload switches to its own backend first, and all tensors it times were
// created on that backend, so no cross-backend copies hide in the timings.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { nameBinaries, takeCompiledSizes } from "./wasm-spy.mjs";
import { BN_EPSILON, weightsByNode } from "./models.mjs";

// The tfjs packages are CommonJS with no "exports" map; require them so core
// and both backends are one instance (one engine, one kernel registry).
const require = createRequire(import.meta.url);

let tf = null;
let tfl = null;
let wasmBackend = null;

function loadTf() {
  if (tf) return;
  tf = require("@tensorflow/tfjs-core");
  require("@tensorflow/tfjs-backend-cpu");
  wasmBackend = require("@tensorflow/tfjs-backend-wasm");
  // Production mode, as a deployed app runs: no debug checks, no
  // "install tfjs-node" banner in the middle of the table.
  tf.env().set("PROD", true);
}

/** Directory holding the tfjs-backend-wasm binaries (node_modules, never the network). */
function wasmDir() {
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
}

function tfActivation(act) {
  return act === "softmax" ? "linear" : act;
}

/** One conv/pool/dense stack as tf ops; `h` is an NHWC tensor. */
function forwardModel(spec, weights, x, batch) {
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

/** tfjs-layers over the one tfjs-core instance (graph models use its functional API). */
export function tfLayers() {
  loadTf();
  tfl ??= require("@tensorflow/tfjs-layers");
  return tfl;
}

/**
 * A graph spec (models.mjs) as a tfjs-layers functional model (tfl.input,
 * layer.apply, tfl.model), on the current backend, with the spec's node
 * names as layer names.
 */
export function buildTfGraphModel(spec) {
  const L = tfLayers();
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
export function loadTfGraphWeights(model, spec, weights) {
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

/** What each tfjs backend loaded, noted at its first setup (wasm compiles once). */
const backendNotes = new Map();

/**
 * Loads tfjs (once) and switches to `backendName` ("cpu" or "wasm"), setting
 * the wasm backend up for one thread from node_modules first. Returns what
 * was loaded; shared with the training contestants (train-tfjs.mjs), so
 * both suites drive one engine.
 */
export async function useTfBackend(backendName) {
  loadTf();
  if (backendNotes.has(backendName)) {
    if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend('${backendName}') failed`);
    return backendNotes.get(backendName);
  }
  takeCompiledSizes();
  if (backendName === "wasm") {
    // In Node the emscripten loader reads a file path with fs; a directory
    // prefix is enough. Threads off: the threaded build wants Workers and
    // this suite measures one core.
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    wasmBackend.setWasmPaths(wasmDir());
    wasmBackend.setThreadsCount(1);
  }
  if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend('${backendName}') failed`);
  await tf.ready();
  let note = `tfjs-backend-cpu ${tf.version_core}`;
  if (backendName === "wasm") {
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    const files = nameBinaries(takeCompiledSizes(), [wasmDir()]);
    note = `${files.join(", ") || "?"} (SIMD ${simd ? "on" : "OFF"}, threads ${wasmBackend.getThreadsCount()})`;
  }
  backendNotes.set(backendName, note);
  return note;
}

/** The shared tfjs-core instance (after {@link useTfBackend}). */
export function tfCore() {
  loadTf();
  return tf;
}

function makeContestant(id, label, backendName) {
  let loaded = null;
  return {
    id,
    label,
    group: "peer",
    async setup() {
      loaded = await useTfBackend(backendName);
      return loaded;
    },
    supports() {
      return true;
    },
    async prepare(wl, data) {
      await tf.setBackend(backendName);
      const held = [];
      const keep = (t) => (held.push(t), t);
      let step;
      if (wl.kind === "gemm") {
        const a = keep(tf.tensor2d(data.a, [wl.m, wl.k]));
        const b = keep(tf.tensor2d(data.b, [wl.k, wl.n]));
        const bias = wl.bias ? keep(tf.tensor1d(data.bias)) : undefined;
        step = wl.bias || wl.activation !== "linear"
          ? () => tf.fused.matMul({ a, b, bias, activation: wl.activation })
          : () => tf.matMul(a, b);
      } else if (wl.kind === "conv") {
        const x = keep(tf.tensor4d(data.x, [wl.batch, wl.h, wl.w, wl.cin]));
        const filter = keep(tf.tensor4d(data.w, [wl.kh, wl.kw, wl.cin, wl.cout]));
        const bias = keep(tf.tensor1d(data.bias));
        step = () => tf.fused.conv2d({ x, filter, bias, strides: wl.stride, pad: wl.padding, activation: wl.activation });
      } else if (wl.kind === "depthwise") {
        // One fused op on both backends: the wasm backend's FusedDepthwiseConv2D
        // runs bias and relu inside its XNNPACK depthwise kernel; the cpu
        // backend's FusedDepthwiseConv2D is a depthwise pass, then an add and
        // a relu pass over the output (cpu kernels/FusedDepthwiseConv2D.js).
        const x = keep(tf.tensor4d(data.x, [wl.batch, wl.h, wl.w, wl.cin]));
        const filter = keep(tf.tensor4d(data.w, [wl.kh, wl.kw, wl.cin, wl.multiplier]));
        const bias = keep(tf.tensor1d(data.bias));
        step = () => tf.fused.depthwiseConv2d({ x, filter, bias, strides: wl.stride, pad: wl.padding, activation: wl.activation });
      } else if (wl.kind === "maxpool") {
        const x = keep(tf.tensor4d(data.x, [wl.batch, wl.h, wl.w, wl.c]));
        step = () => tf.maxPool(x, wl.pool, wl.stride, "valid");
      } else if (wl.kind === "model" && wl.spec.graph) {
        // Graph models go through tfjs-layers' functional API, as a user
        // would build a ResNet; predict with the whole batch in one call
        // (predict's default batchSize is 32).
        const [h, w, c] = wl.spec.inputShape;
        const x = keep(tf.tensor4d(data.x, [wl.batch, h, w, c]));
        const model = buildTfGraphModel(wl.spec);
        held.push(model);
        loadTfGraphWeights(model, wl.spec, data.weights);
        step = () => model.predict(x, { batchSize: wl.batch });
      } else if (wl.kind === "model") {
        const [h, w, c] = wl.spec.inputShape;
        const x = keep(tf.tensor4d(data.x, [wl.batch, h, w, c]));
        const shapes = wl.spec.layers.flatMap((l) => l.weightShapes);
        const weights = data.weights.map((arr, i) => keep(tf.tensor(arr, shapes[i])));
        step = () => tf.tidy(() => forwardModel(wl.spec, weights, x, wl.batch));
      }
      // Kernels execute eagerly on both backends, so kernel rows time the op
      // alone; model rows include reading the result back, as an app would.
      const readBack = wl.kind === "model";
      return {
        run() {
          const y = step();
          if (readBack) y.dataSync();
          y.dispose();
        },
        result() {
          const y = step();
          const out = y.dataSync().slice();
          y.dispose();
          return out;
        },
        dispose() {
          for (const t of held) t.dispose();
        },
      };
    },
  };
}

export const tfjsWasm = () => makeContestant("tfjs-wasm", "TF.js wasm", "wasm");
export const tfjsCpu = () => makeContestant("tfjs-cpu", "TF.js cpu", "cpu");
