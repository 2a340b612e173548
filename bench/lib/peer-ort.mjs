// ONNX Runtime Web contestant (wasm execution provider, one thread). Each
// workload becomes a small ONNX graph written by ./onnx.mjs; ORT is NCHW, so
// inputs, filters and dense-after-flatten rows are converted once here,
// outside the timed region, and outputs converted back only for checking.

import { createRequire } from "node:module";
import { dirname } from "node:path";
import { DataType, OnnxGraph } from "./onnx.mjs";
import { BN_EPSILON, weightsByNode } from "./models.mjs";
import { denseRowsHwcToChw, hwioToOihw, nchwToNhwc, nhwcToNchw, windowAxis } from "./data.mjs";
import { nameBinaries, takeCompiledSizes } from "./wasm-spy.mjs";

const require = createRequire(import.meta.url);
let ort = null;

function ortDist() {
  // The package's "exports" hides package.json; its node entry lives in dist/.
  return dirname(require.resolve("onnxruntime-web")) + "/";
}

/** Conv (+ Relu) node on an NCHW value; returns the output name. */
function convNode(g, input, name, { w, bias, kh, kw, cin, cout, pads, activation }) {
  const wName = g.initializer(`${name}_w`, [cout, cin, kh, kw], hwioToOihw(w, kh, kw, cin, cout));
  const bName = g.initializer(`${name}_b`, [cout], bias);
  const y = g.node("Conv", [input, wName, bName], { kernel_shape: [kh, kw], pads, strides: [1, 1] });
  return activation === "relu" ? g.node("Relu", [y]) : y;
}

/** Gemm (+ Relu/Softmax) node on a [rows, k] value. */
function denseNode(g, input, name, { w, bias, k, n, activation }) {
  const wName = g.initializer(`${name}_w`, [k, n], w);
  const bName = g.initializer(`${name}_b`, [n], bias);
  const y = g.node("Gemm", [input, wName, bName]);
  if (activation === "relu") return g.node("Relu", [y]);
  if (activation === "softmax") return g.node("Softmax", [y], { axis: -1 });
  return y;
}

/**
 * A graph spec (models.mjs) as ONNX: Conv (no bias), BatchNormalization
 * (inference form, Keras' epsilon), Relu, Add, GlobalAveragePool + Flatten,
 * Gemm + Softmax. ORT's optimizer folds and fuses what it can at session
 * creation (graphOptimizationLevel "all").
 */
function graphModel(wl, data) {
  const g = new OnnxGraph();
  const [h0, w0, c0] = wl.spec.inputShape;
  const values = new Map([["input", g.input("x", [wl.batch, c0, h0, w0])]]);
  const weights = new Map(weightsByNode(wl.spec, data.weights).map(({ node, arrays }) => [node.name, arrays]));
  for (const n of wl.spec.nodes) {
    const xs = n.inputs.map((name) => values.get(name));
    const ws = weights.get(n.name);
    let y;
    if (n.type === "conv") {
      const [h, w, cin] = n.input;
      const rows = windowAxis(h, n.kernel, n.strides, n.padding);
      const cols = windowAxis(w, n.kernel, n.strides, n.padding);
      const inputs = [xs[0], g.initializer(`${n.name}_w`, [n.filters, cin, n.kernel, n.kernel], hwioToOihw(ws[0], n.kernel, n.kernel, cin, n.filters))];
      if (n.useBias) inputs.push(g.initializer(`${n.name}_b`, [n.filters], ws[1]));
      y = g.node("Conv", inputs, {
        kernel_shape: [n.kernel, n.kernel], pads: [rows.before, cols.before, rows.after, cols.after], strides: [n.strides, n.strides],
      });
    } else if (n.type === "bn") {
      const c = n.weightShapes[0][0];
      const names = ["gamma", "beta", "mean", "var"].map((k, i) => g.initializer(`${n.name}_${k}`, [c], ws[i]));
      y = g.node("BatchNormalization", [xs[0], ...names], { epsilon: { float: BN_EPSILON } });
    } else if (n.type === "dwconv") {
      // A grouped Conv with group = C, as tf2onnx writes a DepthwiseConv2D.
      const [h, w, c] = n.input;
      const rows = windowAxis(h, n.kernel, n.strides, n.padding);
      const cols = windowAxis(w, n.kernel, n.strides, n.padding);
      const inputs = [xs[0], g.initializer(`${n.name}_w`, [c, 1, n.kernel, n.kernel], hwioToOihw(ws[0], n.kernel, n.kernel, 1, c))];
      if (n.useBias) inputs.push(g.initializer(`${n.name}_b`, [c], ws[1]));
      y = g.node("Conv", inputs, {
        group: c, kernel_shape: [n.kernel, n.kernel], pads: [rows.before, cols.before, rows.after, cols.after],
        strides: [n.strides, n.strides],
      });
    } else if (n.type === "zeropad") {
      // An explicit Pad, as tf2onnx writes ZeroPadding2D; ORT's optimizer folds it into the next Conv.
      const [[top, bottom], [left, right]] = n.padding;
      const pads = g.initializer(`${n.name}_pads`, [8], [0, 0, top, left, 0, 0, bottom, right], DataType.INT64);
      y = g.node("Pad", [xs[0], pads]);
    } else if (n.type === "relu6") {
      // Clip(0, 6), as tf2onnx writes Keras' ReLU(6); ORT fuses it into the Conv before it.
      const lo = g.initializer(`${n.name}_min`, [], [0]);
      const hi = g.initializer(`${n.name}_max`, [], [6]);
      y = g.node("Clip", [xs[0], lo, hi]);
    } else if (n.type === "relu") {
      y = g.node("Relu", xs);
    } else if (n.type === "add") {
      y = g.node("Add", xs);
    } else if (n.type === "gap") {
      y = g.node("Flatten", [g.node("GlobalAveragePool", xs)], { axis: 1 });
    } else if (n.type === "dense") {
      y = denseNode(g, xs[0], n.name, { w: ws[0], bias: ws[1], k: n.input[0], n: n.units, activation: n.activation });
    } else {
      throw new Error(`ORT: unknown node type ${n.type}`);
    }
    values.set(n.name, y);
  }
  const y = values.get(wl.spec.nodes[wl.spec.nodes.length - 1].name);
  g.output(y, [wl.batch, wl.spec.outputShape[0]]);
  return { g, y, feed: nhwcToNchw(data.x, wl.batch, h0, w0, c0), feedShape: [wl.batch, c0, h0, w0], outNchw: null };
}

