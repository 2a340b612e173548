// TensorFlow.js contestants: the wasm backend (SIMD binary, one thread) and
// the cpu backend (plain JS). Both share one tfjs-core engine; each prepared
// workload switches to its own backend first, and all tensors it times were
// created on that backend, so no cross-backend copies hide in the timings.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { nameBinaries, takeCompiledSizes } from "./wasm-spy.mjs";
import { setTfGraphWeights, tfForward, tfGraphModel } from "./tfjs-models.mjs";

export { readTfGraphWeights } from "./tfjs-models.mjs";

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

/** tfjs-layers over the one tfjs-core instance (graph models use its functional API). */
export function tfLayers() {
  loadTf();
  tfl ??= require("@tensorflow/tfjs-layers");
  return tfl;
}

/** A graph spec (models.mjs) as a tfjs-layers functional model, on the current backend. */
export function buildTfGraphModel(spec) {
  return tfGraphModel(tfLayers(), spec);
}

/** Sets a tfjs graph model's weights layer by layer, by name, from the flat list of models.mjs. */
export function loadTfGraphWeights(model, spec, weights) {
  setTfGraphWeights(tf, model, spec, weights);
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
        step = () => tf.tidy(() => tfForward(tf, wl.spec, weights, x, wl.batch));
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
