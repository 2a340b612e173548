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
// - Backward passes: see split-backward.ts.
// - Element-wise and row-wise ops (softmax, BatchNorm's affine map): see
//   split-elementwise.ts; BatchNorm's statistics and backward by channel
//   blocks: see split-norm.ts.
// Dense is a GEMM (rows = batch), so it splits at batch >= 8.
// A cost model keeps small calls on one thread: a part must carry at least
// MIN_FLOPS_PER_PART (parts.ts), or waking a worker (tens of microseconds)
// costs more than it saves; LeNet at batch 1 never splits.

import type { Kernels, WindowGeometry } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import type { Pool } from "./pool.js";
import {
  cut, DEPTHWISE_FLOP_COST, geometryOf, POOL_OP_FLOPS, imageBytes, imagesOf, ROW_UNIT, SPLIT_FLOPS, Splitter, windows,
  type WindowRun, type WorkerScratch,
} from "./parts.js";
import { splitBackward, type FilterExports } from "./split-backward.js";
import { splitElementwise, type ElementwiseExports } from "./split-elementwise.js";
import { splitNorm, type NormExports } from "./split-norm.js";

export type { WorkerScratch } from "./parts.js";

/** Raw exports of the calling instance that split calls run as part 0 (range exports, Adam's raw form). */
export type PartExports = FilterExports & ElementwiseExports & NormExports;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The kernels of `base` with the forward and backward window kernels, GEMMs,
 * element-wise ops and BatchNorm split over `pool`; `raw` holds the calling
 * instance's exports that part 0 of some splits calls directly.
 */
