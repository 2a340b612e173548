// f32-gemv-1x24 (wasmsimd / wasmrelaxedsimd): one row of A times three
// consecutive full packed panels (24 columns). The m == 1 path of `gemm`
// (batch-1 Dense layers) and its row tails: a single 1x8 panel leaves the
// multiply-adds latency-bound, three panels give 6 independent accumulators
// and load A once per 6 multiply-adds.
// Why 3 panels and not 4: V8 (Node 20) hoists the eight B loads of a 1x32
// step above the multiply-adds, needs 17 XMM registers, and spills one
// accumulator to the stack, which puts a store-to-load round trip in the
// loop-carried chain (measured 12 vs 20+ GFLOP/s on 1x3136x128).
// Why the loop stores its sums to c and the epilogue reloads them: with the
// accumulators flowing straight into the bias/activation epilogue, V8
// scheduled each step's seven loads ahead of its six multiply-adds and a
// step took ~1.54 ns; with the loop ending in six stores it interleaves
// loads and multiply-adds and a step takes ~1.23 ns, the latency of six
// FMA chains (best of 101 interleaved rounds, one process, relaxed):
// 1x400x120 3.25 -> 2.70 us, 1x120x84 0.80 -> 0.71 us, 1x1600x24 2.55 ->
// 2.06 us; SIMD 1x400x120 3.90 -> 3.32 us, 1x3136x128 32.4 -> 27.6 us.
//
// Contract
// - a: k contiguous floats (read once each).
// - w: packed panel p at w + p*k*32 bytes, p = 0..2, each k rows of 8
//   floats, all 24 columns real (the caller routes other panels to 1x8).
// - bias: 24 floats or 0. c: 24 floats written with `=` (first the raw
//   sums, then the results).
// - No over-read, no alignment requirement. SIMD builds only.

import { F32_BYTES, PANEL_ROW_BYTES } from "../common/tile";
import { activateCheapVec, isExpensive } from "../activation/math";
import { activateRow } from "./epilogue";
import { madd } from "./madd";

/** Columns of C one call writes: three NR-wide panels. */
export const GEMV_PANELS: i32 = 3;
const COLS: i32 = 24;

export function f32_gemv_1x24(a: usize, k: i32, w: usize, bias: usize, c: usize, act: i32, alpha: f32): void {
  sums(a, k, w, <usize>k * PANEL_ROW_BYTES, c);
  let c0 = v128.load(c), c1 = v128.load(c, 16), c2 = v128.load(c, 32);
  let c3 = v128.load(c, 48), c4 = v128.load(c, 64), c5 = v128.load(c, 80);
  if (bias != 0) {
    c0 = f32x4.add(c0, v128.load(bias));
    c1 = f32x4.add(c1, v128.load(bias, 16));
    c2 = f32x4.add(c2, v128.load(bias, 32));
    c3 = f32x4.add(c3, v128.load(bias, 48));
    c4 = f32x4.add(c4, v128.load(bias, 64));
    c5 = f32x4.add(c5, v128.load(bias, 80));
  }
  v128.store(c, activateCheapVec(c0, act, alpha));
  v128.store(c, activateCheapVec(c1, act, alpha), 16);
  v128.store(c, activateCheapVec(c2, act, alpha), 32);
  v128.store(c, activateCheapVec(c3, act, alpha), 48);
  v128.store(c, activateCheapVec(c4, act, alpha), 64);
  v128.store(c, activateCheapVec(c5, act, alpha), 80);
  if (isExpensive(act)) activateRow(c, COLS, act, alpha);
}

/** c[0..24) = the raw dot products of a with the three panels at w (why through memory: above). */
function sums(a: usize, k: i32, w: usize, panelBytes: usize, c: usize): void {
  let w0 = w;
  let w1 = w0 + panelBytes;
  let w2 = w1 + panelBytes;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
  for (let t = 0; t < k; t++) {
    const va = v128.load32_splat(a);
    c0 = madd(va, v128.load(w0), c0);
    c1 = madd(va, v128.load(w0, 16), c1);
    c2 = madd(va, v128.load(w1), c2);
    c3 = madd(va, v128.load(w1, 16), c3);
    c4 = madd(va, v128.load(w2), c4);
    c5 = madd(va, v128.load(w2, 16), c5);
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
}
