// What every split (split.ts, split-backward.ts) shares: how many parts a
// call makes and where they are cut (fixed by the sizes and the pool's
// size alone), and the fan-out itself: parts 1.. posted to the pool's
// workers as descriptors, part 0 run on the calling thread, then a join.

import type { WindowGeometry } from "../backend/kernels.js";
import { F32_BYTES } from "../memory.js";
import type { Pool } from "./pool.js";
import type { TaskExport } from "./protocol.js";

/**
 * Least work (flops) one part must carry: ~10 us of GEMM. Handing a part
 * over costs a few us while both sides poll (SPIN_POLLS), tens of us
 * when one has gone to sleep. 2 M before the polling; 1 M took
 * MobileNetV2 1.0 batch 1 on 2 threads from 1.57x to 1.65x and LeNet
 * training at batch 32 from 1.53x to 1.56x. With the ~200 us poll, 0.5 M
 * (one bench run each, 2 threads against 1): LeNet batch 64 1.83x ->
 * 1.87-1.88x, training 1.68x -> 1.70-1.73x, MobileNetV2 1.82x ->
 * 1.84-1.85x; LeNet at batch 1 1.00-1.01x still (its largest call, 0.48
 * MFLOP, stays below SPLIT_FLOPS).
 */
export const MIN_FLOPS_PER_PART = 500_000;
/** Least work a call must carry to split in two at all. */
export const SPLIT_FLOPS = 2 * MIN_FLOPS_PER_PART;
/**
 * Cost of a depthwise flop in GEMM flops: memory-bound, MobileNetV2 1.0
 * 224x224's 17 depthwise layers run ~41 MFLOP in 2.7 ms (15 GFLOP/s) where
 * its convolutions run ~35 GFLOP/s.
 */
export const DEPTHWISE_FLOP_COST = 2;
/**
 * Cost of a pooling window op (one input element read) in GEMM flops:
 * max pooling 2x2 runs at ~10 G ops/s at batch 64 (28x28x6, 10x10x16) and
 * ~6 at batch 1 (112x112x64), where a GEMM runs ~50 GFLOP/s.
 */
export const POOL_OP_FLOPS = 8;
/** GEMM rows (and Dense weight-gradient rows) are cut at multiples of this: the kernels' 4-row tiles. */
export const ROW_UNIT = 4;

/** Per-worker scratch for conv2d parts, grown on demand (from the arena). */
export interface WorkerScratch {
  /** A block of at least `floats` floats owned by worker `w`. */
  get(w: number, floats: number): number;
}

/** First unit of part `i` of `parts` over `units` (balanced; fixed by the counts alone). */
export const cut = (i: number, parts: number, units: number): number => Math.floor((i * units) / parts);

/** Window positions of a pass (output pixels times taps). */
export const windows = (g: WindowGeometry): number => g.batch * g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth;

/** Bytes of one image of the input or output side of `g` with `channels` channels. */
export const imageBytes = (g: WindowGeometry, side: "in" | "out", channels: number): number =>
  (side === "in" ? g.inHeight * g.inWidth : g.outHeight * g.outWidth) * channels * F32_BYTES;

/** A geometry as an export takes it: 12 numbers in declaration order. */
export const geometryOf = (g: WindowGeometry): number[] => [g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight,
  g.outWidth, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft];

/** The same geometry on `batch` images. */
export const imagesOf = (g: WindowGeometry, batch: number): WindowGeometry => ({ ...g, batch });

/** A kernel that takes a geometry, then numbers. */
export type WindowRun = (g: WindowGeometry, ...rest: number[]) => void;

/** Splits calls over one pool. */
export class Splitter {
  /** One part's arguments, reused (no allocation per post). */
  private readonly args: number[] = [];

  constructor(private readonly pool: Pool) {}

  /** How many parts `units` splittable units carrying `flops` in all should make. */
  parts(flops: number, units: number): number {
    return Math.max(1, Math.min(this.pool.size + 1, units, Math.floor(flops / MIN_FLOPS_PER_PART)));
  }

  /**
   * Posts parts 1.. of `name` (`push(i, args)` fills part i's arguments, a
   * geometry unpacked), runs part 0 here, then waits for the others (also
   * when part 0 throws).
   */
  fan(name: TaskExport, parts: number, push: (i: number, args: number[]) => void, ownPart: () => void): void {
    for (let i = 1; i < parts; i++) {
      push(i, this.args);
      this.pool.post(i - 1, name, this.args);
      this.args.length = 0;
    }
    try {
      ownPart();
    } finally {
      this.pool.join();
    }
  }

  /** As fan, for an export that takes a geometry: part i is `partOf(i)`, a geometry and the arguments after it. */
  fanWindows(name: TaskExport, run: WindowRun, parts: number, partOf: (i: number) => [WindowGeometry, number[]]): void {
    this.fan(name, parts, (i, args) => {
      const [gi, rest] = partOf(i);
      args.push(...geometryOf(gi), ...rest);
    }, () => {
      const [g0, rest] = partOf(0);
      run(g0, ...rest);
    });
  }

  /**
   * `run` (export `name`) over a geometry, then `rest`, split by images
   * (each image is its own loop in these kernels): `images` pairs an index
   * of `rest` (a pointer) with its bytes per image.
   */
  byImages(name: TaskExport, run: WindowRun, g: WindowGeometry, rest: number[], images: [number, number][],
    flops: number): void {
    const parts = this.parts(flops, g.batch);
    if (parts <= 1) return run(g, ...rest);
    const part = (i: number): WindowGeometry => imagesOf(g, cut(i + 1, parts, g.batch) - cut(i, parts, g.batch));
    this.fan(name, parts, (i, args) => {
      const b0 = cut(i, parts, g.batch);
      args.push(...geometryOf(part(i)), ...rest);
      for (const [at, bytes] of images) args[12 + at]! += b0 * bytes;
    }, () => run(part(0), ...rest));
  }
}
