// Runs one training-kernel call on any backend with the same host-side inputs
// and returns copies of its outputs, after checking guard bands and that no
// input was modified (tests/support/arena.ts). Called once with the JS oracle
// and once per wasm binary.

import type { ActivationId } from "../../assembly/shared/ids.js";
import { depthwiseGeometry, windowGeometry, type DepthwiseCase, type WindowCase } from "./geometry.js";
import { freshArena } from "./run.js";
import type { TrainingBackend } from "./train-backends.js";

export interface DenseBackwardInputs {
  m: number;
  k: number;
  n: number;
  /** Forward input [m, k]. */
  x: Float32Array;
  /** Raw kernel [k, n]. */
  w: Float32Array;
  /** Upstream gradient [m, n]. */
  dy: Float32Array;
  bias: boolean;
}

export interface LayerGradients {
  dx: Float32Array;
  dw: Float32Array;
  dbias: Float32Array | null;
}

export function runDenseBackward(be: TrainingBackend, d: DenseBackwardInputs, context: string): LayerGradients {
  const arena = freshArena(be.kernels);
  const x = arena.upload(d.x, "x");
  const w = arena.upload(d.w, "w");
  const dy = arena.upload(d.dy, "dy");
  const dx = arena.alloc(d.m * d.k, "dx");
  const dw = arena.alloc(d.k * d.n, "dw");
  const dbias = d.bias ? arena.alloc(d.n, "dbias") : 0;
  be.train.gemmBackwardInput(dy, w, dx, d.m, d.k, d.n);
  be.train.gemmBackwardFilter(x, dy, dw, dbias, d.m, d.k, d.n);
  arena.verify(`${be.name} dense backward ${context}`);
  return {
    dx: arena.read(dx, d.m * d.k),
    dw: arena.read(dw, d.k * d.n),
    dbias: d.bias ? arena.read(dbias, d.n) : null,
  };
}

export interface ConvBackwardInputs {
  shape: WindowCase;
  outChannels: number;
  x: Float32Array;
  /** Raw Keras kernel [kh, kw, cin, cout]. */
  w: Float32Array;
  /** Upstream gradient [batch, outH, outW, cout]. */
  dy: Float32Array;
  bias: boolean;
}

export function runConvBackward(be: TrainingBackend, c: ConvBackwardInputs, context: string): LayerGradients {
  const g = windowGeometry(c.shape);
  const arena = freshArena(be.kernels);
  const x = arena.upload(c.x, "x");
  const w = arena.upload(c.w, "w");
  const dy = arena.upload(c.dy, "dy");
  const dx = arena.alloc(c.x.length, "dx");
  const dw = arena.alloc(c.w.length, "dw");
  const dbias = c.bias ? arena.alloc(c.outChannels, "dbias") : 0;
  be.train.conv2dBackwardInput(g, dy, w, dx, c.outChannels);
  be.train.conv2dBackwardFilter(g, x, dy, dw, dbias, c.outChannels);
  arena.verify(`${be.name} conv2d backward ${context}`);
  return {
    dx: arena.read(dx, c.x.length),
    dw: arena.read(dw, c.w.length),
    dbias: c.bias ? arena.read(dbias, c.outChannels) : null,
  };
}

export interface DepthwiseBackwardInputs {
  shape: DepthwiseCase;
  x: Float32Array;
  /** Raw Keras kernel [kh, kw, C, M]. */
  w: Float32Array;
  /** Upstream gradient [batch, outH, outW, C*M]. */
  dy: Float32Array;
  bias: boolean;
}

export function runDepthwiseBackward(be: TrainingBackend, c: DepthwiseBackwardInputs, context: string): LayerGradients {
  const s = c.shape;
  const g = depthwiseGeometry(s);
  const cm = s.inChannels * s.depthMultiplier;
  const arena = freshArena(be.kernels);
  const x = arena.upload(c.x, "x");
  const w = arena.upload(c.w, "w");
  const dy = arena.upload(c.dy, "dy");
  const dx = arena.alloc(c.x.length, "dx");
  const dw = arena.alloc(c.w.length, "dw");
  const dbias = c.bias ? arena.alloc(cm, "dbias") : 0;
  be.train.depthwiseConv2dBackwardInput(g, s.dilationHeight, s.dilationWidth, dy, w, dx, s.depthMultiplier);
  be.train.depthwiseConv2dBackwardFilter(g, s.dilationHeight, s.dilationWidth, x, dy, dw, dbias, s.depthMultiplier);
  arena.verify(`${be.name} depthwise backward ${context}`);
  return {
    dx: arena.read(dx, c.x.length),
    dw: arena.read(dw, c.w.length),
    dbias: c.bias ? arena.read(dbias, cm) : null,
  };
}

