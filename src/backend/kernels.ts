// The contract every backend (wasm relaxed-SIMD / SIMD / scalar, plain JS)
// implements. Layers call only this interface, so the plain-JS backend can
// serve as the test oracle for every wasm binary.
//
// Conventions shared by every method:
// - Pointers are BYTE offsets into `memory.buffer`, 16-byte aligned (the arena
//   guarantees it). A pointer of 0 means "absent" (e.g. no bias): the arena
//   never hands out offset 0 because it starts at `heapBase` > 0.
// - Tensors are float32, row-major, channels-last (NHWC).
// - Outputs are written with `=` (never accumulated) unless a method says so.
// - Input and output buffers of one call never overlap, except where a method
//   says in-place is allowed.
// - Kernels never allocate and never validate user input: src/ checks shapes
//   and throws typed errors before calling in.

import type { ActivationId } from "../../assembly/shared/ids.js";
import type { ElementwiseKernels } from "./kernels-elementwise.js";
import type { TrainingKernels } from "./kernels-train.js";
import type { NormKernels } from "./kernels-norm.js";

export type BackendName = "relaxed-simd" | "simd" | "scalar" | "js";

/** The subset of `WebAssembly.Memory` the arena needs. */
export interface LinearMemory {
  /** Replaced (the old one detached) whenever `grow` succeeds. */
  readonly buffer: ArrayBuffer;
  /**
   * Grows by `deltaPages` 64 KiB pages or more (the plain-JS memory, which copies, takes half
   * again); returns the old size in pages; throws RangeError when it cannot.
   */
  grow(deltaPages: number): number;
}

/** Geometry of one 2-D convolution or pooling window pass (NHWC). */
export interface WindowGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** Zero rows above the input ('same' padding: floor(total / 2)). */
  padTop: number;
  /** Zero columns left of the input ('same' padding: floor(total / 2)). */
  padLeft: number;
}

/** Forward kernels here; backward passes, losses and optimizers in kernels-train.ts; BatchNorm in kernels-norm.ts; element-wise ops in kernels-elementwise.ts. */
export interface Kernels extends TrainingKernels, NormKernels, ElementwiseKernels {
  readonly name: BackendName;
  readonly memory: LinearMemory;
  /** First byte the arena may hand out; 16-byte aligned and > 0. */
  readonly heapBase: number;
  /**
   * Whether the training methods (TrainingKernels, channelMoments,
   * dropoutForward, ...) exist. False only for the browser's inference
   * binary until its training half is attached (src/backend/training-half.ts).
   */
  trainable: boolean;
  /**
   * Threads a large call is split over now: 1 on the one-thread backends,
   * and on the threaded one while its pool is stopped (between the last
   * model's dispose and the next model's restart) or after a worker died.
   */
  threads(): number;

  // ---- GEMM: C[m, n] = act(A[m, k] * B[k, n] + bias[n]) -------------------
  /** Floats needed to hold B[k, n] packed for `gemm`. */
  gemmPackedSize(k: number, n: number): number;
  /** Packs row-major B[k, n] (Keras dense kernel [inputs, units]) once. */
  gemmPackB(b: number, k: number, n: number, packed: number): void;
  /**
   * C = act(A * B + bias). `a` row-major [m, k]; `packedB` from gemmPackB;
   * `bias` [n] or 0; `c` row-major [m, n]. `alpha` is the leakyRelu slope
   * (ignored by other activations).
   */
  gemm(a: number, packedB: number, bias: number, c: number, m: number, k: number, n: number,
       act: ActivationId, alpha: number): void;

  // ---- Conv2D forward ---------------------------------------------------
  /** Floats needed for the packed filter of a [kh, kw, cin, cout] kernel. */
  conv2dPackedSize(kh: number, kw: number, cin: number, cout: number): number;
  /** Packs a Keras conv kernel [kh, kw, cin, cout] once. */
  conv2dPackFilter(w: number, kh: number, kw: number, cin: number, cout: number, packed: number): void;
  /** Floats of scratch `conv2d` needs for this geometry (may be 0). */
  conv2dScratchSize(g: WindowGeometry): number;
  /**
   * y[n, oh, ow, cout] = act(sum x[n, oh*sh + ky - padTop, ow*sw + kx - padLeft, ci] * w[ky, kx, ci, co] + bias[co]),
   * input cells outside the image count as 0. `scratch` holds at least
   * conv2dScratchSize(g) floats (0 when that is 0).
   */
  conv2d(g: WindowGeometry, x: number, packedW: number, bias: number, y: number, outChannels: number,
         act: ActivationId, alpha: number, scratch: number): void;

  // ---- DepthwiseConv2D (Keras), no packing: the raw kernel is read ------------
  /**
   * y[n, oh, ow, c*M + m] = act(sum x[n, oh*sh + ky*dh - padTop, ow*sw + kx*dw - padLeft, c] * w[ky, kx, c, m]
   * + bias[c*M + m]): input cells outside the image count as 0. `g.inChannels` is C, the
   * output has C * `depthMultiplier` (M) channels; `w` is the raw Keras kernel [kh, kw, C, M]
   * (its flattened last two axes are the output channel); `bias` [C*M] or 0.
   * `dilationHeight` / `dilationWidth` space the taps (1: none); `g.kernelHeight` / `g.kernelWidth`
   * count taps, while `g.outHeight`, `g.outWidth` and the padding are those of the dilated window
   * (src/shape.ts axisWindow). Needs no scratch.
   */
  depthwiseConv2d(g: WindowGeometry, dilationHeight: number, dilationWidth: number, x: number, w: number,
                  bias: number, y: number, depthMultiplier: number, act: ActivationId, alpha: number): void;

  // ---- Pooling -------------------------------------------------------------
  /** Max over each window; padded cells are ignored (as TensorFlow: -Infinity). */
  maxPool2d(g: WindowGeometry, x: number, y: number): void;
  /** Mean over each window, divided by the number of real (unpadded) cells, as TensorFlow. */
  avgPool2d(g: WindowGeometry, x: number, y: number): void;
  /** y[n, c] = mean over h, w of x[n, h, w, c]. */
  globalAvgPool2d(batch: number, height: number, width: number, channels: number, x: number, y: number): void;

  // ---- Activations -----------------------------------------------------------
  /** y[i] = act(x[i]) for `length` floats; in place (x == y) allowed. */
  activation(x: number, y: number, length: number, act: ActivationId, alpha: number): void;
  /** Row-wise numerically stable softmax over [rows, cols]; in place allowed. */
  softmax(x: number, y: number, rows: number, cols: number): void;

  // ---- Weight initialisation ----------------------------------------------------
  /**
   * out[i] = (2u - 1) * limit for `length` draws u of mulberry32(seed) (src/random.ts):
   * the uniform initializers. Every backend writes the same bits.
   */
  fillUniform(out: number, length: number, seed: number, limit: number): void;
}
