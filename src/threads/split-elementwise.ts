// Element-wise and row-wise kernels over threads, deterministically: each
// part is the same export on a contiguous range of the output, with its
// pointers moved to the range's start, so every output element is computed
// by the instructions it gets in the whole call.
// - Element-wise ops (activations, their backward, binary ops, dropout,
//   maximumBackward, the optimizer updates) by element ranges cut at
//   multiples of 16 floats: each element keeps the 4-lane body or the
//   scalar tail it has in one call. Dropout's part starting at element e
//   starts its generator e draws later (mulberry32's state after e draws is
//   seed + e * 0x6d2b79f5), so it draws the same mask.
// - Row-wise ops (softmax, its backward, BatchNorm's affine map) by rows:
//   each row is its own loop in these kernels. So is copyRows (the strided
//   row copy of Concatenate, ZeroPadding2D, UpSampling2D and the dilated
//   convolution's im2col), whose source and destination rows have strides
//   of their own.

import type { Kernels } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import { cut, SPLIT_FLOPS, type Splitter } from "./parts.js";
import type { TaskExport } from "./protocol.js";

/**
 * What one float of each op counts as in the cost model, in GEMM flops (a
 * GEMM runs ~50 flops a ns). Measured on 1 M floats (4 MB a buffer, out
 * of cache) with the SIMD build: relu 0.37 ns a float, sgd with momentum
 * 0.62, Adam 0.76, dropout 1.1, maximumBackward 0.58, channelAffine 0.77,
 * softmax over rows of 1024 floats 4.9, its backward 1.8. Counted at a
 * fifth of that, as relu always was (4): these are memory-bound, and two
 * threads share the memory's bandwidth, so a part must be long to pay.
 */
const ELEMENT_COST = {
  activation: 4, activationBackward: 4, binary: 4, sgdUpdate: 6, adamUpdate: 8, dropoutForward: 10,
  maximumBackward: 6, channelAffine: 8, softmax: 48, softmaxBackward: 18, copyRows: 4,
} as const;
/**
 * Element-wise ops are cut at multiples of this many floats: a multiple of
 * 4 keeps every element on the SIMD body or the scalar tail it has in the
 * whole call; 16 floats are a cache line.
 */
const ELEMENT_UNIT = 16;
/** mulberry32's state increment (src/random.ts, assembly/elementwise/f32_dropout_fwd.ts). */
const GOLDEN = 0x6d2b79f5;

/** Raw exports of the calling instance that the splits here call directly. */
export interface ElementwiseExports {
  adamUpdate(w: number, g: number, m: number, v: number, length: number, beta1: number, beta2: number,
    epsilon: number, lrHat: number, rsc2: number): void;
}

type Elementwise = Pick<Kernels, "activation" | "activationBackward" | "binary" | "sgdUpdate" | "adamUpdate" |
  "dropoutForward" | "maximumBackward" | "softmax" | "softmaxBackward" | "channelAffine" | "copyRows">;

/** How one call is cut: see `byRange`. */
interface Range {
  /** Indexes of `rest` holding pointers, moved to each part's start (a 0 pointer, "absent", stays 0). */
  pointers: readonly number[];
  /** Index of `rest` holding the count of items (floats or rows). */
  countAt: number;
  /** Floats of one item: 1 for elements, a row's floats for rows. */
  stride: number;
  /** Floats of one item for each pointer (as `pointers`) where they differ; else `stride` for all. */
  strides?: readonly number[];
  /** Cuts fall at multiples of this many items. */
  unit: number;
  /** Index of `rest` holding dropout's seed, or -1. */
  seedAt: number;
}

const elements = (pointers: readonly number[], countAt: number, seedAt = -1): Range =>
  ({ pointers, countAt, stride: 1, unit: ELEMENT_UNIT, seedAt });
const rows = (pointers: readonly number[], countAt: number, stride: number, strides?: readonly number[]): Range =>
  ({ pointers, countAt, stride, strides, unit: 1, seedAt: -1 });

