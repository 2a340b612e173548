// Training's backward passes over threads, deterministically. Input
// gradients split by images (each image's dx is its own; Dense's dx by
// rows, each its own dot products); at batch 1 by rows of dx (see
// dxRowsWindow; pooling's only where windows do not overlap, see
// poolRows). Weight gradients split by output
// element: dw rows, through the threaded builds' range exports
// (gemmBackwardFilterRows, conv2dBackwardFilterTiles,
// depthwiseConv2dBackwardFilterChannels, assembly/threads.ts),
// where each dw element is summed over the same pixels in the same order as
// in the whole call. Nothing is reduced across threads, so the bits do not
// depend on the thread count, and no partial-sum buffers are needed.

import type { Kernels, WindowGeometry } from "../backend/kernels.js";
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
export interface FilterExports {
  gemmBackwardFilterRows(x: number, dy: number, dw: number, dbias: number, m: number, k: number, n: number,
    p0: number, p1: number): void;
  conv2dBackwardFilterTiles(...args: number[]): void;
  depthwiseConv2dBackwardFilterChannels(...args: number[]): void;
}

type Backward = Pick<Kernels, "gemmBackwardInput" | "gemmBackwardFilter" | "conv2dBackwardInput" | "conv2dBackwardFilter" |
  "depthwiseConv2dBackwardInput" | "depthwiseConv2dBackwardFilter" | "maxPool2dBackward" | "avgPool2dBackward">;

