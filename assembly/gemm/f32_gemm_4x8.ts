// f32-gemm-4x8 (wasmsimd / wasmrelaxedsimd / scalar): the register-tiled
// micro-kernel behind both `gemm` and the implicit-GEMM convolution.
//
// Computes a 4-row x 8-column tile
//   C[r, j] = act(sum_{s<kh} sum_{t<kc} A_r[s, t] * W[s*kc + t, j] + bias[j])
// where A_r is row r of A seen as `kh` segments of `kc` contiguous floats.
// For a GEMM, kh = 1 and kc = k; for a convolution, a "row" is one output
// pixel, a segment is one kernel row ky (kw*cin contiguous floats of NHWC
// input) and `aSegSkip` jumps to the same pixel one input row down.
//
// Contract
// - a: row r starts at a + r*aStride (bytes); segment s of row r at
//   a + r*aStride + s*(kc*4 + aSegSkip). Reads exactly kh*kc floats per row.
// - w: one packed panel (see pack.ts): kh*kc rows of NR = 8 floats, zero
//   padded, read in full (32 bytes a row, no over-read past the panel).
// - bias: 8 floats for this panel or 0 (absent); only the first nc are read.
// - c: row r at c + r*cStride; columns 0..nc-1 written with `=`, nothing
//   past column nc (nc in 1..8) is read or written.
// - Alignment: none required; w and c 16-byte aligned is faster.
// - act, alpha: fused activation (ids from shared/ids.ts).
//
// - tiles, aTileStep, cTileStep: the call computes `tiles` tiles, tile i at
//   a + i*aTileStep and c + i*cTileStep (a conv row of pixels in one call).
//
// Why one call loops over tiles, with the activation and the column count
// fixed per call: V8 emitted ~50 branches per tile for the per-vector
// activation switch, the partial-bias loads and the partial stores, and with
// a K = 9 reduction (3x3 conv on 1 input channel) the epilogue and call cost
// as much as the 72 multiply-adds. Specialising the loop body (inlined with a
// constant `act` and `full`) and reading the bias from a zero-padded copy
// (with relu as f32x4.pmax, see activation/math.ts) took 28x28x1->32 3x3
// from 31.4 to 23.9 us (SIMD) and 27.3 to 19.2 us (relaxed), 28x28x1->6 5x5
// valid from 13.3 to 9.3 / 12.1 to 7.3 us; 56x56x64->64 3x3 unchanged.
//
// Why 4x8 with a rolled k-loop: 8 v128 accumulators + 2 B vectors + 1 A
// broadcast fit the 16 x64 XMM registers. On this machine (Zen 3, Node 20)
// unrolling the k-loop, or tiles 6x8 / 8x8 / 4x16, made V8 spill and ran at
// ~25 GFLOP/s instead of ~39 (SIMD) / ~50 (relaxed).
//
// The plain-SIMD GEMM no longer runs on this tile for 16 columns or more:
// f32_gemm_2x16.ts issues as many vector ops per 64 flops but sustains
// ~4.3 a cycle against this loop's ~3.8 (35 -> 39 GFLOP/s at 256^3). What
// bounds this loop in plain SIMD (Node 20 --print-wasm-code; `npm run
// bench:disasm` reprints such counts next to the measured speed):
// TurboFan unrolls the rolled loop 2x itself; a k-step is 6 vector
// loads (4 vbroadcastss + 2 vmovdqu), 8 vmulps, 8 vaddps and ~10 integer
// instructions (5 pointer adds, a mov, half a stack check, cmp/jcc), no spills.
// The integer part is not the limit: a 2-step body with immediate offsets
// and a mid exit (28 instead of 31.5 instructions a step) ran the same, and
// so did replacing the mul or the add by an integer v128.and/or. Removing
// vector loads is what helps (3 of 4 broadcasts: +28%; one B load turned
// into a mul: no change). Manual 4x unrolling spills (23 GFLOP/s:
// TurboFan hoists all the block's loads to its top); packing A (2 pointer
// adds a step) measures 0.9x; A pre-broadcast into the packed slab (plain
// loads instead of vbroadcastss) 35.4 -> 32.7 GFLOP/s at 256^3; a 5x8
// tile (10 accumulators) 35.3 -> 21.4. The core (Zen 3, family 25 model
// 1) peaks at ~51 GFLOP/s for relaxed FMA and plain mul + add alike
// (bench/lib/peak.mjs).

