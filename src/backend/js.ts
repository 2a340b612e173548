// The plain-JS backend: every `Kernels` method as straightforward loops over
// float32 storage in a JS linear memory. It is the test oracle for the wasm
// binaries, the fallback where wasm is forbidden, and the "plain JS" line of
// every benchmark, so it is written for clarity first: each loop mirrors the
// formula in kernels.ts. The only speed care is hoisted index arithmetic and
// one Float32Array view per call.
//
// Accumulators are JS numbers (float64); results are rounded to float32 once,
// when stored. So this backend is at least as accurate as any f32 kernel,
// which is what an oracle needs.

import { applyActivation } from "./js-activation.js";
import { JsMemory, type JsMemoryOptions } from "./js-memory.js";
import type { Kernels, WindowGeometry } from "./kernels.js";
import type { ElementwiseKernels } from "./kernels-elementwise.js";
import type { TrainingKernels } from "./kernels-train.js";
import { createJsElementwiseKernels } from "./js-elementwise.js";
import { createJsTrainingKernels } from "./js-train.js";
import type { NormKernels } from "./kernels-norm.js";
import { createJsNormKernels } from "./js-norm.js";
import { fillUniform } from "../random.js";

export { applyActivation };

/** First byte handed to the arena: 16-byte aligned and > 0, so pointer 0 can mean "absent". */
const JS_HEAP_BASE = 16;

/** Bytes per float32; pointers are byte offsets. */
const F32_BYTES = 4;

/**
 * Creates the plain-JS backend with its own memory (no `WebAssembly` needed).
 * Its packed GEMM/conv formats are plain copies, so a packed buffer must be
 * used with the backend that packed it.
 * @example
 * const k = createJsKernels({ initialPages: 16 });
 * k.activation(ptr, ptr, n, ActivationId.Relu, 0);
 * @throws RangeError when `initialPages`/`maximumPages` are not valid page counts.
 */
