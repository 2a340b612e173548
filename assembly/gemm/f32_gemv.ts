// f32-gemv-1x32 / 1x24 (wasmsimd / wasmrelaxedsimd): one row of A times four
// (or three) consecutive full packed panels. The m == 1 path of `gemm`
// (batch-1 Dense layers) and its row tails: a single 1x8 panel leaves the
// multiply-adds latency-bound; four panels give 8 independent accumulators
// and load A once per 8 multiply-adds. f32_gemm_row runs groups of four
// panels, then three, then single panels (n = 120: 4+4+4+3).
//
// Why 8 chains: relaxed FMA has a 4-cycle latency and 2 pipes, so 6 chains
// (1x24) cap a step at 6 FMAs per 4 cycles, 75% of the peak; 8 chains can
// fill both pipes. Measured (Zen 3, Node 20, best of 300 interleaved calls,
// one process), 1x24 -> 1x32 where 1x32 applies: relaxed 1x784x128 33.6 ->
// 38.2 GFLOP/s, 1x3136x512 33.3 -> 35.1; SIMD 1x784x128 28.4 -> 30.9,
// 1x3136x512 27.7 -> 29.8. (mul + add instead of the FMA, whose chains
// would carry only the 3-cycle add, ran slower: 34.0 -> 28.4 relaxed.)
// 1x24 stays for a group of three: three single 1x8 panels instead cost
// 1x400x120 35.7 -> 34.3.
// Why through memory, the loop storing its sums to c and the epilogue
// reloading them: with the accumulators flowing straight into the
// bias/activation epilogue, V8 scheduled each step's loads ahead of its
// multiply-adds (1x24: a step took ~1.54 ns instead of ~1.23; 1x400x120
// 3.25 -> 2.70 us, 1x3136x128 SIMD 32.4 -> 27.6 us), and at four panels
// those hoisted loads needed 17 XMM registers and spilled an accumulator
// (12 vs 20+ GFLOP/s on 1x3136x128). Ending the loop in stores keeps each
// step's loads next to their multiply-adds, and four panels then fit.
//
// Contract
// - a: k contiguous floats (read once each).
// - w: packed panel p at w + p*k*32 bytes, p = 0..3 (0..2 for 1x24), each
//   k rows of 8 floats, all columns real (the caller routes other panels
//   to 1x8).
// - bias: 32 (24) floats or 0. c: 32 (24) floats written with `=` (first
//   the raw sums, then the results).
// - No over-read, no alignment requirement. SIMD builds only.

import { F32_BYTES, NR, PANEL_ROW_BYTES } from "../common/tile";
import { activateCheapVec, isExpensive } from "../activation/math";
import { activateRow } from "./epilogue";
import { madd } from "./madd";

/** Panels (8 columns each) of the wide and the narrow row kernel. */
export const GEMV_WIDE_PANELS: i32 = 4;
export const GEMV_NARROW_PANELS: i32 = 3;

export function f32_gemv_1x32(a: usize, k: i32, w: usize, bias: usize, c: usize, act: i32, alpha: f32): void {
  sums4(a, k, w, <usize>k * PANEL_ROW_BYTES, c);
  epilogue(c, bias, act, alpha, GEMV_WIDE_PANELS);
}

export function f32_gemv_1x24(a: usize, k: i32, w: usize, bias: usize, c: usize, act: i32, alpha: f32): void {
  sums3(a, k, w, <usize>k * PANEL_ROW_BYTES, c);
  epilogue(c, bias, act, alpha, GEMV_NARROW_PANELS);
}

/**
 * Bias and activation over the stored sums. Written out vector by vector:
 * as a loop, each kernel fell under Binaryen's one-caller inlining size
 * (200) and was inlined into f32_gemm_row, where V8 spilled around its
 * loop and 1x784x128 ran at half speed (38 -> 16 GFLOP/s).
 */
// @ts-ignore: decorator
@inline
function epilogue(c: usize, bias: usize, act: i32, alpha: f32, panels: i32): void {
  let c0 = v128.load(c), c1 = v128.load(c, 16), c2 = v128.load(c, 32);
  let c3 = v128.load(c, 48), c4 = v128.load(c, 64), c5 = v128.load(c, 80);
  let c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  if (panels == 4) {
    c6 = v128.load(c, 96);
    c7 = v128.load(c, 112);
  }
  if (bias != 0) {
    c0 = f32x4.add(c0, v128.load(bias));
    c1 = f32x4.add(c1, v128.load(bias, 16));
    c2 = f32x4.add(c2, v128.load(bias, 32));
    c3 = f32x4.add(c3, v128.load(bias, 48));
    c4 = f32x4.add(c4, v128.load(bias, 64));
    c5 = f32x4.add(c5, v128.load(bias, 80));
    if (panels == 4) {
      c6 = f32x4.add(c6, v128.load(bias, 96));
      c7 = f32x4.add(c7, v128.load(bias, 112));
    }
  }
  v128.store(c, activateCheapVec(c0, act, alpha));
  v128.store(c, activateCheapVec(c1, act, alpha), 16);
  v128.store(c, activateCheapVec(c2, act, alpha), 32);
  v128.store(c, activateCheapVec(c3, act, alpha), 48);
  v128.store(c, activateCheapVec(c4, act, alpha), 64);
  v128.store(c, activateCheapVec(c5, act, alpha), 80);
  if (panels == 4) {
    v128.store(c, activateCheapVec(c6, act, alpha), 96);
    v128.store(c, activateCheapVec(c7, act, alpha), 112);
  }
  if (isExpensive(act)) activateRow(c, panels * NR, act, alpha);
}

/** c[0..32) = the raw dot products of a with the four panels at w (why through memory: above). */
function sums4(a: usize, k: i32, w: usize, panelBytes: usize, c: usize): void {
  sums(a, k, w, panelBytes, c, 4);
}

/** c[0..24) = the raw dot products of a with the three panels at w. */
function sums3(a: usize, k: i32, w: usize, panelBytes: usize, c: usize): void {
  sums(a, k, w, panelBytes, c, 3);
}

/** The loop of sums4 / sums3, inlined with a constant `panels` (3 or 4). */
// @ts-ignore: decorator
@inline
function sums(a: usize, k: i32, w: usize, panelBytes: usize, c: usize, panels: i32): void {
  let w0 = w;
  let w1 = w0 + panelBytes;
  let w2 = w1 + panelBytes;
  let w3 = w2 + panelBytes;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  for (let t = 0; t < k; t++) {
    const va = v128.load32_splat(a);
    c0 = madd(va, v128.load(w0), c0);
    c1 = madd(va, v128.load(w0, 16), c1);
    c2 = madd(va, v128.load(w1), c2);
    c3 = madd(va, v128.load(w1, 16), c3);
    c4 = madd(va, v128.load(w2), c4);
    c5 = madd(va, v128.load(w2, 16), c5);
    if (panels == 4) {
      c6 = madd(va, v128.load(w3), c6);
      c7 = madd(va, v128.load(w3, 16), c7);
      w3 += PANEL_ROW_BYTES;
    }
    a += F32_BYTES;
    w0 += PANEL_ROW_BYTES;
    w1 += PANEL_ROW_BYTES;
    w2 += PANEL_ROW_BYTES;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
  v128.store(c, c2, 32);
  v128.store(c, c3, 48);
  v128.store(c, c4, 64);
  v128.store(c, c5, 80);
  if (panels == 4) {
    v128.store(c, c6, 96);
    v128.store(c, c7, 112);
  }
}