import { ActivationId } from "../shared/ids";
import { F32_BYTES, NR, PANEL_ROW_BYTES } from "../common/tile";
import { biasAt, storeTile4x8 } from "./epilogue";
import { f32_gemm_1x8 } from "./f32_gemm_1x8";
import { madd } from "./madd";

/** Zero-padded copy of the current panel's 8 bias values (per instance in threaded builds: setScratch). */
export let BIAS_PANEL: usize = ASC_FEATURE_THREADS ? 0 : memory.data(32, 16);

/**
 * Segments shorter than this (kw*cin floats: 5 for a 5x5 conv on 1 channel)
 * are walked as one flat loop over a table of A offsets instead of kh short
 * loops of kc steps (one loop exit and restart per kernel row). Measured
 * (best of 8, interleaved, 3 repeats): 28x28x1->6 5x5 valid 9.3 -> 8.7 us
 * SIMD, 7.3 -> 7.1 us relaxed; 'same' 13.1 -> 12.3 / 10.4 -> 10.0 us.
 */
const SHORT_SEGMENT: i32 = 16;
/** Most taps (kh*kc) the offset table holds; longer reductions keep the segment loops. */
const MAX_TAPS: i32 = 1024;
/** Bytes of the offset table. */
export const TAP_TABLE_BYTES: i32 = MAX_TAPS * 4;
/** Byte offset of reduction step t inside one A row (per instance in threaded builds: setScratch). */
export let TAP_TABLE: usize = ASC_FEATURE_THREADS ? 0 : memory.data(TAP_TABLE_BYTES, 16);

export function f32_gemm_4x8(
  a: usize, aStride: usize, kh: i32, kc: i32, aSegSkip: usize,
  w: usize, bias: usize, c: usize, cStride: usize, nc: i32, act: i32, alpha: f32,
  tiles: i32, aTileStep: usize, cTileStep: usize,
): void {
  if (ASC_FEATURE_SIMD) {
    for (let j = 0; j < NR; j++) store<f32>(BIAS_PANEL + (<usize>j << 2), j < nc ? biasAt(bias, j) : <f32>0);
    if (kh > 1 && kc < SHORT_SEGMENT && kh * kc <= MAX_TAPS) {
      // One flat loop of kh*kc steps (kh = 1 marks table mode in tileLoop).
      const segBytes = <usize>kc * F32_BYTES + aSegSkip;
      let t: usize = TAP_TABLE;
      for (let sg = 0; sg < kh; sg++) {
        for (let j = 0; j < kc; j++) {
          store<i32>(t, <i32>(<usize>sg * segBytes + <usize>j * F32_BYTES));
          t += 4;
        }
      }
      kc = kh * kc;
      kh = 0;
    }
    if (nc == NR) {
      if (act == ActivationId.Relu) {
        tileLoop(a, aStride, kh, kc, aSegSkip, w, c, cStride, NR, ActivationId.Relu, alpha, tiles, aTileStep, cTileStep, true);
      } else if (act == ActivationId.Linear) {
        tileLoop(a, aStride, kh, kc, aSegSkip, w, c, cStride, NR, ActivationId.Linear, alpha, tiles, aTileStep, cTileStep, true);
      } else {
        tileLoop(a, aStride, kh, kc, aSegSkip, w, c, cStride, NR, act, alpha, tiles, aTileStep, cTileStep, true);
      }
    } else {
      if (act == ActivationId.Relu) {
        tileLoop(a, aStride, kh, kc, aSegSkip, w, c, cStride, nc, ActivationId.Relu, alpha, tiles, aTileStep, cTileStep, false);
      } else {
        tileLoop(a, aStride, kh, kc, aSegSkip, w, c, cStride, nc, act, alpha, tiles, aTileStep, cTileStep, false);
      }
    }
  } else {
    // Scalar build: 32 f32 accumulators would spill, so one row at a time.
    for (let tile = 0; tile < tiles; tile++) {
      for (let r = 0; r < 4; r++) {
        f32_gemm_1x8(a + <usize>r * aStride, kh, kc, aSegSkip, w, bias, c + <usize>r * cStride, nc, act, alpha);
      }
      a += aTileStep;
      c += cTileStep;
    }
  }
}