export function createJsKernels(options: JsMemoryOptions = {}): Kernels {
  const memory = new JsMemory(options);
  // Per-output-row accumulators, reused across calls (grown on demand) so a
  // call allocates nothing once warm.
  let accumulators = new Float64Array(0);
  const accumulatorRow = (length: number): Float64Array => {
    if (accumulators.length < length) accumulators = new Float64Array(length);
    return accumulators;
  };
  const view = (): Float32Array => new Float32Array(memory.buffer);

  // The JS backend's packed formats are plain copies: layers only read a
  // packed buffer through the backend that packed it.
  const copyFloats = (src: number, dst: number, count: number): void => {
    const f = view();
    f.copyWithin(dst / F32_BYTES, src / F32_BYTES, src / F32_BYTES + count);
  };

  const kernels: Omit<Kernels, keyof TrainingKernels | keyof NormKernels | keyof ElementwiseKernels> = {
    name: "js",
    memory,
    heapBase: JS_HEAP_BASE,
    trainable: true,
    threads: () => 1,

    gemmPackedSize(k, n) {
      return k * n;
    },

    gemmPackB(b, k, n, packed) {
      copyFloats(b, packed, k * n);
    },

    gemm(a, packedB, bias, c, m, k, n, act, alpha) {
      const f = view();
      const a0 = a / F32_BYTES;
      const b0 = packedB / F32_BYTES;
      const bias0 = bias / F32_BYTES;
      const c0 = c / F32_BYTES;
      const acc = accumulatorRow(n);
      // i-k-j order: the inner loop walks a row of B and a row of C contiguously.
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) acc[j] = bias !== 0 ? f[bias0 + j] : 0;
        const aRow = a0 + i * k;
        for (let p = 0; p < k; p++) {
          const av = f[aRow + p];
          const bRow = b0 + p * n;
          for (let j = 0; j < n; j++) acc[j] += av * f[bRow + j];
        }
        const cRow = c0 + i * n;
        for (let j = 0; j < n; j++) f[cRow + j] = applyActivation(acc[j], act, alpha);
      }
    },

    conv2dPackedSize(kh, kw, cin, cout) {
      return kh * kw * cin * cout;
    },

    conv2dPackFilter(w, kh, kw, cin, cout, packed) {
      copyFloats(w, packed, kh * kw * cin * cout);
    },

    conv2dScratchSize() {
      return 0;
    },

    conv2d(g, x, packedW, bias, y, outChannels, act, alpha) {
      const f = view();
      const x0 = x / F32_BYTES;
      const w0 = packedW / F32_BYTES;
      const bias0 = bias / F32_BYTES;
      const y0 = y / F32_BYTES;
      const cin = g.inChannels;
      const cout = outChannels;
      const acc = accumulatorRow(cout);
      for (let b = 0; b < g.batch; b++) {
        const xImage = x0 + b * g.inHeight * g.inWidth * cin;
        for (let oh = 0; oh < g.outHeight; oh++) {
          for (let ow = 0; ow < g.outWidth; ow++) {
            for (let co = 0; co < cout; co++) acc[co] = bias !== 0 ? f[bias0 + co] : 0;
            for (let ky = 0; ky < g.kernelHeight; ky++) {
              const ih = oh * g.strideHeight + ky - g.padTop;
              if (ih < 0 || ih >= g.inHeight) continue; // zero padding contributes nothing
              for (let kx = 0; kx < g.kernelWidth; kx++) {
                const iw = ow * g.strideWidth + kx - g.padLeft;
                if (iw < 0 || iw >= g.inWidth) continue;
                const xPixel = xImage + (ih * g.inWidth + iw) * cin;
                const wTap = w0 + (ky * g.kernelWidth + kx) * cin * cout;
                for (let ci = 0; ci < cin; ci++) {
                  const xv = f[xPixel + ci];
                  const wRow = wTap + ci * cout;
                  for (let co = 0; co < cout; co++) acc[co] += xv * f[wRow + co];
                }
              }
            }
            const yPixel = y0 + ((b * g.outHeight + oh) * g.outWidth + ow) * cout;
            for (let co = 0; co < cout; co++) f[yPixel + co] = applyActivation(acc[co], act, alpha);
          }
        }
      }
    },

    depthwiseConv2d(g, dh, dw, x, w, bias, y, mult, act, alpha) {
      const f = view();
      const [x0, w0, bias0, y0] = [x / F32_BYTES, w / F32_BYTES, bias / F32_BYTES, y / F32_BYTES];
      const ch = g.inChannels;
      const cm = ch * mult;
      for (let b = 0; b < g.batch; b++) {
        for (let oh = 0; oh < g.outHeight; oh++) {
          for (let ow = 0; ow < g.outWidth; ow++) {
            const yPixel = y0 + ((b * g.outHeight + oh) * g.outWidth + ow) * cm;
            for (let oc = 0; oc < cm; oc++) {
              const c = Math.floor(oc / mult); // output channel c*M + m reads input channel c
              let acc = bias !== 0 ? f[bias0 + oc]! : 0;
              for (let ky = 0; ky < g.kernelHeight; ky++) {
                const ih = oh * g.strideHeight + ky * dh - g.padTop;
                if (ih < 0 || ih >= g.inHeight) continue; // zero padding contributes nothing
                for (let kx = 0; kx < g.kernelWidth; kx++) {
                  const iw = ow * g.strideWidth + kx * dw - g.padLeft;
                  if (iw < 0 || iw >= g.inWidth) continue;
                  acc += f[x0 + ((b * g.inHeight + ih) * g.inWidth + iw) * ch + c]! *
                    f[w0 + (ky * g.kernelWidth + kx) * cm + oc]!;
                }
              }
              f[yPixel + oc] = applyActivation(acc, act, alpha);
            }
          }
        }
      }
    },

    maxPool2d(g, x, y) {
      poolWindows(view(), g, x, y, "max");
    },

    avgPool2d(g, x, y) {
      poolWindows(view(), g, x, y, "avg");
    },

    globalAvgPool2d(batch, height, width, channels, x, y) {
      const f = view();
      const x0 = x / F32_BYTES;
      const y0 = y / F32_BYTES;
      const cells = height * width;
      const acc = accumulatorRow(channels);
      for (let b = 0; b < batch; b++) {
        acc.fill(0, 0, channels);
        const xImage = x0 + b * cells * channels;
        for (let p = 0; p < cells; p++) {
          const xPixel = xImage + p * channels;
          for (let c = 0; c < channels; c++) acc[c] += f[xPixel + c];
        }
        const yRow = y0 + b * channels;
        for (let c = 0; c < channels; c++) f[yRow + c] = acc[c] / cells;
      }
    },

    activation(x, y, length, act, alpha) {
      const f = view();
      const x0 = x / F32_BYTES;
      const y0 = y / F32_BYTES;
      for (let i = 0; i < length; i++) f[y0 + i] = applyActivation(f[x0 + i], act, alpha);
    },

    fillUniform(out, length, seed, limit) {
      fillUniform(view(), out / F32_BYTES, length, seed, limit);
    },

    softmax(x, y, rows, cols) {
      const f = view();
      for (let r = 0; r < rows; r++) {
        const xRow = x / F32_BYTES + r * cols;
        const yRow = y / F32_BYTES + r * cols;
        // Subtracting the row max keeps every exp in (0, 1]: no overflow for large logits.
        let max = -Infinity;
        for (let j = 0; j < cols; j++) max = Math.max(max, f[xRow + j]);
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += Math.exp(f[xRow + j] - max);
        // Each y[j] is written only after x[j] is read, so in place (x == y) is safe;
        // recomputing exp divides the float64 value, not a float32-rounded copy.
        for (let j = 0; j < cols; j++) f[yRow + j] = Math.exp(f[xRow + j] - max) / sum;
      }
    },
  };
  return Object.assign(kernels, createJsTrainingKernels(memory), createJsNormKernels(memory), createJsElementwiseKernels(memory));
}

