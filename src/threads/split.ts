// Splits one kernel call into independent calls on disjoint parts of the
// output, run by the calling thread (part 0) and the pool's workers, with
// pointer offsets into the same buffers. Every output element is then
// computed by the very same instruction sequence whatever the thread
// count, so results are bit-identical for 1, 2, 3, 4... threads. That
// rests on where the parts are cut:
// - GEMM by rows, cut at multiples of 4: the kernels take rows in 4-row
//   tiles (the plain-SIMD 2x16 tile in pairs) and the last m % 4 rows on a
//   row path that sums in another order, so each row keeps the path it has
//   in the whole call when every cut is a multiple of 4 and the leftover
//   rows stay at the end of the last part.
// - Conv2D by images when the batch is > 1 (each image is its own loop in
//   the kernel); at batch 1 by output rows, cut where the pixels before
//   the cut are a multiple of 4 (an image whose rows are not a multiple of
//   4 pixels is tiled as one run of pixels, see f32_conv2d_fwd.ts). A 1x1
//   stride-1 unpadded conv is the GEMM it is in the kernel.
// - DepthwiseConv2D, MaxPool2D and AvgPool2D by images (batch > 1), by
//   output rows at batch 1.
// - Backward: input gradients by images (Dense's by dx rows); weight
//   gradients by dw rows (each dw element summed as in the whole call, so
//   there is no reduction across threads).
// - Element-wise ops by element ranges cut at multiples of 16.
// Dense is a GEMM (rows = batch), so it splits at batch >= 8.
// A cost model keeps small calls on one thread: a part must carry at least
// MIN_FLOPS_PER_PART, or waking a worker (tens of microseconds) costs more
// than it saves; LeNet at batch 1 never splits.

import type { Kernels, WindowGeometry } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import type { Pool } from "./pool.js";
import type { TaskExport } from "./protocol.js";

/** Least work (flops) one part must carry. */
export const MIN_FLOPS_PER_PART = 2_000_000;
/** Least work a call must carry to split in two at all. */
const SPLIT_FLOPS = 2 * MIN_FLOPS_PER_PART;
/**
 * Flops one window op of a pooling backward pass counts as. They run at
 * ~1 ns an op (zeroing dx, then an argmax and a scatter per window: LeNet's
 * 32x28x28x6 max pooling backward, 150 K ops, 0.16 ms), ~50x a GEMM flop,
 * so counted as window ops alone LeNet's (7% of a batch-32 training step)
 * would never split.
 */
const POOL_BACKWARD_OP_FLOPS = 32;
/**
 * Flops one element of an element-wise op (activations, their backward,
 * binary ops) counts as: memory-bound, a few per ns, against a GEMM's ~50
 * flops a ns. So a call splits from ~1 M elements.
 */
const ELEMENT_FLOPS = 4;
/**
 * Element-wise ops are cut at multiples of this many floats: a multiple of
 * 4 keeps every element on the SIMD body or the scalar tail it has in the
 * whole call; 16 floats are a cache line.
 */
const ELEMENT_UNIT = 16;
/**
 * Cost of a depthwise flop in GEMM flops: memory-bound, MobileNetV2 1.0
 * 224x224's 17 depthwise layers run ~41 MFLOP in 2.7 ms (15 GFLOP/s) where
 * its convolutions run ~35 GFLOP/s.
 */
const DEPTHWISE_FLOP_COST = 2;
/** GEMM rows are cut at multiples of this. */
const ROW_UNIT = 4;

/** Per-worker scratch for conv2d parts, grown on demand (from the arena). */
export interface WorkerScratch {
  /** A block of at least `floats` floats owned by worker `w`. */
  get(w: number, floats: number): number;
}

/** How many parts `units` splittable units carrying `flops` in all should make. */
function partsFor(pool: Pool, flops: number, units: number): number {
  return Math.max(1, Math.min(pool.size + 1, units, Math.floor(flops / MIN_FLOPS_PER_PART)));
}

/** First unit of part `i` of `parts` over `units` (balanced; fixed by the counts alone). */
const cut = (i: number, parts: number, units: number): number => Math.floor((i * units) / parts);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The kernels of `base` with the forward and backward window kernels, GEMMs
 * and element-wise ops split over `pool`; `raw` holds the calling
 * instance's range exports for part 0 of a weight gradient.
 */
