// Training's backward passes over threads, deterministically. Input
// gradients split by images (each image's dx is its own; Dense's dx by
// rows, each its own dot products). Weight gradients split by output
// element: dw rows, through the threaded builds' range exports
// (gemmBackwardFilterRows, conv2dBackwardFilterTiles,
// depthwiseConv2dBackwardFilterChannels, assembly/threads.ts),
// where each dw element is summed over the same pixels in the same order as
// in the whole call. Nothing is reduced across threads, so the bits do not
// depend on the thread count, and no partial-sum buffers are needed.

import type { Kernels } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import {
  cut, DEPTHWISE_FLOP_COST, geometryOf, imageBytes, imagesOf, ROW_UNIT, SPLIT_FLOPS, windows, type Splitter,
  type WindowRun, type WorkerScratch,
} from "./parts.js";

/**
 * Flops one window op of a pooling backward pass counts as. They run at
 * ~1 ns an op (zeroing dx, then an argmax and a scatter per window: LeNet's
 * 32x28x28x6 max pooling backward, 150 K ops, 0.16 ms), ~50x a GEMM flop,
 * so counted as window ops alone LeNet's (7% of a batch-32 training step)
 * would never split.
 */
const POOL_BACKWARD_OP_FLOPS = 32;
/**
 * The depthwise filter gradient's parts are cut at multiples of this many
 * channels: its 3x3 path takes channels 8 at a time (the C*M % 8 rest more
 * slowly, so only the last part may have one).
 */
const DEPTHWISE_CHANNEL_UNIT = 8;

/** Raw exports of the threaded build that only split calls use: part 0 of a weight gradient, on the calling thread. */
export interface PartExports {
  gemmBackwardFilterRows(x: number, dy: number, dw: number, dbias: number, m: number, k: number, n: number,
    p0: number, p1: number): void;
  conv2dBackwardFilterTiles(...args: number[]): void;
  depthwiseConv2dBackwardFilterChannels(...args: number[]): void;
}

type Backward = Pick<Kernels, "gemmBackwardInput" | "gemmBackwardFilter" | "conv2dBackwardInput" | "conv2dBackwardFilter" |
  "depthwiseConv2dBackwardInput" | "depthwiseConv2dBackwardFilter" | "maxPool2dBackward" | "avgPool2dBackward">;