/** The ONNX graph for one workload, and the NCHW feed for it. */
function buildGraph(wl, data) {
  if (wl.kind === "model" && wl.spec.graph) return graphModel(wl, data);
  const g = new OnnxGraph();
  if (wl.kind === "gemm") {
    const x = g.input("x", [wl.m, wl.k]);
    let y;
    if (wl.bias) {
      y = denseNode(g, x, "dense", { w: data.b, bias: data.bias, k: wl.k, n: wl.n, activation: wl.activation });
    } else {
      y = g.node("MatMul", [x, g.initializer("b", [wl.k, wl.n], data.b)]);
    }
    g.output(y, [wl.m, wl.n]);
    return { g, y, feed: data.a, feedShape: [wl.m, wl.k], outNchw: null };
  }
  if (wl.kind === "conv") {
    const x = g.input("x", [wl.batch, wl.cin, wl.h, wl.w]);
    const y = convNode(g, x, "conv", { ...wl, w: data.w, bias: data.bias });
    g.output(y, [wl.batch, wl.cout, wl.oh, wl.ow]);
    return {
      g, y,
      feed: nhwcToNchw(data.x, wl.batch, wl.h, wl.w, wl.cin),
      feedShape: [wl.batch, wl.cin, wl.h, wl.w],
      outNchw: [wl.batch, wl.cout, wl.oh, wl.ow],
    };
  }
  if (wl.kind === "depthwise") {
    // Depthwise is a grouped Conv with group = C: weights [C*M, 1, kh, kw].
    // The Keras kernel [kh, kw, C, M] is HWIO with I = 1 and O = C*M (output
    // channel c*M + m in both), so hwioToOihw reorders it. Bias is the Conv's
    // third input; ORT's optimizer fuses Conv + Relu into one FusedConv node
    // (seen in its profiler, enableProfiling: true: op_name "FusedConv", CPUExecutionProvider).
    const x = g.input("x", [wl.batch, wl.cin, wl.h, wl.w]);
    const wName = g.initializer("dw_w", [wl.cout, 1, wl.kh, wl.kw], hwioToOihw(data.w, wl.kh, wl.kw, 1, wl.cout));
    const bName = g.initializer("dw_b", [wl.cout], data.bias);
    const conv = g.node("Conv", [x, wName, bName], {
      group: wl.cin, kernel_shape: [wl.kh, wl.kw], pads: wl.pads, strides: [wl.stride, wl.stride],
    });
    const y = wl.activation === "relu" ? g.node("Relu", [conv]) : conv;
    g.output(y, [wl.batch, wl.cout, wl.oh, wl.ow]);
    return {
      g, y,
      feed: nhwcToNchw(data.x, wl.batch, wl.h, wl.w, wl.cin),
      feedShape: [wl.batch, wl.cin, wl.h, wl.w],
      outNchw: [wl.batch, wl.cout, wl.oh, wl.ow],
    };
  }
  if (wl.kind === "maxpool") {
    const x = g.input("x", [wl.batch, wl.c, wl.h, wl.w]);
    const y = g.node("MaxPool", [x], { kernel_shape: [wl.pool, wl.pool], strides: [wl.stride, wl.stride] });
    g.output(y, [wl.batch, wl.c, wl.oh, wl.ow]);
    return {
      g, y,
      feed: nhwcToNchw(data.x, wl.batch, wl.h, wl.w, wl.c),
      feedShape: [wl.batch, wl.c, wl.h, wl.w],
      outNchw: [wl.batch, wl.c, wl.oh, wl.ow],
    };
  }
  // Whole model.
  const [h0, w0, c0] = wl.spec.inputShape;
  let y = g.input("x", [wl.batch, c0, h0, w0]);
  let wi = 0;
  let flattenedFrom = null;
  wl.spec.layers.forEach((layer, i) => {
    if (layer.type === "conv") {
      const [h, w, cin] = layer.input;
      const rows = windowAxis(h, layer.kernel, 1, layer.padding);
      const cols = windowAxis(w, layer.kernel, 1, layer.padding);
      y = convNode(g, y, `l${i}`, {
        w: data.weights[wi++], bias: data.weights[wi++], kh: layer.kernel, kw: layer.kernel, cin,
        cout: layer.filters, pads: [rows.before, cols.before, rows.after, cols.after], activation: layer.activation,
      });
    } else if (layer.type === "maxpool") {
      y = g.node("MaxPool", [y], { kernel_shape: [layer.pool, layer.pool], strides: [layer.pool, layer.pool] });
    } else if (layer.type === "flatten") {
      flattenedFrom = layer.input;
      y = g.node("Flatten", [y], { axis: 1 });
    } else if (layer.type === "dense") {
      let w = data.weights[wi++];
      // The first dense after Flatten sees CHW order in ONNX, HWC in Keras.
      if (flattenedFrom) w = denseRowsHwcToChw(w, ...flattenedFrom, layer.units);
      flattenedFrom = null;
      y = denseNode(g, y, `l${i}`, { w, bias: data.weights[wi++], k: layer.input[0], n: layer.units, activation: layer.activation });
    }
  });
  g.output(y, [wl.batch, wl.spec.outputShape[0]]);
  return { g, y, feed: nhwcToNchw(data.x, wl.batch, h0, w0, c0), feedShape: [wl.batch, c0, h0, w0], outNchw: null };
}

