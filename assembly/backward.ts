// The training half of the wasm export surface (re-exported by index.ts, and
// the training halves' own through training.ts): backward passes, optimizer
// updates and what only a training step runs forward (dropout, BatchNorm's
// batch statistics, the divergence check). Conv2D's input gradient is in the
// inference half: it is Conv2DTranspose's forward pass. Export names are the
// `TrainingKernels` method names of src/backend/kernels-train.ts; a
// `WindowGeometry` is passed unpacked as i32 arguments in its declaration
// order (batch, inHeight, inWidth, inChannels, outHeight, outWidth,
// kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft).
// Pointers are byte offsets into the exported `memory`; sizes count f32.
// Losses return the mean loss as f64; optimizer hyperparameters are f64.
// src/backend/wasm-exports.ts lists these exports too (one line each).

import { f32_gemm_bwd_input } from "./gemm/f32_gemm_bwd_input";
import { f32_gemm_bwd_filter } from "./gemm/f32_gemm_bwd_filter";
import { f32_bias_bwd } from "./gemm/f32_bias_bwd";
import { f32_conv2d_bwd_filter } from "./conv/f32_conv2d_bwd_filter";
import { f32_maxpool2d_bwd } from "./pool/f32_maxpool2d_bwd";
import { f32_avgpool2d_bwd } from "./pool/f32_avgpool2d_bwd";
import { f32_global_avgpool2d_bwd } from "./pool/f32_global_avgpool2d_bwd";
import { f32_vactivation_bwd } from "./activation/f32_vactivation_bwd";
import { f32_softmax_crossentropy, f32_sparse_softmax_crossentropy } from "./loss/f32_softmax_crossentropy";
import { f32_sigmoid_binary_crossentropy } from "./loss/f32_sigmoid_binary_crossentropy";
import { f32_mean_squared_error } from "./loss/f32_mean_squared_error";
import { f32_sgd_momentum } from "./optimizer/f32_sgd_momentum";
import { f32_adam } from "./optimizer/f32_adam";
import { f32_maximum_bwd } from "./elementwise/f32_maximum_bwd";
import { f32_dropout_fwd } from "./elementwise/f32_dropout_fwd";
import { f32_softmax_bwd } from "./activation/f32_softmax_bwd";
import { f32_first_nonfinite } from "./elementwise/f32_nonfinite";

// ---- Dense / GEMM -----------------------------------------------------------
export function gemmBackwardInput(dy: usize, w: usize, dx: usize, m: i32, k: i32, n: i32): void {
  f32_gemm_bwd_input(dy, w, dx, m, k, n);
}
export function gemmBackwardFilter(x: usize, dy: usize, dw: usize, dbias: usize, m: i32, k: i32, n: i32): void {
  f32_gemm_bwd_filter(x, dy, dw, dbias, m, k, n, 0, k);
}
export function biasBackward(dy: usize, dbias: usize, rows: i32, n: i32): void {
  f32_bias_bwd(dy, dbias, rows, n);
}

// ---- Conv2D -----------------------------------------------------------------
export function conv2dBackwardFilter(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, dy: usize, dw: usize, dbias: usize, cout: i32,
): void {
  f32_conv2d_bwd_filter(batch, inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, dy, dw, dbias, cout, 0, I32.MAX_VALUE);
}

// ---- DepthwiseConv2D ---------------------------------------------------------------
// The geometry, then the dilation (dh, dw; 1 = none); the kernels themselves are exported.
export { f32_dwconv2d_bwd_input as depthwiseConv2dBackwardInput } from "./conv/f32_dwconv2d_bwd_input";
export { f32_dwconv2d_bwd_filter as depthwiseConv2dBackwardFilter } from "./conv/f32_dwconv2d_bwd_filter";

// ---- Pooling ------------------------------------------------------------------
export function maxPool2dBackward(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, x: usize, dy: usize, dx: usize,
): void {
  f32_maxpool2d_bwd(batch, inH, inW, ch, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, dy, dx);
}
export function avgPool2dBackward(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32, dy: usize, dx: usize,
): void {
  f32_avgpool2d_bwd(batch, inH, inW, ch, outH, outW, kh, kw, sh, sw, padTop, padLeft, dy, dx);
}
export function globalAvgPool2dBackward(batch: i32, height: i32, width: i32, channels: i32, dy: usize, dx: usize): void {
  f32_global_avgpool2d_bwd(batch, height, width, channels, dy, dx);
}

// ---- Activations ----------------------------------------------------------------
export function activationBackward(y: usize, dy: usize, dx: usize, length: i32, act: i32, alpha: f32): void {
  f32_vactivation_bwd(y, dy, dx, length, act, alpha);
}

// ---- Losses ---------------------------------------------------------------------
export function softmaxCrossEntropy(logits: usize, labels: usize, dlogits: usize, rows: i32, cols: i32): f64 {
  return f32_softmax_crossentropy(logits, labels, dlogits, rows, cols);
}
export function sparseSoftmaxCrossEntropy(logits: usize, labels: usize, dlogits: usize, rows: i32, cols: i32): f64 {
  return f32_sparse_softmax_crossentropy(logits, labels, dlogits, rows, cols);
}
export function sigmoidBinaryCrossEntropy(logits: usize, labels: usize, dlogits: usize, rows: i32, cols: i32): f64 {
  return f32_sigmoid_binary_crossentropy(logits, labels, dlogits, rows, cols);
}
export function meanSquaredError(y: usize, labels: usize, dy: usize, rows: i32, cols: i32): f64 {
  return f32_mean_squared_error(y, labels, dy, rows, cols);
}

// ---- Optimizers -----------------------------------------------------------------
export function sgdUpdate(w: usize, g: usize, v: usize, length: i32, lr: f64, momentum: f64): void {
  f32_sgd_momentum(w, g, v, length, lr, momentum);
}
export function adamUpdate(
  w: usize, g: usize, m: usize, v: usize, length: i32,
  beta1: f64, beta2: f64, epsilon: f64, lrHat: f64, rsc2: f64,
): void {
  f32_adam(w, g, m, v, length, beta1, beta2, epsilon, lrHat, rsc2);
}

// ---- Normalization (src/backend/kernels-norm.ts) ----------------------------------
export { f32_batchnorm_bwd as batchNormBackward } from "./norm/f32_batchnorm_bwd";

// ---- Used only while training (forward-time, but never by predict) ---------------
export { f32_channel_moments as channelMoments } from "./norm/f32_channel_moments";
export function maximumBackward(x: usize, y: usize, dy: usize, dx: usize, length: i32): void {
  f32_maximum_bwd(x, y, dy, dx, length);
}
export function dropoutForward(x: usize, y: usize, mask: usize, length: i32, seed: u32, keep: f64): void {
  f32_dropout_fwd(x, y, mask, length, seed, keep);
}
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  f32_softmax_bwd(y, dy, dx, rows, cols);
}
export function firstNonFinite(x: usize, length: i32): i32 {
  return f32_first_nonfinite(x, length);
}