/** The backward kernels of `kernels` split by `split`; `raw` is the calling instance's range exports. */
export function splitBackward(kernels: Kernels, split: Splitter, scratch: WorkerScratch, raw: PartExports): Backward {
  // Read once (see splitKernels).
  const base = {
    gemmBackwardInput: kernels.gemmBackwardInput, gemmBackwardFilter: kernels.gemmBackwardFilter,
    conv2dBackwardInput: kernels.conv2dBackwardInput, conv2dBackwardFilter: kernels.conv2dBackwardFilter,
    conv2dBackwardScratchSize: kernels.conv2dBackwardScratchSize,
    depthwiseConv2dBackwardInput: kernels.depthwiseConv2dBackwardInput as WindowRun,
    depthwiseConv2dBackwardFilter: kernels.depthwiseConv2dBackwardFilter,
    maxPool2dBackward: kernels.maxPool2dBackward as WindowRun, avgPool2dBackward: kernels.avgPool2dBackward as WindowRun,
  };

  // Each checks first, without allocating, whether the call can split at all.
  const gemmBackwardInput: Kernels["gemmBackwardInput"] = (dy, w, dx, m, k, n) => {
    const flops = 2 * m * k * n;
    const parts = flops < SPLIT_FLOPS ? 1 : split.parts(flops, m);
    if (parts <= 1) return base.gemmBackwardInput(dy, w, dx, m, k, n);
    const rowsOf = (i: number): number => cut(i + 1, parts, m) - cut(i, parts, m);
    split.fan("gemmBackwardInput", parts, (i, args) => {
      const r0 = cut(i, parts, m);
      args.push(dy + r0 * n * F32_BYTES, w, dx + r0 * k * F32_BYTES, rowsOf(i), k, n);
    }, () => base.gemmBackwardInput(dy, w, dx, rowsOf(0), k, n));
  };
  const gemmBackwardFilter: Kernels["gemmBackwardFilter"] = (x, dy, dw, dbias, m, k, n) => {
    const flops = 2 * m * k * n;
    const units = Math.ceil(k / ROW_UNIT);
    const parts = flops < SPLIT_FLOPS ? 1 : split.parts(flops, units);
    if (parts <= 1) return base.gemmBackwardFilter(x, dy, dw, dbias, m, k, n);
    const rowsAt = (i: number): number => Math.min(k, cut(i, parts, units) * ROW_UNIT);
    // The bias gradient goes with part 0.
    split.fan("gemmBackwardFilterRows", parts, (i, args) => {
      args.push(x, dy, dw, 0, m, k, n, rowsAt(i), rowsAt(i + 1));
    }, () => raw.gemmBackwardFilterRows(x, dy, dw, dbias, m, k, n, 0, rowsAt(1)));
  };
  const conv2dBackwardInput: Kernels["conv2dBackwardInput"] = (g, dy, w, dx, cout, convScratch) => {
    const flops = 2 * windows(g) * g.inChannels * cout;
    if (g.batch < 2 || flops < SPLIT_FLOPS) return base.conv2dBackwardInput(g, dy, w, dx, cout, convScratch);
    const parts = split.parts(flops, g.batch);
    if (parts <= 1) return base.conv2dBackwardInput(g, dy, w, dx, cout, convScratch);
    const scratchFloats = convScratch === 0 ? 0 : base.conv2dBackwardScratchSize(g, cout);
    const part = (i: number) => imagesOf(g, cut(i + 1, parts, g.batch) - cut(i, parts, g.batch));
    split.fan("conv2dBackwardInput", parts, (i, args) => {
      const b0 = cut(i, parts, g.batch);
      args.push(...geometryOf(part(i)), dy + b0 * imageBytes(g, "out", cout), w, dx + b0 * imageBytes(g, "in", g.inChannels),
        cout, scratchFloats === 0 ? 0 : scratch.get(i - 1, scratchFloats));
    }, () => base.conv2dBackwardInput(part(0), dy, w, dx, cout, convScratch));
  };
  const conv2dBackwardFilter: Kernels["conv2dBackwardFilter"] = (g, x, dy, dw, dbias, cout) => {
    const flops = 2 * windows(g) * g.inChannels * cout;
    // Register tiles of dw, (kernel row, 4-row block of kw*cin), as the kernel numbers them.
    const units = g.kernelHeight * Math.ceil(g.kernelWidth * g.inChannels / ROW_UNIT);
    const parts = flops < SPLIT_FLOPS ? 1 : split.parts(flops, units);
    if (parts <= 1) return base.conv2dBackwardFilter(g, x, dy, dw, dbias, cout);
    const geometry = geometryOf(g);
    split.fan("conv2dBackwardFilterTiles", parts, (i, args) => {
      args.push(...geometry, x, dy, dw, 0, cout, cut(i, parts, units), cut(i + 1, parts, units));
    }, () => raw.conv2dBackwardFilterTiles(...geometry, x, dy, dw, dbias, cout, 0, cut(1, parts, units)));
  };
  const depthwiseConv2dBackwardInput: Kernels["depthwiseConv2dBackwardInput"] = (g, dh, dw, dy, w, dx, m) => {
    const flops = 2 * windows(g) * g.inChannels * m * DEPTHWISE_FLOP_COST;
    if (g.batch < 2 || flops < SPLIT_FLOPS) return base.depthwiseConv2dBackwardInput(g, dh, dw, dy, w, dx, m);
    split.byImages("depthwiseConv2dBackwardInput", base.depthwiseConv2dBackwardInput, g, [dh, dw, dy, w, dx, m],
      [[2, imageBytes(g, "out", g.inChannels * m)], [4, imageBytes(g, "in", g.inChannels)]], flops);
  };
  const depthwiseConv2dBackwardFilter: Kernels["depthwiseConv2dBackwardFilter"] = (g, dh, dw, x, dy, dwt, dbias, m) => {
    const cm = g.inChannels * m;
    const flops = 2 * windows(g) * cm * DEPTHWISE_FLOP_COST;
    const units = Math.ceil(cm / DEPTHWISE_CHANNEL_UNIT);
    const parts = flops < SPLIT_FLOPS ? 1 : split.parts(flops, units);
    if (parts <= 1) return base.depthwiseConv2dBackwardFilter(g, dh, dw, x, dy, dwt, dbias, m);
    const geometry = geometryOf(g);
    const channelAt = (i: number): number => Math.min(cm, cut(i, parts, units) * DEPTHWISE_CHANNEL_UNIT);
    // The bias gradient goes with part 0.
    split.fan("depthwiseConv2dBackwardFilterChannels", parts, (i, args) => {
      args.push(...geometry, dh, dw, x, dy, dwt, 0, m, channelAt(i), channelAt(i + 1));
    }, () => raw.depthwiseConv2dBackwardFilterChannels(...geometry, dh, dw, x, dy, dwt, dbias, m, 0, channelAt(1)));
  };
  const maxPool2dBackward: Kernels["maxPool2dBackward"] = (g, x, dy, dx) => {
    const ops = windows(g) * g.inChannels * POOL_BACKWARD_OP_FLOPS;
    if (g.batch < 2 || ops < SPLIT_FLOPS) return base.maxPool2dBackward(g, x, dy, dx);
    const xImage = imageBytes(g, "in", g.inChannels);
    split.byImages("maxPool2dBackward", base.maxPool2dBackward, g, [x, dy, dx],
      [[0, xImage], [1, imageBytes(g, "out", g.inChannels)], [2, xImage]], ops);
  };
  const avgPool2dBackward: Kernels["avgPool2dBackward"] = (g, dy, dx) => {
    const ops = windows(g) * g.inChannels * POOL_BACKWARD_OP_FLOPS;
    if (g.batch < 2 || ops < SPLIT_FLOPS) return base.avgPool2dBackward(g, dy, dx);
    split.byImages("avgPool2dBackward", base.avgPool2dBackward, g, [dy, dx],
      [[0, imageBytes(g, "out", g.inChannels)], [1, imageBytes(g, "in", g.inChannels)]], ops);
  };

  return {
    gemmBackwardInput, gemmBackwardFilter, conv2dBackwardInput, conv2dBackwardFilter, depthwiseConv2dBackwardInput,
    depthwiseConv2dBackwardFilter, maxPool2dBackward, avgPool2dBackward,
  };
}
