// The plain-JS training kernels: every `TrainingKernels` method as loops that
// mirror its formula in kernels-train.ts. They are the oracle the wasm
// backward kernels are tested against (and themselves checked against
// central finite differences), and the training path of the JS backend.
//
// Written for clarity: gradients are accumulated in float64 (JS numbers) and
// rounded to float32 once, when stored; the scatter-style kernels (conv input
// gradient, pooling) sum into a float64 image first for the same reason.

import { ActivationId } from "../../assembly/shared/ids.js";
import type { LinearMemory, WindowGeometry } from "./kernels.js";
import type { TrainingKernels } from "./kernels-train.js";
import { sigmoid } from "./js-activation.js";

/** Bytes per float32; pointers are byte offsets. */
const F32_BYTES = 4;

/** Index of the first float of a pointer. */
const at = (ptr: number): number => ptr / F32_BYTES;

/** Scratch reused across calls (grown on demand) so a warm call allocates nothing. */
class Scratch {
  private data = new Float64Array(0);
  /** `length` zeros. */
  zeros(length: number): Float64Array {
    if (this.data.length < length) this.data = new Float64Array(length);
    this.data.fill(0, 0, length);
    return this.data;
  }
}

/** The input row/column that output `o`'s tap `tap` reads, or -1 when it lies in the zero padding. */
function tapInImage(o: number, stride: number, tap: number, pad: number, extent: number): number {
  const i = o * stride + tap - pad;
  return i >= 0 && i < extent ? i : -1;
}

/**
 * Creates the JS training kernels over `memory` (the same memory the JS
 * forward kernels of `createJsKernels` use, or any `LinearMemory`).
 * @example
 * const base = createJsKernels();
 * const train = createJsTrainingKernels(base.memory);
 * train.sgdUpdate(w, g, 0, n, 0.01, 0);
 */