/** The element-wise and row-wise kernels of `kernels` split by `split`; `raw` is the calling instance's exports. */
export function splitElementwise(kernels: Kernels, split: Splitter, raw: ElementwiseExports): Elementwise {
  // Read once (see splitKernels).
  const base = {
    activation: kernels.activation, activationBackward: kernels.activationBackward, binary: kernels.binary,
    sgdUpdate: kernels.sgdUpdate, adamUpdate: raw.adamUpdate, dropoutForward: kernels.dropoutForward,
    maximumBackward: kernels.maximumBackward, softmax: kernels.softmax, softmaxBackward: kernels.softmaxBackward,
    channelAffine: kernels.channelAffine, copyRows: kernels.copyRows,
  };

  /** Splits `name` (arguments `rest`, cut as `range` says) when its floats, at `cost` each, pay. */
  const byRange = (name: TaskExport & keyof typeof base, rest: number[], range: Range): void => {
    const run = base[name] as (...args: number[]) => void;
    const count = rest[range.countAt]!;
    const units = Math.floor(count / range.unit);
    const parts = split.parts(count * range.stride * ELEMENT_COST[name], units);
    if (parts <= 1) return run(...rest);
    const partOf = (i: number): number[] => {
      const first = cut(i, parts, units) * range.unit;
      const moved = rest.slice();
      range.pointers.forEach((at, p) => {
        if (moved[at] !== 0) moved[at]! += first * (range.strides?.[p] ?? range.stride) * F32_BYTES;
      });
      moved[range.countAt] = (i === parts - 1 ? count : cut(i + 1, parts, units) * range.unit) - first;
      if (range.seedAt >= 0) moved[range.seedAt] = ((rest[range.seedAt]! >>> 0) + Math.imul(first, GOLDEN)) >>> 0;
      return moved;
    };
    split.fan(name, parts, (i, args) => args.push(...partOf(i)), () => run(...partOf(0)));
  };
  // Each checks first, without allocating, whether the call can split at all.
  const small = (name: keyof typeof ELEMENT_COST, floats: number): boolean => floats * ELEMENT_COST[name] < SPLIT_FLOPS;

  return {
    activation: (x, y, length, act, alpha) => {
      if (small("activation", length)) return base.activation(x, y, length, act, alpha);
      byRange("activation", [x, y, length, act, alpha], elements([0, 1], 2));
    },
    activationBackward: (y, dy, dx, length, act, alpha) => {
      if (small("activationBackward", length)) return base.activationBackward(y, dy, dx, length, act, alpha);
      byRange("activationBackward", [y, dy, dx, length, act, alpha], elements([0, 1, 2], 3));
    },
    binary: (op, a, b, y, length) => {
      if (small("binary", length)) return base.binary(op, a, b, y, length);
      byRange("binary", [op, a, b, y, length], elements([1, 2, 3], 4));
    },
    maximumBackward: (x, y, dy, dx, length) => {
      if (small("maximumBackward", length)) return base.maximumBackward(x, y, dy, dx, length);
      byRange("maximumBackward", [x, y, dy, dx, length], elements([0, 1, 2, 3], 4));
    },
    dropoutForward: (x, y, mask, length, seed, keep) => {
      if (small("dropoutForward", length)) return base.dropoutForward(x, y, mask, length, seed, keep);
      byRange("dropoutForward", [x, y, mask, length, seed, keep], elements([0, 1, 2], 3, 4));
    },
    sgdUpdate: (w, g, v, length, learningRate, momentum) => {
      if (small("sgdUpdate", length)) return base.sgdUpdate(w, g, v, length, learningRate, momentum);
      byRange("sgdUpdate", [w, g, v, length, learningRate, momentum], elements([0, 1, 2], 3));
    },
    adamUpdate: (w, g, m, v, length, learningRate, beta1, beta2, epsilon, step) => {
      if (small("adamUpdate", length)) return kernels.adamUpdate(w, g, m, v, length, learningRate, beta1, beta2, epsilon, step);
      // Every part takes the raw export, with the bias corrections src/backend/wasm.ts computes (in f64).
      const t = Math.max(step, 1);
      byRange("adamUpdate", [w, g, m, v, length, beta1, beta2, epsilon, learningRate / (1 - beta1 ** t),
        1 / Math.sqrt(1 - beta2 ** t)], elements([0, 1, 2, 3], 4));
    },
    softmax: (x, y, rowCount, cols) => {
      if (small("softmax", rowCount * cols)) return base.softmax(x, y, rowCount, cols);
      byRange("softmax", [x, y, rowCount, cols], rows([0, 1], 2, cols));
    },
    softmaxBackward: (y, dy, dx, rowCount, cols) => {
      if (small("softmaxBackward", rowCount * cols)) return base.softmaxBackward(y, dy, dx, rowCount, cols);
      byRange("softmaxBackward", [y, dy, dx, rowCount, cols], rows([0, 1, 2], 3, cols));
    },
    // Rows of `outer`: each is its own loop (the per-channel parameters are not moved).
    channelAffine: (x, scale, shift, y, outer, channels, inner, act, alpha) => {
      if (small("channelAffine", outer * channels * inner)) {
        return base.channelAffine(x, scale, shift, y, outer, channels, inner, act, alpha);
      }
      byRange("channelAffine", [x, scale, shift, y, outer, channels, inner, act, alpha], rows([0, 3], 4, channels * inner));
    },
    // Rows of `width` floats, `xStride` apart in x and `yStride` in y (floats).
    copyRows: (x, y, rowCount, width, xStride, yStride) => {
      if (small("copyRows", rowCount * width)) return base.copyRows(x, y, rowCount, width, xStride, yStride);
      byRange("copyRows", [x, y, rowCount, width, xStride, yStride], rows([0, 1], 2, width, [xStride, yStride]));
    },
  };
}
