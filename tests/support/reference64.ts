// Float64 forward passes, written as plainly as the formulas, for the
// gradient checks: the JS backward kernels are compared with central finite
// differences of these. Finite differences through float32 storage would be
// swamped by rounding (a step of 1e-3 changes a float32 sum by only a few
// ulps), so everything here stays in float64.

import { ActivationId } from "../../assembly/shared/ids.js";
import type { WindowGeometry } from "../../src/backend/kernels.js";

export function dense64(x: Float64Array, w: Float64Array, bias: Float64Array | null,
                        m: number, k: number, n: number): Float64Array {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * w[p * n + j];
      y[i * n + j] = s;
    }
  }
  return y;
}

export function conv2d64(g: WindowGeometry, x: Float64Array, w: Float64Array, bias: Float64Array | null,
                         cout: number): Float64Array {
  const cin = g.inChannels;
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * cout);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        for (let co = 0; co < cout; co++) {
          let s = bias ? bias[co] : 0;
          for (let ky = 0; ky < g.kernelHeight; ky++) {
            const ih = oh * g.strideHeight + ky - g.padTop;
            if (ih < 0 || ih >= g.inHeight) continue;
            for (let kx = 0; kx < g.kernelWidth; kx++) {
              const iw = ow * g.strideWidth + kx - g.padLeft;
              if (iw < 0 || iw >= g.inWidth) continue;
              for (let ci = 0; ci < cin; ci++) {
                s += x[((b * g.inHeight + ih) * g.inWidth + iw) * cin + ci] *
                  w[((ky * g.kernelWidth + kx) * cin + ci) * cout + co];
              }
            }
          }
          y[((b * g.outHeight + oh) * g.outWidth + ow) * cout + co] = s;
        }
      }
    }
  }
  return y;
}

/** Depthwise conv in float64: output channel c*M + m reads input channel c; taps `dh`/`dw` apart. */
export function depthwise64(g: WindowGeometry, dh: number, dw: number, mult: number, x: Float64Array,
                            w: Float64Array, bias: Float64Array | null): Float64Array {
  const ch = g.inChannels;
  const cm = ch * mult;
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * cm);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        for (let oc = 0; oc < cm; oc++) {
          let s = bias ? bias[oc] : 0;
          for (let ky = 0; ky < g.kernelHeight; ky++) {
            const ih = oh * g.strideHeight + ky * dh - g.padTop;
            if (ih < 0 || ih >= g.inHeight) continue;
            for (let kx = 0; kx < g.kernelWidth; kx++) {
              const iw = ow * g.strideWidth + kx * dw - g.padLeft;
              if (iw < 0 || iw >= g.inWidth) continue;
              s += x[((b * g.inHeight + ih) * g.inWidth + iw) * ch + Math.floor(oc / mult)] *
                w[(ky * g.kernelWidth + kx) * cm + oc];
            }
          }
          y[((b * g.outHeight + oh) * g.outWidth + ow) * cm + oc] = s;
        }
      }
    }
  }
  return y;
}

/** Max or average pooling over the real cells of each window (TensorFlow). */
export function pool64(g: WindowGeometry, x: Float64Array, mode: "max" | "avg"): Float64Array {
  const ch = g.inChannels;
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * ch);
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++) {
        for (let c = 0; c < ch; c++) {
          let acc = mode === "max" ? -Infinity : 0;
          let cells = 0;
          for (let ky = 0; ky < g.kernelHeight; ky++) {
            const ih = oh * g.strideHeight + ky - g.padTop;
            if (ih < 0 || ih >= g.inHeight) continue;
            for (let kx = 0; kx < g.kernelWidth; kx++) {
              const iw = ow * g.strideWidth + kx - g.padLeft;
              if (iw < 0 || iw >= g.inWidth) continue;
              const v = x[((b * g.inHeight + ih) * g.inWidth + iw) * ch + c];
              acc = mode === "max" ? Math.max(acc, v) : acc + v;
              cells++;
            }
          }
          y[((b * g.outHeight + oh) * g.outWidth + ow) * ch + c] = mode === "max" ? acc : acc / cells;
        }
      }
    }
  }
  return y;
}

export function globalAvgPool64(batch: number, height: number, width: number, ch: number,
                                x: Float64Array): Float64Array {
  const y = new Float64Array(batch * ch);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < height * width; p++) {
      for (let c = 0; c < ch; c++) y[b * ch + c] += x[(b * height * width + p) * ch + c] / (height * width);
    }
  }
  return y;
}

export function activation64(x: Float64Array, act: ActivationId, alpha: number): Float64Array {
  return x.map((v) => {
    switch (act) {
      case ActivationId.Relu: return Math.max(v, 0);
      case ActivationId.LeakyRelu: return v > 0 ? v : alpha * v;
      case ActivationId.Sigmoid: return 1 / (1 + Math.exp(-v));
      case ActivationId.Tanh: return Math.tanh(v);
      case ActivationId.ReluCapped: return Math.min(Math.max(v, 0), alpha);
      case ActivationId.Elu: return v > 0 ? v : alpha * Math.expm1(v);
      case ActivationId.HardSigmoid: return Math.min(Math.max(0.2 * v + 0.5, 0), 1);
      case ActivationId.Swish: return v / (1 + Math.exp(-v));
      default: return v;
    }
  });
}

/** Mean over rows of -sum_j t log softmax(z): the textbook form (fine for the moderate logits of the tests). */
export function softmaxCrossEntropy64(z: Float64Array, t: Float64Array, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(z[r * cols + j]);
    for (let j = 0; j < cols; j++) total -= t[r * cols + j] * Math.log(Math.exp(z[r * cols + j]) / sum);
  }
  return total / rows;
}

export function binaryCrossEntropy64(z: Float64Array, t: Float64Array): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const p = 1 / (1 + Math.exp(-z[i]));
    total -= t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p);
  }
  return total / z.length;
}

export function meanSquaredError64(y: Float64Array, t: Float64Array): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) total += (y[i] - t[i]) ** 2;
  return total / y.length;
}

/** sum_i a[i] * b[i]: the scalar L = <forward(x), dy> whose gradient is the backward pass. */
export function dot64(a: Float64Array, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Central differences of a scalar function of `at` (which is restored afterwards). */
export function numericGradient(f: (v: Float64Array) => number, at: Float64Array, step: number): Float32Array {
  const grad = new Float32Array(at.length);
  for (let i = 0; i < at.length; i++) {
    const saved = at[i];
    at[i] = saved + step;
    const up = f(at);
    at[i] = saved - step;
    const down = f(at);
    at[i] = saved;
    grad[i] = (up - down) / (2 * step);
  }
  return grad;
}
