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
// - DepthwiseConv2D, MaxPool2D and AvgPool2D by images (batch > 1 only).
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

/** The kernels of `base` with gemm, conv2d, depthwise conv and pooling split over `pool`. */
export function splitKernels(kernels: Kernels, pool: Pool, scratch: WorkerScratch): Kernels {
  // The wrapped methods, read once: the kernels object has ~50 of them.
  // With the early returns below, a LeNet batch-1 predict (nothing splits)
  // on 2 threads went from 2% to ~1% slower than on the one-thread build,
  // the rest being the threaded binary itself (0.8% with no wrappers).
  const base = {
    gemm: kernels.gemm, conv2d: kernels.conv2d, conv2dScratchSize: kernels.conv2dScratchSize,
    depthwiseConv2d: kernels.depthwiseConv2d, maxPool2d: kernels.maxPool2d, avgPool2d: kernels.avgPool2d,
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
    // Output rows [o0, o1) as a convolution of their own: the input from the
    // first row their windows touch, the padding above it what is left of
    // padTop, and only the input rows the windows reach (any beyond would
    // make the kernel pad, or copy, rows it never reads).
    const sub = (o0: number, o1: number): [WindowGeometry, number] => {
      const top = o0 * g.strideHeight - g.padTop;
      const first = Math.max(0, top);
      const padTop = first - top;
      const span = (o1 - o0 - 1) * g.strideHeight + g.kernelHeight;
      return [{ ...g, outHeight: o1 - o0, padTop, inHeight: Math.min(inH - first, span - padTop) }, x + first * rowBytes];
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

  /**
   * A kernel that takes a geometry, then `rest`, split by images (each
   * image is its own loop in these kernels): rest[xAt] and rest[yAt] are
   * the input and output pointers.
   */
  const byImages = (name: "depthwiseConv2d" | "maxPool2d" | "avgPool2d", g: WindowGeometry, rest: number[],
    xAt: number, yAt: number, yPixelFloats: number, flops: number): void => {
    const run = base[name] as (g: WindowGeometry, ...rest: number[]) => void;
    const parts = partsFor(pool, flops, g.batch);
    if (parts <= 1) return run(g, ...rest);
    const xImage = g.inHeight * g.inWidth * g.inChannels * F32_BYTES;
    const yImage = g.outHeight * g.outWidth * yPixelFloats * F32_BYTES;
    const part = (i: number): WindowGeometry => ({ ...g, batch: cut(i + 1, parts, g.batch) - cut(i, parts, g.batch) });
    for (let i = 1; i < parts; i++) {
      const b0 = cut(i, parts, g.batch);
      pushGeometry(part(i));
      rest.forEach((v, j) => args.push(j === xAt ? v + b0 * xImage : j === yAt ? v + b0 * yImage : v));
      post(i - 1, name);
    }
    own(() => run(part(0), ...rest));
  };
  const windows = (g: WindowGeometry): number => g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth;

  // Each checks first, without allocating, whether the call can split at all.
  const depthwiseConv2d: Kernels["depthwiseConv2d"] = (g, dh, dw, x, w, bias, y, m, act, alpha) => {
    const flops = 2 * windows(g) * g.inChannels * m;
    if (g.batch < 2 || flops < SPLIT_FLOPS) return base.depthwiseConv2d(g, dh, dw, x, w, bias, y, m, act, alpha);
    byImages("depthwiseConv2d", g, [dh, dw, x, w, bias, y, m, act, alpha], 2, 5, g.inChannels * m, flops);
  };
  const maxPool2d: Kernels["maxPool2d"] = (g, x, y) => {
    const ops = windows(g) * g.inChannels;
    if (g.batch < 2 || ops < SPLIT_FLOPS) return base.maxPool2d(g, x, y);
    byImages("maxPool2d", g, [x, y], 0, 1, g.inChannels, ops);
  };
  const avgPool2d: Kernels["avgPool2d"] = (g, x, y) => {
    const ops = windows(g) * g.inChannels;
    if (g.batch < 2 || ops < SPLIT_FLOPS) return base.avgPool2d(g, x, y);
    byImages("avgPool2d", g, [x, y], 0, 1, g.inChannels, ops);
  };

  return { ...kernels, gemm, conv2d, depthwiseConv2d, maxPool2d, avgPool2d };
}