export function splitKernels(kernels: Kernels, pool: Pool, scratch: WorkerScratch, raw: PartExports): Kernels {
  // The wrapped methods, read once: the kernels object has ~50 of them.
  // With the early returns below, a LeNet batch-1 predict (nothing splits)
  // on 2 threads went from 2% to ~1% slower than on the one-thread build,
  // the rest being the threaded binary itself (0.8% with no wrappers).
  const base = {
    gemm: kernels.gemm, conv2d: kernels.conv2d, conv2dScratchSize: kernels.conv2dScratchSize,
    depthwiseConv2d: kernels.depthwiseConv2d as WindowRun, maxPool2d: kernels.maxPool2d as WindowRun,
    avgPool2d: kernels.avgPool2d as WindowRun,
  };
  const split = new Splitter(pool);

  const gemm: Kernels["gemm"] = (a, packedB, bias, c, m, k, n, act, alpha) => {
    const flops = 2 * m * k * n;
    if (flops < SPLIT_FLOPS || m < 2 * ROW_UNIT) return base.gemm(a, packedB, bias, c, m, k, n, act, alpha);
    const units = Math.floor(m / ROW_UNIT);
    const parts = split.parts(flops, units);
    if (parts <= 1) return base.gemm(a, packedB, bias, c, m, k, n, act, alpha);
    const rowsOf = (i: number): number => i === parts - 1 ? m - cut(i, parts, units) * ROW_UNIT
      : (cut(i + 1, parts, units) - cut(i, parts, units)) * ROW_UNIT;
    split.fan("gemm", parts, (i, args) => {
      const r0 = cut(i, parts, units) * ROW_UNIT;
      args.push(a + r0 * k * F32_BYTES, packedB, bias, c + r0 * n * F32_BYTES, rowsOf(i), k, n, act, alpha);
    }, () => base.gemm(a, packedB, bias, c, rowsOf(0), k, n, act, alpha));
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
      const parts = split.parts(flops, batch);
      if (parts <= 1) return base.conv2d(g, x, packedW, bias, y, cout, act, alpha, convScratch);
      const part = (i: number): WindowGeometry => imagesOf(g, cut(i + 1, parts, batch) - cut(i, parts, batch));
      split.fan("conv2d", parts, (i, args) => {
        const b0 = cut(i, parts, batch);
        args.push(...geometryOf(part(i)), x + b0 * imageBytes(g, "in", cin), packedW, bias, y + b0 * imageBytes(g, "out", cout),
          cout, act, alpha, scratchOf(i));
      }, () => base.conv2d(part(0), x, packedW, bias, y, cout, act, alpha, convScratch));
      return;
    }
    // Batch 1: output rows, cut at multiples of `rowUnit` rows (a multiple of 4 pixels).
    const rowUnit = 4 / gcd(outW, 4);
    const units = Math.floor(outH / rowUnit);
    const parts = split.parts(flops, units);
    if (parts <= 1) return base.conv2d(g, x, packedW, bias, y, cout, act, alpha, convScratch);
    const sub = (i: number): [WindowGeometry, number, number] => {
      const o0 = cut(i, parts, units) * rowUnit;
      const o1 = i === parts - 1 ? outH : cut(i + 1, parts, units) * rowUnit;
      const [gi, first] = rowsWindow(g, o0, o1, g.kernelHeight);
      return [gi, x + first * inW * cin * F32_BYTES, y + o0 * outW * cout * F32_BYTES];
    };
    split.fan("conv2d", parts, (i, args) => {
      const [gi, xi, yi] = sub(i);
      args.push(...geometryOf(gi), xi, packedW, bias, yi, cout, act, alpha, scratchOf(i));
    }, () => {
      const [g0, x0, y0] = sub(0);
      base.conv2d(g0, x0, packedW, bias, y0, cout, act, alpha, convScratch);
    });
  };

  /**
   * A window kernel at batch 1 (forward only), split by output rows: each
   * part is a pass of its own over the input rows its windows reach (as
   * conv2d's rows above), so every output is the same sum. `rest[xAt]` and
   * `rest[yAt]` are the input and output pointers; `dilation` spaces the
   * kernel rows (depthwise), 1 elsewhere.
   */
  const byRows = (name: "depthwiseConv2d" | "maxPool2d" | "avgPool2d", g: WindowGeometry, rest: number[], xAt: number,
    yAt: number, yPixelFloats: number, dilation: number, flops: number): void => {
    const run = base[name];
    const parts = split.parts(flops, g.outHeight);
    if (parts <= 1) return run(g, ...rest);
    const extent = (g.kernelHeight - 1) * dilation + 1;
    const partOf = (i: number): [WindowGeometry, number[]] => {
      const o0 = cut(i, parts, g.outHeight);
      const [gi, first] = rowsWindow(g, o0, cut(i + 1, parts, g.outHeight), extent);
      const moved = rest.slice();
      moved[xAt]! += first * g.inWidth * g.inChannels * F32_BYTES;
      moved[yAt]! += o0 * g.outWidth * yPixelFloats * F32_BYTES;
      return [gi, moved];
    };
    split.fanWindows(name, run, parts, partOf);
  };

  // Each checks first, without allocating, whether the call can split at all.
  const depthwiseConv2d: Kernels["depthwiseConv2d"] = (g, dh, dw, x, w, bias, y, m, act, alpha) => {
    const flops = 2 * windows(g) * g.inChannels * m * DEPTHWISE_FLOP_COST;
    if (flops < SPLIT_FLOPS) return base.depthwiseConv2d(g, dh, dw, x, w, bias, y, m, act, alpha);
    const rest = [dh, dw, x, w, bias, y, m, act, alpha];
    if (g.batch === 1) return byRows("depthwiseConv2d", g, rest, 2, 5, g.inChannels * m, dh, flops);
    split.byImages("depthwiseConv2d", base.depthwiseConv2d, g, rest,
      [[2, imageBytes(g, "in", g.inChannels)], [5, imageBytes(g, "out", g.inChannels * m)]], flops);
  };
  const pool2d = (name: "maxPool2d" | "avgPool2d"): Kernels["maxPool2d"] => (g, x, y) => {
    const ops = windows(g) * g.inChannels * POOL_OP_FLOPS;
    if (ops < SPLIT_FLOPS) return base[name](g, x, y);
    if (g.batch === 1) return byRows(name, g, [x, y], 0, 1, g.inChannels, 1, ops);
    split.byImages(name, base[name], g, [x, y], [[0, imageBytes(g, "in", g.inChannels)], [1, imageBytes(g, "out", g.inChannels)]], ops);
  };

  return {
    ...kernels, gemm, conv2d, depthwiseConv2d, maxPool2d: pool2d("maxPool2d"), avgPool2d: pool2d("avgPool2d"),
    threads: () => pool.size + 1,
    ...splitBackward(kernels, split, scratch, raw), ...splitElementwise(kernels, split, raw), ...splitNorm(kernels, split, raw),
  };
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