/** ONNX Runtime Web, wasm EP, numThreads = 1, binaries from node_modules. */
export function onnxRuntime() {
  return {
    id: "ort",
    label: "ORT web wasm",
    group: "peer",
    async setup() {
      ort = await import("onnxruntime-web");
      ort.env.wasm.numThreads = 1;
      // A directory prefix: in Node the loader imports <prefix>ort-wasm-*.mjs
      // and reads the matching .wasm with fs; nothing is fetched.
      ort.env.wasm.wasmPaths = ortDist();
      ort.env.logLevel = "error";
      takeCompiledSizes();
      // Initialization is lazy: a one-node session makes ORT load its binary now.
      const g = new OnnxGraph();
      g.output(g.node("Relu", [g.input("x", [4])]), [4]);
      const s = await ort.InferenceSession.create(g.toModel(), { executionProviders: ["wasm"] });
      await s.release();
      const wasm = nameBinaries(takeCompiledSizes(), [ortDist()]);
      // ORT always pairs ort-wasm-X.wasm with its loader ort-wasm-X.mjs.
      const mjs = wasm.map((f) => f.replace(/\.wasm$/, ".mjs"));
      return `${wasm.join(", ") || "?"} via ${mjs.join(", ") || "?"} (ORT ${ort.env.versions?.web ?? "?"}, threads ${ort.env.wasm.numThreads})`;
    },
    supports() {
      return true;
    },
    async prepare(wl, data) {
      const { g, y, feed, feedShape, outNchw } = buildGraph(wl, data);
      const session = await ort.InferenceSession.create(g.toModel(), {
        executionProviders: ["wasm"],
        graphOptimizationLevel: "all",
      });
      const feeds = { x: new ort.Tensor("float32", feed, feedShape) };
      return {
        async run() {
          const out = await session.run(feeds);
          out[y].dispose?.();
        },
        async result() {
          const out = await session.run(feeds);
          const data = out[y].data.slice();
          return outNchw ? nchwToNhwc(data, ...outNchw) : data;
        },
        dispose() {
          return session.release();
        },
      };
    },
  };
}