export function createJsTrainingKernels(memory: LinearMemory): TrainingKernels {
  const scratch = new Scratch();
  const view = (): Float32Array => new Float32Array(memory.buffer);

  const biasBackward = (f: Float32Array, dy: number, dbias: number, rows: number, n: number): void => {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += f[at(dy) + i * n + j];
      f[at(dbias) + j] = s;
    }
  };

  /** The rows of every pooling window, clipped to the image (padding cells are skipped). */
  const forEachWindow = (
    g: WindowGeometry,
    visit: (b: number, outIndex: number, h0: number, h1: number, w0: number, w1: number) => void,
  ): void => {
    for (let b = 0; b < g.batch; b++) {
      for (let oh = 0; oh < g.outHeight; oh++) {
        const h0 = Math.max(oh * g.strideHeight - g.padTop, 0);
        const h1 = Math.min(oh * g.strideHeight - g.padTop + g.kernelHeight, g.inHeight);
        for (let ow = 0; ow < g.outWidth; ow++) {
          const w0 = Math.max(ow * g.strideWidth - g.padLeft, 0);
          const w1 = Math.min(ow * g.strideWidth - g.padLeft + g.kernelWidth, g.inWidth);
          visit(b, (b * g.outHeight + oh) * g.outWidth + ow, h0, h1, w0, w1);
        }
      }
    }
  };

  const inputLength = (g: WindowGeometry): number => g.batch * g.inHeight * g.inWidth * g.inChannels;

  /** Index of x[b, h, w, c] in units of floats from the tensor start. */
  const cell = (g: WindowGeometry, b: number, h: number, w: number, c: number): number =>
    ((b * g.inHeight + h) * g.inWidth + w) * g.inChannels + c;

  return {
    gemmBackwardInput(dy, w, dx, m, k, n) {
      const f = view();
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += f[at(dy) + i * n + j] * f[at(w) + p * n + j];
          f[at(dx) + i * k + p] = s;
        }
      }
    },

    gemmBackwardFilter(x, dy, dw, dbias, m, k, n) {
      const f = view();
      for (let p = 0; p < k; p++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += f[at(x) + i * k + p] * f[at(dy) + i * n + j];
          f[at(dw) + p * n + j] = s;
        }
      }
      if (dbias !== 0) biasBackward(f, dy, dbias, m, n);
    },

    biasBackward(dy, dbias, rows, n) {
      biasBackward(view(), dy, dbias, rows, n);
    },

    conv2dBackwardInput(g, dy, w, dx, cout) {
      const f = view();
      const cin = g.inChannels;
      const acc = scratch.zeros(inputLength(g));
      for (let b = 0; b < g.batch; b++) {
        for (let oh = 0; oh < g.outHeight; oh++) {
          for (let ow = 0; ow < g.outWidth; ow++) {
            const dyPixel = at(dy) + ((b * g.outHeight + oh) * g.outWidth + ow) * cout;
            for (let ky = 0; ky < g.kernelHeight; ky++) {
              const ih = tapInImage(oh, g.strideHeight, ky, g.padTop, g.inHeight);
              if (ih < 0) continue; // a tap in the zero padding has no input to send a gradient to
              for (let kx = 0; kx < g.kernelWidth; kx++) {
                const iw = tapInImage(ow, g.strideWidth, kx, g.padLeft, g.inWidth);
                if (iw < 0) continue;
                const wTap = at(w) + (ky * g.kernelWidth + kx) * cin * cout;
                for (let ci = 0; ci < cin; ci++) {
                  let s = 0;
                  for (let co = 0; co < cout; co++) s += f[dyPixel + co] * f[wTap + ci * cout + co];
                  acc[cell(g, b, ih, iw, ci)] += s;
                }
              }
            }
          }
        }
      }
      for (let i = 0; i < inputLength(g); i++) f[at(dx) + i] = acc[i];
    },

    // The reference needs no scratch: it ignores conv2dBackwardInput's optional scratch argument.
    conv2dBackwardScratchSize() {
      return 0;
    },

    conv2dBackwardFilter(g, x, dy, dw, dbias, cout) {
      const f = view();
      const cin = g.inChannels;
      for (let ky = 0; ky < g.kernelHeight; ky++) {
        for (let kx = 0; kx < g.kernelWidth; kx++) {
          for (let ci = 0; ci < cin; ci++) {
            for (let co = 0; co < cout; co++) {
              let s = 0;
              for (let b = 0; b < g.batch; b++) {
                for (let oh = 0; oh < g.outHeight; oh++) {
                  const ih = tapInImage(oh, g.strideHeight, ky, g.padTop, g.inHeight);
                  if (ih < 0) continue;
                  for (let ow = 0; ow < g.outWidth; ow++) {
                    const iw = tapInImage(ow, g.strideWidth, kx, g.padLeft, g.inWidth);
                    if (iw < 0) continue;
                    s += f[at(x) + cell(g, b, ih, iw, ci)] *
                      f[at(dy) + ((b * g.outHeight + oh) * g.outWidth + ow) * cout + co];
                  }
                }
              }
              f[at(dw) + ((ky * g.kernelWidth + kx) * cin + ci) * cout + co] = s;
            }
          }
        }
      }
      if (dbias !== 0) biasBackward(f, dy, dbias, g.batch * g.outHeight * g.outWidth, cout);
    },

    depthwiseConv2dBackwardInput(g, dh, dw, dy, w, dx, mult) {
      const f = view();
      const cm = g.inChannels * mult;
      const acc = scratch.zeros(inputLength(g));
      for (let b = 0; b < g.batch; b++) {
        for (let oh = 0; oh < g.outHeight; oh++) {
          for (let ow = 0; ow < g.outWidth; ow++) {
            const dyPixel = at(dy) + ((b * g.outHeight + oh) * g.outWidth + ow) * cm;
            for (let ky = 0; ky < g.kernelHeight; ky++) {
              const ih = tapInImage(oh, g.strideHeight, ky * dh, g.padTop, g.inHeight);
              if (ih < 0) continue; // a tap in the zero padding has no input to send a gradient to
              for (let kx = 0; kx < g.kernelWidth; kx++) {
                const iw = tapInImage(ow, g.strideWidth, kx * dw, g.padLeft, g.inWidth);
                if (iw < 0) continue;
                const wTap = at(w) + (ky * g.kernelWidth + kx) * cm;
                for (let oc = 0; oc < cm; oc++) {
                  acc[cell(g, b, ih, iw, Math.floor(oc / mult))] += f[dyPixel + oc] * f[wTap + oc];
                }
              }
            }
          }
        }
      }
      f.set(acc.subarray(0, inputLength(g)), at(dx));
    },

    depthwiseConv2dBackwardFilter(g, dh, dw, x, dy, dwt, dbias, mult) {
      const f = view();
      const cm = g.inChannels * mult;
      for (let ky = 0; ky < g.kernelHeight; ky++) {
        for (let kx = 0; kx < g.kernelWidth; kx++) {
          for (let oc = 0; oc < cm; oc++) {
            const c = Math.floor(oc / mult);
            let s = 0;
            for (let b = 0; b < g.batch; b++) {
              for (let oh = 0; oh < g.outHeight; oh++) {
                const ih = tapInImage(oh, g.strideHeight, ky * dh, g.padTop, g.inHeight);
                if (ih < 0) continue;
                for (let ow = 0; ow < g.outWidth; ow++) {
                  const iw = tapInImage(ow, g.strideWidth, kx * dw, g.padLeft, g.inWidth);
                  if (iw < 0) continue;
                  s += f[at(x) + cell(g, b, ih, iw, c)] * f[at(dy) + ((b * g.outHeight + oh) * g.outWidth + ow) * cm + oc];
                }
              }
            }
            f[at(dwt) + (ky * g.kernelWidth + kx) * cm + oc] = s;
          }
        }
      }
      if (dbias !== 0) biasBackward(f, dy, dbias, g.batch * g.outHeight * g.outWidth, cm);
    },

    maxPool2dBackward(g, x, dy, dx) {
      const f = view();
      const channels = g.inChannels;
      const acc = scratch.zeros(inputLength(g));
      forEachWindow(g, (b, outIndex, h0, h1, w0, w1) => {
        for (let c = 0; c < channels; c++) {
          // Row-major walk, strictly greater wins: the FIRST maximum takes the gradient (TensorFlow).
          if (h1 <= h0 || w1 <= w0) continue; // a window with no real cell routes nothing
          let best = -Infinity;
          let winner = cell(g, b, h0, w0, c);
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) {
              const v = f[at(x) + cell(g, b, ih, iw, c)];
              if (v > best) {
                best = v;
                winner = cell(g, b, ih, iw, c);
              }
            }
          }
          acc[winner] += f[at(dy) + outIndex * channels + c];
        }
      });
      for (let i = 0; i < inputLength(g); i++) f[at(dx) + i] = acc[i];
    },

    avgPool2dBackward(g, dy, dx) {
      const f = view();
      const channels = g.inChannels;
      const acc = scratch.zeros(inputLength(g));
      forEachWindow(g, (b, outIndex, h0, h1, w0, w1) => {
        const cells = Math.max(h1 - h0, 0) * Math.max(w1 - w0, 0);
        if (cells === 0) return;
        for (let c = 0; c < channels; c++) {
          const share = f[at(dy) + outIndex * channels + c] / cells;
          for (let ih = h0; ih < h1; ih++) {
            for (let iw = w0; iw < w1; iw++) acc[cell(g, b, ih, iw, c)] += share;
          }
        }
      });
      for (let i = 0; i < inputLength(g); i++) f[at(dx) + i] = acc[i];
    },

    globalAvgPool2dBackward(batch, height, width, channels, dy, dx) {
      const f = view();
      const cells = height * width;
      for (let b = 0; b < batch; b++) {
        for (let p = 0; p < cells; p++) {
          for (let c = 0; c < channels; c++) {
            f[at(dx) + (b * cells + p) * channels + c] = f[at(dy) + b * channels + c] / cells;
          }
        }
      }
    },

    activationBackward(y, dy, dx, length, act, alpha) {
      const f = view();
      for (let i = 0; i < length; i++) {
        const yv = f[at(y) + i];
        f[at(dx) + i] = f[at(dy) + i] * activationDerivative(yv, act, alpha);
      }
    },

    softmaxCrossEntropy(logits, labels, dlogits, rows, cols) {
      const f = view();
      if (rows <= 0) return 0;
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const z = at(logits) + r * cols;
        const t = at(labels) + r * cols;
        const lse = logSumExp(f, z, cols);
        let tSum = 0;
        for (let j = 0; j < cols; j++) {
          tSum += f[t + j];
          // -t log p with log p = z - lse; skipping t == 0 keeps 0 * Infinity out.
          if (f[t + j] !== 0) total += f[t + j] * (lse - f[z + j]);
        }
        for (let j = 0; j < cols; j++) {
          const p = Math.exp(f[z + j] - lse);
          f[at(dlogits) + r * cols + j] = (p * tSum - f[t + j]) / rows;
        }
      }
      return total / rows;
    },

    sparseSoftmaxCrossEntropy(logits, labels, dlogits, rows, cols) {
      const f = view();
      if (rows <= 0) return 0;
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const z = at(logits) + r * cols;
        const raw = f[at(labels) + r];
        const valid = raw >= 0 && raw < cols;
        const label = valid ? Math.trunc(raw) : -1;
        const lse = logSumExp(f, z, cols);
        if (valid) total += lse - f[z + label];
        for (let j = 0; j < cols; j++) {
          const g = valid ? Math.exp(f[z + j] - lse) - (j === label ? 1 : 0) : 0;
          f[at(dlogits) + r * cols + j] = g / rows;
        }
      }
      return total / rows;
    },

    sigmoidBinaryCrossEntropy(logits, labels, dlogits, rows, cols) {
      const f = view();
      const count = rows * cols;
      if (count <= 0) return 0;
      let total = 0;
      for (let i = 0; i < count; i++) {
        const z = f[at(logits) + i];
        const t = f[at(labels) + i];
        total += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
        f[at(dlogits) + i] = (sigmoid(z) - t) / count;
      }
      return total / count;
    },

    meanSquaredError(y, labels, dy, rows, cols) {
      const f = view();
      const count = rows * cols;
      if (count <= 0) return 0;
      let total = 0;
      for (let i = 0; i < count; i++) {
        const d = f[at(y) + i] - f[at(labels) + i];
        total += d * d;
        f[at(dy) + i] = (2 * d) / count;
      }
      return total / count;
    },

    sgdUpdate(w, g, v, length, learningRate, momentum) {
      const f = view();
      for (let i = 0; i < length; i++) {
        let step = f[at(g) + i];
        if (v !== 0) {
          step = momentum * f[at(v) + i] + step;
          f[at(v) + i] = step;
        }
        f[at(w) + i] = f[at(w) + i] - learningRate * step;
      }
    },

    adamUpdate(w, g, m, v, length, learningRate, beta1, beta2, epsilon, step) {
      const f = view();
      const t = Math.max(step, 1);
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      for (let i = 0; i < length; i++) {
        const grad = f[at(g) + i];
        const mi = beta1 * f[at(m) + i] + (1 - beta1) * grad;
        const vi = beta2 * f[at(v) + i] + (1 - beta2) * grad * grad;
        f[at(m) + i] = mi;
        f[at(v) + i] = vi;
        // tfjs-core adam_optimizer.ts: epsilon is added to sqrt of the bias-corrected v.
        f[at(w) + i] = f[at(w) + i] - learningRate * (mi / correction1) / (Math.sqrt(vi / correction2) + epsilon);
      }
    },
  };
}

