// Models for the thread tests: each one large enough that its GEMM / Conv2D
// calls split (src/threads/parts.ts: at least 0.5 MFLOP a part), with odd
// sizes so that the cuts fall next to the kernels' tile remainders.
import {
  Activation, Add, AvgPool2D, Conv2D, Dense, DepthwiseConv2D, Flatten, MaxPool2D, Model, Sequential, input,
} from "simdcnn";

export { ramp } from "../api/models.js";

/** Index of the first element whose bits differ (NaN and -0 included), or -1. toEqual on a million elements is too slow. */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

export interface Case {
  name: string;
  build(): Sequential | Model;
  /** Floats of one sample. */
  sample: number;
  /** The batches it runs at, when not BATCHES. */
  batches?: readonly number[];
}

const seed = 11;

export const CASES: readonly Case[] = [
  {
    // Dense 300 -> 257 at batch 64: 9.9 MFLOP, rows cut at multiples of 4, 64 % 4 = 0;
    // at batch 37 the last part keeps the 1-row remainder.
    name: "dense 300->257->19",
    sample: 300,
    build: () => new Sequential([new Dense({ units: 257, activation: "relu" }), new Dense({ units: 19 })],
      { inputShape: [300], seed }),
  },
  {
    // 3x3 'same' on 37x29 (29 columns: the image is tiled as one run of pixels, rows cut every 4).
    name: "conv 3x3 same 37x29x16->40",
    sample: 37 * 29 * 16,
    build: () => new Sequential([new Conv2D({ filters: 40, kernelSize: 3, padding: "same", activation: "relu" })],
      { inputShape: [37, 29, 16], seed }),
  },
  {
    name: "conv 5x5 valid stride 2 41x43x12->20",
    sample: 41 * 43 * 12,
    build: () => new Sequential([new Conv2D({ filters: 20, kernelSize: 5, strides: 2 })], { inputShape: [41, 43, 12], seed }),
  },
  {
    // 16-filter groups (the 2x16 conv tile), stride 2, 'same' padding odd on one side.
    name: "conv 3x3 same stride 2 45x47x24->32",
    sample: 45 * 47 * 24,
    build: () => new Sequential([new Conv2D({ filters: 32, kernelSize: 3, strides: 2, padding: "same", activation: "relu" })],
      { inputShape: [45, 47, 24], seed }),
  },
  {
    // 1x1: one GEMM over every pixel (33*31 = 1023 rows, 3 left over).
    name: "conv 1x1 33x31x64->72",
    sample: 33 * 31 * 64,
    build: () => new Sequential([new Conv2D({ filters: 72, kernelSize: 1 })], { inputShape: [33, 31, 64], seed }),
  },
  {
    // One input channel, few filters (the cin = 1 kernel), 'same' 5x5.
    name: "conv 5x5 same 128x131x1->7",
    sample: 128 * 131,
    build: () => new Sequential([new Conv2D({ filters: 7, kernelSize: 5, padding: "same", activation: "relu" })],
      { inputShape: [128, 131, 1], seed }),
  },
  {
    // Depthwise (multiplier 2, 'same'), then 3x3 stride-2 max and 2x2 average pooling: split by images.
    name: "depthwise + pooling 57x59x24",
    sample: 57 * 59 * 24,
    build: () => new Sequential([
      new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, padding: "same", activation: "relu" }),
      new MaxPool2D({ poolSize: 3, strides: 2 }),
      new AvgPool2D({ poolSize: 2 }),
    ], { inputShape: [57, 59, 24], seed }),
  },
  {
    name: "small CNN 64x64x3",
    sample: 64 * 64 * 3,
    build: () => new Sequential([
      new Conv2D({ filters: 24, kernelSize: 3, padding: "same", activation: "relu" }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 48, kernelSize: 3, activation: "relu" }),
      new Flatten(),
      new Dense({ units: 33, activation: "softmax" }),
    ], { inputShape: [64, 64, 3], seed }),
  },
  {
    // An inverted-residual block (MobileNetV2's): the projection's Add is
    // fused into it (src/graph/rewrite.ts), which runs the pointwise conv
    // in chunks of output rows, a chunk per thread's worth (24 filters: 170
    // rows a thread, 1.2 MFLOP at k = 144, so each chunk splits), its add
    // after each. 41 * 43 = 1,763 pixels: chunks of 4-row slabs, 3 rows on
    // the GEMM's row path at the end.
    name: "inverted residual 41x43x24 (fused Add, pointwise chunks)",
    sample: 41 * 43 * 24,
    batches: [1, 3],
    build: () => {
      const x = input({ shape: [41, 43, 24] });
      const expand = new Conv2D({ filters: 144, kernelSize: 1, activation: "relu6", seed }).apply(x);
      const dw = new DepthwiseConv2D({ kernelSize: 3, padding: "same", activation: "relu6", seed: seed + 1 }).apply(expand);
      const project = new Conv2D({ filters: 24, kernelSize: 1, seed: seed + 2 }).apply(dw);
      return new Model({ inputs: x, outputs: new Add().apply([project, x]) });
    },
  },
  {
    // Batch 1 alone: depthwise and pooling split by output rows, each part
    // a pass over the input rows its windows reach. 3x3 'same' (the 3x3
    // sweep; 10.8 MFLOP), dilation 2, 3x3 stride-1 max and average pooling
    // (5.4 M window ops each), 5x5 stride 2 with 'same' padding odd on one
    // side.
    name: "depthwise + pooling by rows 113x111x48",
    sample: 113 * 111 * 48,
    batches: [1],
    build: () => new Sequential([
      new DepthwiseConv2D({ kernelSize: 3, padding: "same", activation: "relu" }),
      new DepthwiseConv2D({ kernelSize: 3, dilationRate: 2, padding: "same" }),
      new MaxPool2D({ poolSize: 3, strides: 1, padding: "same" }),
      new AvgPool2D({ poolSize: 3, strides: 1, padding: "same" }),
      new DepthwiseConv2D({ kernelSize: 5, strides: 2, padding: "same", activation: "relu" }),
    ], { inputShape: [113, 111, 48], seed }),
  },
  {
    // Standalone activations over 1031*1033*4 = 4.26 M elements (4 flops an element in
    // the cost model: as many parts as threads), cut at multiples of 16 floats, so each element
    // keeps the 4-lane body or the scalar tail it has in one call (12 floats past the
    // last multiple of 16 here; the next case's 1031x1033x3 leaves 13, one of them on the
    // scalar tail).
    name: "activations 1031x1033x4",
    sample: 1031 * 1033 * 4,
    batches: [1],
    build: () => new Sequential([
      new Activation({ activation: "sigmoid" }),
      new Activation({ activation: "tanh" }),
      new Activation({ activation: "swish" }),
    ], { inputShape: [1031, 1033, 4], seed }),
  },
  {
    name: "activation 1031x1033x3 (a tail of 5 floats)",
    sample: 1031 * 1033 * 3,
    batches: [1],
    build: () => new Sequential([new Activation({ activation: "elu" })], { inputShape: [1031, 1033, 3], seed }),
  },
];

/** The batches every case is run at: one sample (row cuts), an odd batch and a large one. */
export const BATCHES = [1, 3, 37] as const;