/** The backward kernels of `kernels` split by `split`; `raw` is the calling instance's range exports. */
export function splitBackward(kernels: Kernels, split: Splitter, scratch: WorkerScratch, raw: FilterExports): Backward {
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
    if (flops < SPLIT_FLOPS) return base.conv2dBackwardInput(g, dy, w, dx, cout, convScratch);
    // Workers get conv scratch of their own from the arena (none where the part needs none).
    const scratchOf = (i: number, gi: WindowGeometry): number => {
      if (i === 0 || !convScratch) return convScratch ?? 0;
      const floats = base.conv2dBackwardScratchSize(gi, cout);
      return floats === 0 ? 0 : scratch.get(i - 1, floats);
    };
    if (g.batch === 1) {
      // Rows of dx cut at multiples of 4: the stride-1 kernel takes them in 4-row register tiles.
      return byDxRows("conv2dBackwardInput", g, g.kernelHeight, ROW_UNIT, flops, (gi, dyAt, dxAt) => [
        dy + dyAt * g.outWidth * cout * F32_BYTES, w, dx + dxAt * g.inWidth * g.inChannels * F32_BYTES, cout,
      ], (gi, i) => scratchOf(i, gi));
    }
    const parts = split.parts(flops, g.batch);
    if (parts <= 1) return base.conv2dBackwardInput(g, dy, w, dx, cout, convScratch);
    const part = (i: number) => imagesOf(g, cut(i + 1, parts, g.batch) - cut(i, parts, g.batch));
    split.fan("conv2dBackwardInput", parts, (i, args) => {
      const b0 = cut(i, parts, g.batch);
      args.push(...geometryOf(part(i)), dy + b0 * imageBytes(g, "out", cout), w, dx + b0 * imageBytes(g, "in", g.inChannels),
        cout, scratchOf(i, part(i)));
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
    if (flops < SPLIT_FLOPS) return base.depthwiseConv2dBackwardInput(g, dh, dw, dy, w, dx, m);
    if (g.batch === 1) {
      // A gather per dx cell: any row.
      return byDxRows("depthwiseConv2dBackwardInput", g, (g.kernelHeight - 1) * dh + 1, 1, flops, (gi, dyAt, dxAt) => [
        dh, dw, dy + dyAt * g.outWidth * g.inChannels * m * F32_BYTES, w, dx + dxAt * g.inWidth * g.inChannels * F32_BYTES, m,
      ]);
    }
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
    if (ops < SPLIT_FLOPS) return base.maxPool2dBackward(g, x, dy, dx);
    const xImage = imageBytes(g, "in", g.inChannels);
    if (g.batch === 1) {
      if (!poolRowsKeepPath(g)) return base.maxPool2dBackward(g, x, dy, dx);
      const row = g.inWidth * g.inChannels * F32_BYTES;
      return poolRows("maxPool2dBackward", g, ops, (dyAt, dxAt) => [
        x + dxAt * row, dy + dyAt * g.outWidth * g.inChannels * F32_BYTES, dx + dxAt * row,
      ]);
    }
    split.byImages("maxPool2dBackward", base.maxPool2dBackward, g, [x, dy, dx],
      [[0, xImage], [1, imageBytes(g, "out", g.inChannels)], [2, xImage]], ops);
  };
  const avgPool2dBackward: Kernels["avgPool2dBackward"] = (g, dy, dx) => {
    const ops = windows(g) * g.inChannels * POOL_BACKWARD_OP_FLOPS;
    if (ops < SPLIT_FLOPS) return base.avgPool2dBackward(g, dy, dx);
    if (g.batch === 1) {
      return poolRows("avgPool2dBackward", g, ops, (dyAt, dxAt) => [
        dy + dyAt * g.outWidth * g.inChannels * F32_BYTES, dx + dxAt * g.inWidth * g.inChannels * F32_BYTES,
      ]);
    }
    split.byImages("avgPool2dBackward", base.avgPool2dBackward, g, [dy, dx],
      [[0, imageBytes(g, "out", g.inChannels)], [1, imageBytes(g, "in", g.inChannels)]], ops);
  };

  /**
   * An input gradient at batch 1 split by rows of dx, cut at multiples of
   * `unit`: each part is a pass of its own (dxRowsWindow) with the
   * arguments `rest(geometry, first dy row, first dx row)` and, for
   * Conv2D, `scratchOf(geometry, part)` last. `extent` is the window's
   * height in input rows (dilated).
   */
  const byDxRows = (name: "conv2dBackwardInput" | "depthwiseConv2dBackwardInput", g: WindowGeometry, extent: number,
    unit: number, flops: number, rest: (gi: WindowGeometry, dyAt: number, dxAt: number) => number[],
    scratchOf?: (gi: WindowGeometry, i: number) => number): void => {
    const run = base[name] as WindowRun;
    const units = Math.floor(g.inHeight / unit);
    const parts = split.parts(flops, units);
    const partOf = (i: number): [WindowGeometry, number[]] => {
      const r0 = cut(i, parts, units) * unit;
      const [gi, dyAt] = dxRowsWindow(g, r0, i === parts - 1 ? g.inHeight : cut(i + 1, parts, units) * unit, extent);
      const args = rest(gi, dyAt, r0);
      if (scratchOf) args.push(scratchOf(gi, i));
      return [gi, args];
    };
    if (parts <= 1) return run(g, ...rest(g, 0, 0), ...(scratchOf ? [scratchOf(g, 0)] : []));
    split.fanWindows(name, run, parts, partOf);
  };

  /**
   * A pooling backward pass at batch 1 split by output rows, where windows
   * do not overlap vertically (kernelHeight <= strideHeight): part i's
   * windows are output rows [o_i, o_i+1), its dx the input rows from the
   * first of its windows to the first of the next part's (from 0 for the
   * first part, to the bottom for the last), so each window lies whole in
   * one part and each dx cell gets what it gets in the whole pass (a max
   * over the same cells, a mean over the same count, or 0). Overlapping
   * windows stay on one thread.
   */
  const poolRows = (name: "maxPool2dBackward" | "avgPool2dBackward", g: WindowGeometry, ops: number,
    rest: (dyAt: number, dxAt: number) => number[]): void => {
    const run = base[name] as WindowRun;
    const parts = g.kernelHeight > g.strideHeight ? 1 : split.parts(ops, g.outHeight);
    if (parts <= 1) return run(g, ...rest(0, 0));
    const firstRow = (i: number): number => i === 0 ? 0 : i === parts ? g.inHeight
      : cut(i, parts, g.outHeight) * g.strideHeight - g.padTop;
    split.fanWindows(name, run, parts, (i) => {
      const o0 = cut(i, parts, g.outHeight);
      return [{ ...g, inHeight: firstRow(i + 1) - firstRow(i), outHeight: cut(i + 1, parts, g.outHeight) - o0,
        padTop: i === 0 ? g.padTop : 0 }, rest(o0, firstRow(i))];
    });
  };

  return {
    gemmBackwardInput, gemmBackwardFilter, conv2dBackwardInput, conv2dBackwardFilter, depthwiseConv2dBackwardInput,
    depthwiseConv2dBackwardFilter, maxPool2dBackward, avgPool2dBackward,
  };
}

/**
 * dx rows [r0, r1) of `g` (batch 1) as a pass of their own: only the output
 * rows whose windows reach them (from the one returned), the padding above
 * what puts each window where it was. Every dx cell in them then gets the
 * same terms in the same order as in the whole pass (the terms of taps
 * that reach other rows are left out); rows no window reaches get 0.
 * `extent` is the window's height in input rows (dilated).
 */
function dxRowsWindow(g: WindowGeometry, r0: number, r1: number, extent: number): [WindowGeometry, number] {
  const sh = g.strideHeight;
  const oh0 = Math.max(0, Math.ceil((r0 + g.padTop - extent + 1) / sh));
  const oh1 = Math.max(oh0, Math.min(g.outHeight, Math.floor((r1 - 1 + g.padTop) / sh) + 1));
  return [{ ...g, inHeight: r1 - r0, outHeight: oh1 - oh0, padTop: g.padTop + r0 - oh0 * sh }, oh0];
}

/**
 * Whether splitting a max pooling backward pass by rows (poolRows) keeps
 * every part on the kernel's path for the whole pass: its non-overlapping
 * fast path needs no padding and whole windows, so parts below the first
 * (no padding above) could take it where the whole pass does not.
 */
function poolRowsKeepPath(g: WindowGeometry): boolean {
  const rowsTile = g.padTop === 0 && g.outHeight * g.kernelHeight === g.inHeight;
  const columnsTile = g.strideHeight === g.kernelHeight && g.strideWidth === g.kernelWidth && g.padLeft === 0 &&
    g.outWidth * g.kernelWidth === g.inWidth;
  return rowsTile || !columnsTile;
}