export function splitKernels(kernels: Kernels, pool: Pool, scratch: WorkerScratch, raw: PartExports): Kernels {
  // The wrapped methods, read once: the kernels object has ~50 of them.
  // With the early returns below, a LeNet batch-1 predict (nothing splits)
  // on 2 threads went from 2% to ~1% slower than on the one-thread build,
  // the rest being the threaded binary itself (0.8% with no wrappers).
  const base = {
    gemm: kernels.gemm, conv2d: kernels.conv2d, conv2dScratchSize: kernels.conv2dScratchSize,
    depthwiseConv2d: kernels.depthwiseConv2d, maxPool2d: kernels.maxPool2d, avgPool2d: kernels.avgPool2d,
    gemmBackwardInput: kernels.gemmBackwardInput, gemmBackwardFilter: kernels.gemmBackwardFilter,
    conv2dBackwardInput: kernels.conv2dBackwardInput, conv2dBackwardFilter: kernels.conv2dBackwardFilter,
    conv2dBackwardScratchSize: kernels.conv2dBackwardScratchSize,
    depthwiseConv2dBackwardInput: kernels.depthwiseConv2dBackwardInput,
    maxPool2dBackward: kernels.maxPool2dBackward, avgPool2dBackward: kernels.avgPool2dBackward,
    activation: kernels.activation, activationBackward: kernels.activationBackward, binary: kernels.binary,
  };
  const args: number[] = [];
  const post = (w: number, name: TaskExport): void => {
    pool.post(w, name, args);
    args.length = 0;
  };
  const pushGeometry = (g: WindowGeometry): void => {
    args.push(g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft);
  };
  /** Runs part 0 here after the others were posted, then waits for them (also when part 0 throws). */
  const own = (run: () => void): void => {
    try {
      run();
    } finally {
      pool.join();
    }
  };

  const gemm: Kernels["gemm"] = (a, packedB, bias, c, m, k, n, act, alpha) => {
    const flops = 2 * m * k * n;
    if (flops < SPLIT_FLOPS || m < 2 * ROW_UNIT) return base.gemm(a, packedB, bias, c, m, k, n, act, alpha);
    const units = Math.floor(m / ROW_UNIT);
    const parts = partsFor(pool, flops, units);
    if (parts <= 1) return base.gemm(a, packedB, bias, c, m, k, n, act, alpha);
    const rowsOf = (i: number): number => i === parts - 1 ? m - cut(i, parts, units) * ROW_UNIT
      : (cut(i + 1, parts, units) - cut(i, parts, units)) * ROW_UNIT;
    for (let i = 1; i < parts; i++) {
      const r0 = cut(i, parts, units) * ROW_UNIT;
      args.push(a + r0 * k * F32_BYTES, packedB, bias, c + r0 * n * F32_BYTES, rowsOf(i), k, n, act, alpha);
      post(i - 1, "gemm");
    }
    own(() => base.gemm(a, packedB, bias, c, rowsOf(0), k, n, act, alpha));
  };

  const conv2d: Kernels["conv2d"] = (g, x, packedW, bias, y, cout, act, alpha, convScratch) => {
    const { batch, inHeight: inH, inWidth: inW, inChannels: cin, outHeight: outH, outWidth: outW } = g;
    if (g.kernelHeight === 1 && g.kernelWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
        g.padTop === 0 && g.padLeft === 0 && outH === inH && outW === inW) {
      return gemm(x, packedW, bias, y, batch * inH * inW, cin, cout, act, alpha);
    }
    const flops = 2 * batch * outH * outW * cout * g.kernelHeight * g.kernelWidth * cin;
    if (flops < SPLIT_FLOPS) return base.conv2d(g, x, packedW, bias, y, cout, act, alpha, convScratch);
    const scratchFloats = convScratch === 0 ? 0 : base.conv2dScratchSize(g);
    const scratchOf = (i: number): number => i === 0 || scratchFloats === 0 ? convScratch : scratch.get(i - 1, scratchFloats);
    if (batch > 1) {
      const parts = partsFor(pool, flops, batch);
      if (parts <= 1) return base.conv2d(g, x, packedW, bias, y, cout, act, alpha, convScratch);
      const xImage = inH * inW * cin * F32_BYTES;
      const yImage = outH * outW * cout * F32_BYTES;
      const part = (i: number): WindowGeometry => ({ ...g, batch: cut(i + 1, parts, batch) - cut(i, parts, batch) });
      for (let i = 1; i < parts; i++) {
        const b0 = cut(i, parts, batch);
        pushGeometry(part(i));
        args.push(x + b0 * xImage, packedW, bias, y + b0 * yImage, cout, act, alpha, scratchOf(i));
        post(i - 1, "conv2d");
      }
      own(() => base.conv2d(part(0), x, packedW, bias, y, cout, act, alpha, convScratch));
      return;
    }
    // Batch 1: output rows, cut at multiples of `rowUnit` rows (a multiple of 4 pixels).
    const rowUnit = 4 / gcd(outW, 4);
    const units = Math.floor(outH / rowUnit);
    const parts = partsFor(pool, flops, units);
    if (parts <= 1) return base.conv2d(g, x, packedW, bias, y, cout, act, alpha, convScratch);
    const rowsOf = (i: number): [number, number] =>
      [cut(i, parts, units) * rowUnit, i === parts - 1 ? outH : cut(i + 1, parts, units) * rowUnit];
    const rowBytes = inW * cin * F32_BYTES;
    const sub = (o0: number, o1: number): [WindowGeometry, number] => {
      const [gi, first] = rowsWindow(g, o0, o1, g.kernelHeight);
      return [gi, x + first * rowBytes];
    };
    const yRow = outW * cout * F32_BYTES;
    for (let i = 1; i < parts; i++) {
      const [o0, o1] = rowsOf(i);
      const [gi, xi] = sub(o0, o1);
      pushGeometry(gi);
      args.push(xi, packedW, bias, y + o0 * yRow, cout, act, alpha, scratchOf(i));
      post(i - 1, "conv2d");
    }
    const [o0, o1] = rowsOf(0);
    const [g0, x0] = sub(o0, o1);
    own(() => base.conv2d(g0, x0, packedW, bias, y, cout, act, alpha, convScratch));
  };

  /** Posts parts 1.. (`push(i)` fills part i's arguments), runs part 0 here, then joins. */
  const fan = (name: TaskExport, parts: number, push: (i: number) => void, ownPart: () => void): void => {
    for (let i = 1; i < parts; i++) {
      push(i);
      post(i - 1, name);
    }
    own(ownPart);
  };
  const geometryOf = (g: WindowGeometry): number[] => [g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight,
    g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft];

  /**
   * A kernel that takes a geometry, then `rest`, split by images (each
   * image is its own loop in these kernels): `images` pairs an index of
   * `rest` (a pointer) with its bytes per image.
   */
  const byImages = (name: WindowTask, g: WindowGeometry, rest: number[], images: [number, number][], flops: number): void => {
    const run = base[name] as (g: WindowGeometry, ...rest: number[]) => void;
    const parts = partsFor(pool, flops, g.batch);
    if (parts <= 1) return run(g, ...rest);
    const part = (i: number): WindowGeometry => ({ ...g, batch: cut(i + 1, parts, g.batch) - cut(i, parts, g.batch) });
    fan(name, parts, (i) => {
      const b0 = cut(i, parts, g.batch);
      const moved = rest.slice();
      for (const [at, bytes] of images) moved[at]! += b0 * bytes;
      pushGeometry(part(i));
      args.push(...moved);
    }, () => run(part(0), ...rest));
  };
  /**
   * A window kernel at batch 1 (forward only), split by output rows: each
   * part is a pass of its own over the input rows its windows reach (as
   * conv2d's rows above), so every output is the same sum. `rest[xAt]` and
   * `rest[yAt]` are the input and output pointers; `dilation` spaces the
   * kernel rows (depthwise), 1 elsewhere.
   */
  const byRows = (name: WindowTask, g: WindowGeometry, rest: number[], xAt: number, yAt: number,
    yPixelFloats: number, dilation: number, flops: number): void => {
    const run = base[name] as (g: WindowGeometry, ...rest: number[]) => void;
    const parts = partsFor(pool, flops, g.outHeight);
    if (parts <= 1) return run(g, ...rest);
    const extent = (g.kernelHeight - 1) * dilation + 1;
    const partOf = (i: number): [WindowGeometry, number[]] => {
      const o0 = cut(i, parts, g.outHeight);
      const o1 = cut(i + 1, parts, g.outHeight);
      const [gi, first] = rowsWindow(g, o0, o1, extent);
      const moved = rest.slice();
      moved[xAt]! += first * g.inWidth * g.inChannels * F32_BYTES;
      moved[yAt]! += o0 * g.outWidth * yPixelFloats * F32_BYTES;
      return [gi, moved];
    };
    fan(name, parts, (i) => {
      const [gi, moved] = partOf(i);
      pushGeometry(gi);
      args.push(...moved);
    }, () => {
      const [g0, moved] = partOf(0);
      run(g0, ...moved);
    });
  };
  const windows = (g: WindowGeometry): number => g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth;
  const imageBytes = (g: WindowGeometry, side: "in" | "out", channels: number): number =>
    (side === "in" ? g.inHeight * g.inWidth : g.outHeight * g.outWidth) * channels * F32_BYTES;

  // Each checks first, without allocating, whether the call can split at all.
  const depthwiseConv2d: Kernels["depthwiseConv2d"] = (g, dh, dw, x, w, bias, y, m, act, alpha) => {
    const flops = 2 * windows(g) * g.inChannels * m * DEPTHWISE_FLOP_COST;
    if (flops < SPLIT_FLOPS) return base.depthwiseConv2d(g, dh, dw, x, w, bias, y, m, act, alpha);
    const rest = [dh, dw, x, w, bias, y, m, act, alpha];
    if (g.batch === 1) return byRows("depthwiseConv2d", g, rest, 2, 5, g.inChannels * m, dh, flops);
    byImages("depthwiseConv2d", g, rest, [[2, imageBytes(g, "in", g.inChannels)], [5, imageBytes(g, "out", g.inChannels * m)]], flops);
  };
  const pool2d = (name: "maxPool2d" | "avgPool2d"): Kernels["maxPool2d"] => (g, x, y) => {
    const ops = windows(g) * g.inChannels;
    if (ops < SPLIT_FLOPS) return base[name](g, x, y);
    if (g.batch === 1) return byRows(name, g, [x, y], 0, 1, g.inChannels, 1, ops);
    byImages(name, g, [x, y], [[0, imageBytes(g, "in", g.inChannels)], [1, imageBytes(g, "out", g.inChannels)]], ops);
  };

  // ---- Backward passes. Input gradients split by images (each image's dx is
  // its own); weight gradients by dw rows (src/threads' exports
  // gemmBackwardFilterRows / conv2dBackwardFilterTiles), each dw element
  // summed as in the whole call, so nothing is reduced across threads.
  const gemmBackwardInput: Kernels["gemmBackwardInput"] = (dy, w, dx, m, k, n) => {
    const flops = 2 * m * k * n;
    const parts = flops < SPLIT_FLOPS ? 1 : partsFor(pool, flops, m);
    if (parts <= 1) return base.gemmBackwardInput(dy, w, dx, m, k, n);
    // Each dx row is its own dot products: any cut.
    const rowsOf = (i: number): number => cut(i + 1, parts, m) - cut(i, parts, m);
    fan("gemmBackwardInput", parts, (i) => {
      const r0 = cut(i, parts, m);
      args.push(dy + r0 * n * F32_BYTES, w, dx + r0 * k * F32_BYTES, rowsOf(i), k, n);
    }, () => base.gemmBackwardInput(dy, w, dx, rowsOf(0), k, n));
  };
  const gemmBackwardFilter: Kernels["gemmBackwardFilter"] = (x, dy, dw, dbias, m, k, n) => {
    const flops = 2 * m * k * n;
    const units = Math.ceil(k / ROW_UNIT);
    const parts = flops < SPLIT_FLOPS ? 1 : partsFor(pool, flops, units);
    if (parts <= 1) return base.gemmBackwardFilter(x, dy, dw, dbias, m, k, n);
    const rowsAt = (i: number): number => Math.min(k, cut(i, parts, units) * ROW_UNIT);
    fan("gemmBackwardFilterRows", parts, (i) => {
      args.push(x, dy, dw, 0, m, k, n, rowsAt(i), rowsAt(i + 1));
    }, () => raw.gemmBackwardFilterRows(x, dy, dw, dbias, m, k, n, 0, rowsAt(1)));
  };
  const conv2dBackwardInput: Kernels["conv2dBackwardInput"] = (g, dy, w, dx, cout, convScratch) => {
    const flops = 2 * windows(g) * g.inChannels * cout;
    if (g.batch < 2 || flops < SPLIT_FLOPS) return base.conv2dBackwardInput(g, dy, w, dx, cout, convScratch);
    const parts = partsFor(pool, flops, g.batch);
    if (parts <= 1) return base.conv2dBackwardInput(g, dy, w, dx, cout, convScratch);
    const scratchFloats = convScratch === 0 ? 0 : base.conv2dBackwardScratchSize(g, cout);
    const part = (i: number): WindowGeometry => ({ ...g, batch: cut(i + 1, parts, g.batch) - cut(i, parts, g.batch) });
    fan("conv2dBackwardInput", parts, (i) => {
      const b0 = cut(i, parts, g.batch);
      pushGeometry(part(i));
      args.push(dy + b0 * imageBytes(g, "out", cout), w, dx + b0 * imageBytes(g, "in", g.inChannels), cout,
        scratchFloats === 0 ? 0 : scratch.get(i - 1, scratchFloats));
    }, () => base.conv2dBackwardInput(part(0), dy, w, dx, cout, convScratch));
  };
  const conv2dBackwardFilter: Kernels["conv2dBackwardFilter"] = (g, x, dy, dw, dbias, cout) => {
    const flops = 2 * windows(g) * g.inChannels * cout;
    const units = g.kernelHeight * Math.ceil(g.kernelWidth * g.inChannels / ROW_UNIT);
    const parts = flops < SPLIT_FLOPS ? 1 : partsFor(pool, flops, units);
    if (parts <= 1) return base.conv2dBackwardFilter(g, x, dy, dw, dbias, cout);
    const geometry = geometryOf(g);
    fan("conv2dBackwardFilterTiles", parts, (i) => {
      args.push(...geometry, x, dy, dw, 0, cout, cut(i, parts, units), cut(i + 1, parts, units));
    }, () => raw.conv2dBackwardFilterTiles(...geometry, x, dy, dw, dbias, cout, 0, cut(1, parts, units)));
  };
  const depthwiseConv2dBackwardInput: Kernels["depthwiseConv2dBackwardInput"] = (g, dh, dw, dy, w, dx, m) => {
    const flops = 2 * windows(g) * g.inChannels * m * DEPTHWISE_FLOP_COST;
    if (g.batch < 2 || flops < SPLIT_FLOPS) return base.depthwiseConv2dBackwardInput(g, dh, dw, dy, w, dx, m);
    byImages("depthwiseConv2dBackwardInput", g, [dh, dw, dy, w, dx, m],
      [[2, imageBytes(g, "out", g.inChannels * m)], [4, imageBytes(g, "in", g.inChannels)]], flops);
  };
  const maxPool2dBackward: Kernels["maxPool2dBackward"] = (g, x, dy, dx) => {
    const ops = windows(g) * g.inChannels * POOL_BACKWARD_OP_FLOPS;
    if (g.batch < 2 || ops < SPLIT_FLOPS) return base.maxPool2dBackward(g, x, dy, dx);
    const xImage = imageBytes(g, "in", g.inChannels);
    byImages("maxPool2dBackward", g, [x, dy, dx], [[0, xImage], [1, imageBytes(g, "out", g.inChannels)], [2, xImage]], ops);
  };
  const avgPool2dBackward: Kernels["avgPool2dBackward"] = (g, dy, dx) => {
    const ops = windows(g) * g.inChannels * POOL_BACKWARD_OP_FLOPS;
    if (g.batch < 2 || ops < SPLIT_FLOPS) return base.avgPool2dBackward(g, dy, dx);
    byImages("avgPool2dBackward", g, [dy, dx], [[0, imageBytes(g, "out", g.inChannels)], [1, imageBytes(g, "in", g.inChannels)]], ops);
  };

  // ---- Element-wise ops by ranges of elements (the tail stays at the end of the last part).
  /** `rest` holds pointers at `pointers` and `length` at `lengthAt`. */
  const byRange = (name: "activation" | "activationBackward" | "binary", rest: number[], pointers: number[],
    lengthAt: number): void => {
    const run = base[name] as (...rest: number[]) => void;
    const length = rest[lengthAt]!;
    const units = Math.floor(length / ELEMENT_UNIT);
    const parts = partsFor(pool, length * ELEMENT_FLOPS, units);
    if (parts <= 1) return run(...rest);
    const partOf = (i: number): number[] => {
      const e0 = cut(i, parts, units) * ELEMENT_UNIT;
      const moved = rest.slice();
      for (const at of pointers) moved[at]! += e0 * F32_BYTES;
      moved[lengthAt] = (i === parts - 1 ? length : cut(i + 1, parts, units) * ELEMENT_UNIT) - e0;
      return moved;
    };
    fan(name, parts, (i) => args.push(...partOf(i)), () => run(...partOf(0)));
  };
  const activation: Kernels["activation"] = (x, y, length, act, alpha) => {
    if (length * ELEMENT_FLOPS < SPLIT_FLOPS) return base.activation(x, y, length, act, alpha);
    byRange("activation", [x, y, length, act, alpha], [0, 1], 2);
  };
  const activationBackward: Kernels["activationBackward"] = (y, dy, dx, length, act, alpha) => {
    if (length * ELEMENT_FLOPS < SPLIT_FLOPS) return base.activationBackward(y, dy, dx, length, act, alpha);
    byRange("activationBackward", [y, dy, dx, length, act, alpha], [0, 1, 2], 3);
  };
  const binary: Kernels["binary"] = (op, a, b, y, length) => {
    if (length * ELEMENT_FLOPS < SPLIT_FLOPS) return base.binary(op, a, b, y, length);
    byRange("binary", [op, a, b, y, length], [1, 2, 3], 4);
  };

  return {
    ...kernels, gemm, conv2d, depthwiseConv2d, maxPool2d: pool2d("maxPool2d"), avgPool2d: pool2d("avgPool2d"),
    gemmBackwardInput, gemmBackwardFilter, conv2dBackwardInput, conv2dBackwardFilter, depthwiseConv2dBackwardInput,
    maxPool2dBackward, avgPool2dBackward, activation, activationBackward, binary,
  };
}

