// The training half of the kernel contract: backward passes, fused losses and
// optimizer updates. Same conventions as `Kernels` (kernels.ts): pointers are
// 16-byte-aligned BYTE offsets into the backend's memory, 0 means "absent",
// tensors are float32 NHWC, kernels never allocate nor validate user input.
//
// Every gradient is written with `=` (one batch's gradient, never summed into
// an earlier one), so a training step needs no zeroing pass. Where a method
// allows in place (output == an input) it says so; otherwise no buffers of
// one call overlap.
//
// Naming: `...BackwardInput` is the gradient w.r.t. the layer input,
// `...BackwardFilter` w.r.t. its kernel (and bias). Kernels take the RAW
// Keras weights (dense [inputs, units], conv [kh, kw, cin, cout]), never the
// packed copies the forward pass uses.

import type { ActivationId } from "../../assembly/shared/ids.js";
import type { WindowGeometry } from "./kernels.js";

export interface TrainingKernels {
  // ---- Dense / GEMM (forward: y[m, n] = x[m, k] * w[k, n] + bias[n]) ---------
  /** dx[m, k] = dy[m, n] * w^T, from the raw row-major w[k, n]. */
  gemmBackwardInput(dy: number, w: number, dx: number, m: number, k: number, n: number): void;
  /**
   * dw[k, n] = x^T[k, m] * dy[m, n]; dbias[n] = sum over the m rows of dy
   * (`dbias` 0: no bias gradient). m == 0 gives zeros.
   */
  gemmBackwardFilter(x: number, dy: number, dw: number, dbias: number, m: number, k: number, n: number): void;
  /** dbias[n] = sum over `rows` rows of dy[rows, n]. */
  biasBackward(dy: number, dbias: number, rows: number, n: number): void;

  // ---- Conv2D (forward as Kernels.conv2d) ------------------------------------
  /**
   * dx[n, ih, iw, ci] = sum of dy[n, oh, ow, co] * w[ky, kx, ci, co] over
   * every (oh, ow, ky, kx, co) with ih = oh*sh + ky - padTop and
   * iw = ow*sw + kx - padLeft. Input cells in no window get 0.
   * `dy` [batch, outH, outW, outChannels]; `w` raw [kh, kw, cin, outChannels].
   * `scratch` (optional, 0 = none): `conv2dBackwardScratchSize(g, outChannels)`
   * floats the kernel may overwrite (a faster path repacks w there); the
   * result does not depend on it beyond rounding. The JS backend ignores it.
   */
  conv2dBackwardInput(g: WindowGeometry, dy: number, w: number, dx: number, outChannels: number,
                      scratch?: number): void;
  /**
   * dw[ky, kx, ci, co] = sum over (n, oh, ow) of x[n, ih, iw, ci] * dy[n, oh, ow, co]
   * (taps in the zero padding contribute nothing); dbias[co] = sum of dy over
   * (n, oh, ow) (`dbias` 0: no bias gradient). Needs no scratch.
   */
  conv2dBackwardFilter(g: WindowGeometry, x: number, dy: number, dw: number, dbias: number,
                       outChannels: number): void;
  /**
   * Floats of scratch `conv2dBackwardInput` can use for `g` (0: none helps).
   * Planned once per batch capacity, never per step.
   */
  conv2dBackwardScratchSize(g: WindowGeometry, outChannels: number): number;

  // ---- DepthwiseConv2D (forward as Kernels.depthwiseConv2d, same dilation arguments) ----
  /**
   * dx[n, ih, iw, c] = sum of dy[n, oh, ow, c*M + m] * w[ky, kx, c, m] over every
   * (m, oh, ow, ky, kx) with ih = oh*sh + ky*dh - padTop and iw = ow*sw + kx*dw - padLeft.
   * Input cells in no window get 0. `w` raw [kh, kw, C, M]. Needs no scratch.
   */
  depthwiseConv2dBackwardInput(g: WindowGeometry, dilationHeight: number, dilationWidth: number, dy: number,
                               w: number, dx: number, depthMultiplier: number): void;
  /**
   * dw[ky, kx, c, m] = sum over (n, oh, ow) of x[n, ih, iw, c] * dy[n, oh, ow, c*M + m]
   * (taps in the zero padding contribute nothing); dbias[c*M + m] = sum of dy over
   * (n, oh, ow) (`dbias` 0: no bias gradient). Needs no scratch.
   */
  depthwiseConv2dBackwardFilter(g: WindowGeometry, dilationHeight: number, dilationWidth: number, x: number,
                                dy: number, dw: number, dbias: number, depthMultiplier: number): void;