/** The tile loop; inlined with constant `act` / `full` so the epilogue has no branches. */
// @ts-ignore: decorator
@inline
function tileLoop(
  a: usize, aStride: usize, kh: i32, kc: i32, aSegSkip: usize,
  w0: usize, c: usize, cStride: usize, nc: i32, act: i32, alpha: f32,
  tiles: i32, aTileStep: usize, cTileStep: usize, full: bool,
): void {
  // Row addressing, fixed per build. Relaxed SIMD: one A pointer and the
  // other rows at fixed distances (a0 + aStride, ...), so a step advances
  // two pointers, not five; V8 computes the three sums in the load's
  // address. That made the unpacked kernel beat packing A for long
  // segments (see ONE_POINTER_MIN_KC in conv/f32_conv2d_fwd.ts): 56x56x64
  // ->64 3x3, best of 40 interleaved: 5.06 ms (four pointers), 4.99 (packed
  // A), 4.72 (one pointer). Plain SIMD keeps four pointers: one pointer
  // measured 6.50 -> 7.13 ms there.
  const aStride2 = aStride << 1;
  const aStride3 = aStride2 + aStride;
  for (let tile = 0; tile < tiles; tile++) {
    let w = w0;
    let a0 = a;
    let a1 = a0 + aStride;
    let a2 = a1 + aStride;
    let a3 = a2 + aStride;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    if (kh == 0) {
      // Table mode: kc steps, step t reads A at row start + TAP_TABLE[t].
      const wEnd = w + <usize>kc * PANEL_ROW_BYTES;
      let tp = TAP_TABLE;
      while (w < wEnd) {
        const o = <usize>load<i32>(tp);
        const b0 = v128.load(w);
        const b1 = v128.load(w, 16);
        let va = v128.load32_splat(a0 + o);
        c00 = madd(va, b0, c00);
        c01 = madd(va, b1, c01);
        va = v128.load32_splat(a1 + o);
        c10 = madd(va, b0, c10);
        c11 = madd(va, b1, c11);
        va = v128.load32_splat(a2 + o);
        c20 = madd(va, b0, c20);
        c21 = madd(va, b1, c21);
        va = v128.load32_splat(a3 + o);
        c30 = madd(va, b0, c30);
        c31 = madd(va, b1, c31);
        tp += 4;
        w += PANEL_ROW_BYTES;
      }
    }
    for (let s = 0; s < kh; s++) {
      // Loop on the panel pointer, not a counter: one integer op less per
      // step, measured +4% (relaxed) on 256^3; the SIMD build is unchanged.
      const wEnd = w + <usize>kc * PANEL_ROW_BYTES;
      while (w < wEnd) {
        const b0 = v128.load(w);
        const b1 = v128.load(w, 16);
        let va = v128.load32_splat(a0);
        c00 = madd(va, b0, c00);
        c01 = madd(va, b1, c01);
        va = v128.load32_splat(ASC_FEATURE_RELAXED_SIMD ? a0 + aStride : a1);
        c10 = madd(va, b0, c10);
        c11 = madd(va, b1, c11);
        va = v128.load32_splat(ASC_FEATURE_RELAXED_SIMD ? a0 + aStride2 : a2);
        c20 = madd(va, b0, c20);
        c21 = madd(va, b1, c21);
        va = v128.load32_splat(ASC_FEATURE_RELAXED_SIMD ? a0 + aStride3 : a3);
        c30 = madd(va, b0, c30);
        c31 = madd(va, b1, c31);
        a0 += F32_BYTES;
        if (!ASC_FEATURE_RELAXED_SIMD) {
          a1 += F32_BYTES;
          a2 += F32_BYTES;
          a3 += F32_BYTES;
        }
        w += PANEL_ROW_BYTES;
      }
      a0 += aSegSkip;
      if (!ASC_FEATURE_RELAXED_SIMD) {
        a1 += aSegSkip;
        a2 += aSegSkip;
        a3 += aSegSkip;
      }
    }
    const bl = v128.load(BIAS_PANEL);
    const bh = v128.load(BIAS_PANEL, 16);
    storeTile4x8(c, cStride, c00, c01, c10, c11, c20, c21, c30, c31, bl, bh, nc, full, act, alpha);
    a += aTileStep;
    c += cTileStep;
  }
}