/** Kernels that take a geometry first, split by byImages / byRows. */
type WindowTask = "depthwiseConv2d" | "maxPool2d" | "avgPool2d" | "depthwiseConv2dBackwardInput" | "maxPool2dBackward" |
  "avgPool2dBackward";

/** Raw exports of the threaded build that only split calls use: part 0 of a weight gradient, on the calling thread. */
export interface PartExports {
  gemmBackwardFilterRows(x: number, dy: number, dw: number, dbias: number, m: number, k: number, n: number,
    p0: number, p1: number): void;
  conv2dBackwardFilterTiles(...args: number[]): void;
}

/**
 * Output rows [o0, o1) of `g` (batch 1) as a pass of their own: the input
 * from the first row their windows touch (returned), the padding above it
 * what is left of padTop, and only the input rows the windows reach (any
 * beyond would make the kernel pad, or copy, rows it never reads).
 * `extent` is the window's height in input rows (dilated).
 */
function rowsWindow(g: WindowGeometry, o0: number, o1: number, extent: number): [WindowGeometry, number] {
  const top = o0 * g.strideHeight - g.padTop;
  const first = Math.max(0, top);
  const padTop = first - top;
  const span = (o1 - o0 - 1) * g.strideHeight + extent;
  return [{ ...g, outHeight: o1 - o0, padTop, inHeight: Math.min(g.inHeight - first, span - padTop) }, first];
}
