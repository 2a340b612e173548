// Adapts the training exports of a simdcnn kernel binary (assembly/backward.ts)
// to `TrainingKernels`: geometry objects are unpacked into i32 arguments in
// `WindowGeometry` declaration order; everything else passes through.

import type { ActivationId } from "../../assembly/shared/ids.js";
import type { LinearMemory, WindowGeometry } from "./kernels.js";
import type { TrainingKernels } from "./kernels-train.js";

type Geometry12 = [
  batch: number, inH: number, inW: number, cin: number, outH: number, outW: number,
  kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number,
];

/** The raw training exports (pointers and sizes are numbers). */
interface TrainingExports {
  gemmBackwardInput(dy: number, w: number, dx: number, m: number, k: number, n: number): void;
  gemmBackwardFilter(x: number, dy: number, dw: number, dbias: number, m: number, k: number, n: number): void;
  biasBackward(dy: number, dbias: number, rows: number, n: number): void;
  conv2dBackwardInput(...args: [...Geometry12, dy: number, w: number, dx: number, cout: number, scratch: number]): void;
  conv2dBackwardFilter(...args: [...Geometry12, x: number, dy: number, dw: number, dbias: number, cout: number]): void;
  conv2dBackwardScratchSize(...args: [...Geometry12, cout: number]): number;
  maxPool2dBackward(...args: [...Geometry12, x: number, dy: number, dx: number]): void;
  avgPool2dBackward(...args: [...Geometry12, dy: number, dx: number]): void;
  globalAvgPool2dBackward(batch: number, height: number, width: number, channels: number, dy: number, dx: number): void;
  activationBackward(y: number, dy: number, dx: number, length: number, act: number, alpha: number): void;
  softmaxCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, cols: number): number;
  sparseSoftmaxCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, cols: number): number;
  sigmoidBinaryCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, cols: number): number;
  meanSquaredError(y: number, labels: number, dy: number, rows: number, cols: number): number;
  sgdUpdate(w: number, g: number, v: number, length: number, lr: number, momentum: number): void;
  adamUpdate(w: number, g: number, m: number, v: number, length: number,
             beta1: number, beta2: number, epsilon: number, lrHat: number, rsc2: number): void;
}

/** Every export `bindWasmTrainingKernels` needs; checked up front so a stale binary fails loudly. */
export const TRAINING_EXPORTS: readonly (keyof TrainingExports)[] = [
  "gemmBackwardInput", "gemmBackwardFilter", "biasBackward", "conv2dBackwardInput", "conv2dBackwardFilter",
  "conv2dBackwardScratchSize", "maxPool2dBackward", "avgPool2dBackward", "globalAvgPool2dBackward", "activationBackward",
  "softmaxCrossEntropy", "sparseSoftmaxCrossEntropy", "sigmoidBinaryCrossEntropy", "meanSquaredError",
  "sgdUpdate", "adamUpdate",
];

const unpack = (g: WindowGeometry): Geometry12 => [
  g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
  g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft,
];

/**
 * Binds the training exports of an instantiated kernel binary.
 * @param exports `instance.exports` of a binary built from assembly/index.ts
 *   (which re-exports assembly/backward.ts).
 * @param _memory the instance's memory (the kernels address it through their own
 *   exports; taken so both backends have the same factory shape).
 * @throws Error naming the missing exports when the binary predates the training kernels.
 * @example
 * const train = bindWasmTrainingKernels(instance.exports, instance.exports.memory);
 */
export function bindWasmTrainingKernels(exports: Record<string, unknown>, _memory?: LinearMemory): TrainingKernels {
  const missing = TRAINING_EXPORTS.filter((name) => typeof exports[name] !== "function");
  if (missing.length > 0) {
    throw new Error(`not a simdcnn training binary: missing export(s) ${missing.join(", ")}`);
  }
  const e = exports as unknown as TrainingExports;
  return {
    gemmBackwardInput: (dy, w, dx, m, k, n) => e.gemmBackwardInput(dy, w, dx, m, k, n),
    gemmBackwardFilter: (x, dy, dw, dbias, m, k, n) => e.gemmBackwardFilter(x, dy, dw, dbias, m, k, n),
    biasBackward: (dy, dbias, rows, n) => e.biasBackward(dy, dbias, rows, n),
    conv2dBackwardInput: (g, dy, w, dx, outChannels, scratch = 0) =>
      e.conv2dBackwardInput(...unpack(g), dy, w, dx, outChannels, scratch),
    conv2dBackwardFilter: (g, x, dy, dw, dbias, outChannels) =>
      e.conv2dBackwardFilter(...unpack(g), x, dy, dw, dbias, outChannels),
    conv2dBackwardScratchSize: (g, outChannels) => e.conv2dBackwardScratchSize(...unpack(g), outChannels),
    maxPool2dBackward: (g, x, dy, dx) => e.maxPool2dBackward(...unpack(g), x, dy, dx),
    avgPool2dBackward: (g, dy, dx) => e.avgPool2dBackward(...unpack(g), dy, dx),
    globalAvgPool2dBackward: (batch, height, width, channels, dy, dx) =>
      e.globalAvgPool2dBackward(batch, height, width, channels, dy, dx),
    activationBackward: (y, dy, dx, length, act: ActivationId, alpha) => e.activationBackward(y, dy, dx, length, act, alpha),
    softmaxCrossEntropy: (logits, labels, dlogits, rows, cols) => e.softmaxCrossEntropy(logits, labels, dlogits, rows, cols),
    sparseSoftmaxCrossEntropy: (logits, labels, dlogits, rows, cols) =>
      e.sparseSoftmaxCrossEntropy(logits, labels, dlogits, rows, cols),
    sigmoidBinaryCrossEntropy: (logits, labels, dlogits, rows, cols) =>
      e.sigmoidBinaryCrossEntropy(logits, labels, dlogits, rows, cols),
    meanSquaredError: (y, labels, dy, rows, cols) => e.meanSquaredError(y, labels, dy, rows, cols),
    sgdUpdate: (w, g, v, length, lr, momentum) => e.sgdUpdate(w, g, v, length, lr, momentum),
    adamUpdate: (w, g, m, v, length, lr, beta1, beta2, epsilon, step) => {
      // The bias corrections in JS's f64 (see assembly/optimizer/f32_adam.ts).
      const t = Math.max(step, 1);
      e.adamUpdate(w, g, m, v, length, beta1, beta2, epsilon, lr / (1 - beta1 ** t), 1 / Math.sqrt(1 - beta2 ** t));
    },
  };
}