export type PoolMode = "max" | "avg";

/** dx of max or average pooling; `x` is the forward input (only max pooling reads it). */
export function runPoolBackward(be: TrainingBackend, mode: PoolMode, shape: WindowCase, xData: Float32Array,
                                dyData: Float32Array, context: string): Float32Array {
  const g = windowGeometry(shape);
  const arena = freshArena(be.kernels);
  const x = arena.upload(xData, "x");
  const dy = arena.upload(dyData, "dy");
  const dx = arena.alloc(xData.length, "dx");
  if (mode === "max") be.train.maxPool2dBackward(g, x, dy, dx);
  else be.train.avgPool2dBackward(g, dy, dx);
  arena.verify(`${be.name} ${mode}Pool2dBackward ${context}`);
  return arena.read(dx, xData.length);
}

export function runGlobalAvgPoolBackward(be: TrainingBackend, batch: number, height: number, width: number,
                                         channels: number, dyData: Float32Array, context: string): Float32Array {
  const arena = freshArena(be.kernels);
  const dy = arena.upload(dyData, "dy");
  const length = batch * height * width * channels;
  const dx = arena.alloc(length, "dx");
  be.train.globalAvgPool2dBackward(batch, height, width, channels, dy, dx);
  arena.verify(`${be.name} globalAvgPool2dBackward ${context}`);
  return arena.read(dx, length);
}

export function runActivationBackward(be: TrainingBackend, yData: Float32Array, dyData: Float32Array,
                                      act: ActivationId, alpha: number, inPlace: boolean,
                                      context: string): Float32Array {
  const arena = freshArena(be.kernels);
  const y = arena.upload(yData, "y");
  const dy = arena.upload(dyData, "dy");
  const dx = inPlace ? dy : arena.alloc(yData.length, "dx");
  if (inPlace) arena.markWritable(dy);
  be.train.activationBackward(y, dy, dx, yData.length, act, alpha);
  arena.verify(`${be.name} activationBackward ${context}`);
  return arena.read(dx, yData.length);
}

export type LossKind = "softmaxCrossEntropy" | "sparseSoftmaxCrossEntropy" | "sigmoidBinaryCrossEntropy" |
  "meanSquaredError";

export interface LossResult {
  loss: number;
  grad: Float32Array;
}

/** One fused loss: `labels` is [rows, cols], or [rows] for the sparse loss. */
export function runLoss(be: TrainingBackend, kind: LossKind, input: Float32Array, labelData: Float32Array,
                        rows: number, cols: number, inPlace: boolean, context: string): LossResult {
  const arena = freshArena(be.kernels);
  const x = arena.upload(input, "input");
  const labels = arena.upload(labelData, "labels");
  const grad = inPlace ? x : arena.alloc(input.length, "grad");
  if (inPlace) arena.markWritable(x);
  const loss = be.train[kind](x, labels, grad, rows, cols);
  arena.verify(`${be.name} ${kind} ${context}`);
  return { loss, grad: arena.read(grad, input.length) };
}

export type OptimizerConfig =
  | { kind: "sgd"; learningRate: number; momentum: number; /** false: no velocity buffer (v = 0). */ velocity: boolean }
  | { kind: "adam"; learningRate: number; beta1: number; beta2: number; epsilon: number };

export interface OptimizerResult {
  w: Float32Array;
  /** Velocity (sgd with a buffer) or [m, v] (adam) after the last step. */
  state: Float32Array[];
}

/** Applies one optimizer step per gradient in `grads` to `w0`; state starts at 0. */
export function runOptimizerSteps(be: TrainingBackend, config: OptimizerConfig, w0: Float32Array,
                                  grads: readonly Float32Array[], context: string): OptimizerResult {
  const arena = freshArena(be.kernels);
  const n = w0.length;
  const w = arena.upload(w0, "w");
  arena.markWritable(w);
  const g = arena.alloc(n, "g");
  const zeros = new Float32Array(n);
  const states = (config.kind === "adam" ? ["m", "v"] : config.velocity ? ["velocity"] : []).map((label) => {
    const p = arena.upload(zeros, label);
    arena.markWritable(p);
    return p;
  });
  grads.forEach((grad, i) => {
    arena.f32().set(grad, g / 4);
    if (config.kind === "sgd") {
      be.train.sgdUpdate(w, g, states[0] ?? 0, n, config.learningRate, config.momentum);
    } else {
      be.train.adamUpdate(w, g, states[0], states[1], n, config.learningRate, config.beta1, config.beta2,
        config.epsilon, i + 1);
    }
  });
  arena.verify(`${be.name} ${config.kind} ${context}`);
  return { w: arena.read(w, n), state: states.map((p) => arena.read(p, n)) };
}