/**
 * Max or average over each window. Padded cells are skipped, as TensorFlow
 * does: max behaves as if they were -Infinity, average divides by the number
 * of real cells in the window.
 */
function poolWindows(f: Float32Array, g: WindowGeometry, x: number, y: number, mode: "max" | "avg"): void {
  const x0 = x / F32_BYTES;
  const y0 = y / F32_BYTES;
  const channels = g.inChannels;
  for (let b = 0; b < g.batch; b++) {
    const xImage = x0 + b * g.inHeight * g.inWidth * channels;
    for (let oh = 0; oh < g.outHeight; oh++) {
      // Clip the window to the image once per row/column instead of testing every cell.
      const hStart = Math.max(oh * g.strideHeight - g.padTop, 0);
      const hEnd = Math.min(oh * g.strideHeight - g.padTop + g.kernelHeight, g.inHeight);
      for (let ow = 0; ow < g.outWidth; ow++) {
        const wStart = Math.max(ow * g.strideWidth - g.padLeft, 0);
        const wEnd = Math.min(ow * g.strideWidth - g.padLeft + g.kernelWidth, g.inWidth);
        const cells = Math.max(hEnd - hStart, 0) * Math.max(wEnd - wStart, 0);
        const yPixel = y0 + ((b * g.outHeight + oh) * g.outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          let acc = mode === "max" ? -Infinity : 0;
          for (let ih = hStart; ih < hEnd; ih++) {
            const xRow = xImage + ih * g.inWidth * channels + c;
            for (let iw = wStart; iw < wEnd; iw++) {
              const v = f[xRow + iw * channels];
              if (mode === "max") {
                if (v > acc) acc = v;
              } else {
                acc += v;
              }
            }
          }
          // A window entirely in the padding cannot happen with TensorFlow's
          // 'same'/'valid' rules; 0 keeps the output finite if a caller asks for it.
          f[yPixel + c] = mode === "max" ? (cells > 0 ? acc : 0) : (cells > 0 ? acc / cells : 0);
        }
      }
    }
  }
}