/** act'(.) expressed through the forward output y, or for swish its input x (see TrainingKernels.activationBackward). */
export function activationDerivative(y: number, act: ActivationId, alpha: number): number {
  switch (act) {
    case ActivationId.Linear:
      return 1;
    case ActivationId.Relu:
      return y > 0 ? 1 : 0;
    case ActivationId.LeakyRelu:
      return y > 0 ? 1 : alpha;
    case ActivationId.Sigmoid:
      return y * (1 - y);
    case ActivationId.Tanh:
      return 1 - y * y;
    case ActivationId.ReluCapped:
      return y > 0 && y < alpha ? 1 : 0; // TensorFlow's Relu6Grad: 0 at both kinks
    case ActivationId.Elu:
      return y > 0 ? 1 : y + alpha; // alpha e^x = y + alpha
    case ActivationId.HardSigmoid:
      return y > 0 && y < 1 ? 0.2 : 0;
    case ActivationId.Swish: {
      const s = sigmoid(y); // y is the forward input x here
      return s * (1 + y * (1 - s));
    }
    default:
      throw new RangeError(`js backend: unknown activation id ${String(act)}`);
  }
}

/** log(sum_j exp(z[j])) of one row, shifted by the row max so no exp overflows. */
function logSumExp(f: Float32Array, z: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, f[z + j]);
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(f[z + j] - max);
  return max + Math.log(s);
}