  // ---- Pooling -----------------------------------------------------------------
  /**
   * Routes each dy to the argmax of its window, recomputed from the forward
   * input `x` (first maximum in row-major window order wins ties, as
   * TensorFlow); overlapping windows add up; other cells get 0.
   */
  maxPool2dBackward(g: WindowGeometry, x: number, dy: number, dx: number): void;
  /** Spreads each dy / (real cells in its window) over those cells, as the forward divides. */
  avgPool2dBackward(g: WindowGeometry, dy: number, dx: number): void;
  /** dx[n, h, w, c] = dy[n, c] / (height * width). */
  globalAvgPool2dBackward(batch: number, height: number, width: number, channels: number,
                          dy: number, dx: number): void;

  // ---- Activations ---------------------------------------------------------------
  /**
   * dx = dy * act'(.) from the forward OUTPUT y: linear 1, relu y > 0,
   * leakyRelu y > 0 ? 1 : alpha, sigmoid y(1 - y), tanh 1 - y^2, reluCapped
   * 0 < y < alpha, elu y > 0 ? 1 : y + alpha, hardSigmoid 0 < y < 1 ? 0.2 : 0.
   * Swish alone takes the forward INPUT x as `y` (x sigmoid(x) is not one-to-one):
   * s (1 + x (1 - s)) with s = sigmoid(x). In place dx == dy allowed.
   */
  activationBackward(y: number, dy: number, dx: number, length: number, act: ActivationId, alpha: number): void;

  // ---- Fused losses (return the mean loss; write the gradient w.r.t. the input) ---
  /**
   * Softmax + categorical cross-entropy from LOGITS [rows, cols] and label
   * rows t: loss = mean over rows of -sum t log softmax(z) (log-sum-exp,
   * stable); dlogits = (softmax(z) * sum(t) - t) / rows, i.e. (p - t) / rows
   * for one-hot labels. In place dlogits == logits allowed.
   */
  softmaxCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, cols: number): number;
  /**
   * As softmaxCrossEntropy with one class index per row (`labels` [rows]
   * f32 holding integers). A label outside [0, cols) makes its row
   * contribute 0 loss and 0 gradient (src/ validates labels first).
   */
  sparseSoftmaxCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, cols: number): number;
  /**
   * Sigmoid + binary cross-entropy from LOGITS, mean over all rows*cols
   * elements (Keras): loss = mean(max(z, 0) - z t + log(1 + exp(-|z|)));
   * dlogits = (sigmoid(z) - t) / (rows * cols). In place allowed.
   */
  sigmoidBinaryCrossEntropy(logits: number, labels: number, dlogits: number, rows: number, cols: number): number;
  /** loss = mean((y - t)^2) over rows*cols; dy = 2 (y - t) / (rows * cols). In place dy == y allowed. */
  meanSquaredError(y: number, labels: number, dy: number, rows: number, cols: number): number;

  // ---- Optimizers over a flat parameter buffer (w, state updated in place) -------
  /**
   * tf.train.momentum: v = momentum * v + g; w -= lr * v. With `v` 0 (no
   * velocity buffer): plain SGD, w -= lr * g.
   */
  sgdUpdate(w: number, g: number, v: number, length: number, learningRate: number, momentum: number): void;
  /**
   * tf.train.adam (tfjs-core 4.22): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
   * w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon).
   * `step` t >= 1 counts updates including this one; m and v start at 0.
   */
  adamUpdate(w: number, g: number, m: number, v: number, length: number,
             learningRate: number, beta1: number, beta2: number, epsilon: number, step: number): void;
}
