// f32-conv2d-fwd-cin1-16x2 (wasmsimd / wasmrelaxedsimd): NHWC forward
// convolution for ONE input channel, horizontal stride 1 and few filters
// (LeNet's first layer, 28x28x1 -> 6, 5x5 'same'), with output pixels in the
// lanes and the filters broadcast.
//
// Why: with one input channel the 4x8 panel kernel wastes the columns cout
// leaves empty (2 of 8 at cout = 6) and the loop is bound by loads, not
// multiply-adds (V8 issues every load of a step before its multiply-adds, so
// registers also cap the tile: accumulators + loaded values <= 15 xmm).
// Here a tile is 16 consecutive output pixels of one row (4 vectors, the
// input loaded straight from the row: unaligned, shifted by one float per
// kx) times 2 filters (two weight splats): 8 multiply-adds per 6 loads,
// 14 registers, against 6 useful multiply-adds per 6 loads for the 4x8 tile
// at cout = 6. Filters go in pairs (a pair never straddles an 8-filter
// panel, and an odd cout's last pair reads the panel's zero column); the
// epilogue zips each pair's two vectors into per-pixel pairs stored with
// 64-bit lane stores. A row's last 1..15 pixels run as one tile shifted
// back to end at the row's end (recomputing a few pixels is cheaper than
// narrower tiles).
// Tried first and dropped: lanes over the output row's flat floats with the
// input expanded cout times (every lane useful, plain stores): 10 loads per
// 6 multiply-adds, 28x28x1->6 5x5 same 10.3 -> 12.5 us relaxed; with 8
// vectors a tile V8 spilled an accumulator (16 cycles a step). Narrower
// tail tiles instead of the shifted-back one: 14.6 -> 15.4 us relaxed.
// Measured (Zen 3, Node 20, best of 15 interleaved rounds, one process;
// the machine's speed drifted between runs, so compare within a line),
// 4x8 panels -> this kernel, 28x28x1 5x5 'same' + bias + relu: cout 6
// 18.0 -> 11.8 us relaxed, 19.2 -> 14.0 us SIMD; cout 4 19.0 -> 10.3
// relaxed; cout 2 18.5 -> 5.3 relaxed; 'valid' cout 6 13.2 -> 10.6
// relaxed; batch 3 20x23x1->5 3x3 leakyRelu 41.3 -> 20.5 us SIMD. Identical
// outputs (same summation order). For cout 7 and 8 see CIN1_MAX_COUT.
// Second round (28x28x1->6 5x5 'same' + bias + relu, best of 101-301
// interleaved rounds, one process): padded-image copy with v128 moves
// instead of memory.fill/copy calls, one flat loop over a tap-offset table
// instead of ky and kx loops, and a ReLU-and-full-pair copy of the loops
// with the epilogue's branches folded: 7.8 -> 7.4 us relaxed, 9.9 -> 9.0 us
// SIMD. Where the time goes: a 16x2 step runs ~1.6 ns (measured on a 200x20
// valid image, no epilogue) while 8 multiply-adds at 2 per cycle need 1.25
// ns, and 32 pixels are computed per 28-pixel row; 5.6 us at that step
// rate is the floor of this tiling.
// Tried in the second round and dropped: kx unrolled for kw = 5 (V8
// hoisted the 5 steps' loads and spilled: 7.8 -> 13.5 us); a 12-pixel x
// 3-filter tail tile (9 chains, 15 registers) so a 28-pixel row is 16 + 12
// with nothing recomputed: 7.1 -> 7.2 us relaxed, 9.1 -> 10.0 us SIMD (its
// steps ran ~9 cycles); weights pre-splatted into a static buffer (plain
// loads instead of load32_splat): 7.4 -> 7.7 us; loads interleaved with
// their multiply-adds in the source (V8 still hoists them): no change;
// the sums stored to a static buffer before the epilogue (what helped
// f32_gemv_1x32 / 1x24): 7.4 -> 7.8 us.
//
// Contract
// - x: [batch, inH, inW, 1]; packedW: f32_conv2d_pack_filter's panels
//   (filter co at panel co/8, column co%8; row t = ky*kw + kx);
//   bias: [cout] or 0; y: [batch, outH, outW, cout], written with `=`.
// - Only when f32_conv2d_fwd_cin1_applies(cin, sw, outW, cout, kh, kw)
//   (SIMD builds, cin = 1, sw = 1, outW >= 16, cout <= CIN1_MAX_COUT,
//   kh*kw <= MAX_TAPS). Any batch, sh, padding.
// - scratch: f32_conv2d_scratch_size(...) floats, written freely:
//   the zero-padded image when the geometry needs padding. While the
//   kernel runs, the first kh*kw i32 of PACK_A_BUF (gemm/pack.ts: static, or the
//   instance's own scratch in threaded builds)
//   hold the tap table (kernels never overlap).
// - Over-read: none; every input float read lies inside a window, every
//   weight inside its zero-padded panel.
// - x, packedW, bias, scratch must not overlap y.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, NR, PANEL_ROW_BYTES } from "../common/tile";
import { madd } from "../gemm/madd";
import { PACK_A_BUF, PACK_A_MAX_K } from "../gemm/pack";
import { activateCheapVec, isExpensive } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { needsPadding, padImage, paddedHeight, paddedWidth } from "./pad";

/** Output pixels per tile: 4 vectors. */
const TILE_PIXELS: i32 = 16;
/** Filters per tile. */
const TILE_FILTERS: i32 = 2;
/** Most taps (kh*kw) the table holds; larger kernels take the general path. */
const MAX_TAPS: i32 = PACK_A_MAX_K * 4;
/**
 * Most filters this path takes: from 8 on the 4x8 panels are full and this
 * tile's 2 filters per pass no longer win (28x28x1 5x5 same, relaxed, 4x8
 * panels -> this kernel: cout 8 18.4 -> 18.6 us; cout 7 20.1 -> 18.4).
 */
const CIN1_MAX_COUT: i32 = 7;

/** Whether this kernel handles the geometry (see the contract). */
// @ts-ignore: decorator
@inline
export function f32_conv2d_fwd_cin1_applies(cin: i32, sw: i32, outW: i32, cout: i32, kh: i32, kw: i32): bool {
  return ASC_FEATURE_SIMD && cin == 1 && sw == 1 && outW >= TILE_PIXELS && cout <= CIN1_MAX_COUT && kh * kw <= MAX_TAPS;
}

export function f32_conv2d_fwd_cin1(
  batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, padTop: i32, padLeft: i32,
  x: usize, packedW: usize, bias: usize, y: usize, cout: i32, act: i32, alpha: f32, scratch: usize,
): void {
  if (!ASC_FEATURE_SIMD) return; // never called: f32_conv2d_fwd_cin1_applies is false
  const hp = paddedHeight(outH, kh, sh);
  const wp = paddedWidth(outW, kw, 1);
  const pad = needsPadding(inH, inW, outH, outW, kh, kw, sh, 1, padTop, padLeft);
  const srcRowBytes = <usize>(pad ? wp : inW) * F32_BYTES;
  const rowStep = <usize>sh * srcRowBytes;
  const yPix = <usize>cout * F32_BYTES;
  const yRowBytes = <usize>outW * yPix;
  const taps = kh * kw;
  // Byte offset of tap t (ky*kw + kx) inside a window, so a tile's
  // reduction is one flat loop. Borrows the packed-A slab buffer (read at
  // the call: per instance in threaded builds), which no other kernel uses
  // during this one.
  const tapTable = PACK_A_BUF;
  let t = tapTable;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      store<i32>(t, <i32>(<usize>ky * srcRowBytes + <usize>kx * F32_BYTES));
      t += 4;
    }
  }
  const panelBytes = <usize>taps * PANEL_ROW_BYTES;
  const imgBytes = <usize>inH * <usize>inW * F32_BYTES;
  for (let b = 0; b < batch; b++) {
    let src = x + <usize>b * imgBytes;
    if (pad) {
      padImage(src, inH, inW, 1, padTop, padLeft, hp, wp, scratch);
      src = scratch;
    }
    const yImg = y + <usize>b * <usize>outH * yRowBytes;
    for (let c0 = 0; c0 < cout; c0 += TILE_FILTERS) {
      const w = packedW + <usize>(c0 / NR) * panelBytes + <usize>(c0 % NR) * F32_BYTES;
      const both = c0 + 1 < cout;
      const b0 = biasSplat(bias, c0);
      const b1 = both ? biasSplat(bias, c0 + 1) : f32x4.splat(0);
      const yc = yImg + <usize>c0 * F32_BYTES;
      // A full pair with ReLU (LeNet) gets its own copy of the loops, with
      // the activation and the pair test folded out of the epilogue.
      if (both && act == ActivationId.Relu) {
        pairRows(src, outH, outW, rowStep, taps, w, b0, b1, yc, yRowBytes, yPix, true, ActivationId.Relu, 0);
      } else {
        pairRows(src, outH, outW, rowStep, taps, w, b0, b1, yc, yRowBytes, yPix, both, act, alpha);
      }
    }
    if (isExpensive(act)) f32_vactivation_fwd(yImg, yImg, outH * outW * cout, act, alpha);
  }
}

/** bias[c] in every lane, or zeros when there is no bias. */
// @ts-ignore: decorator
@inline
function biasSplat(bias: usize, c: i32): v128 {
  return bias != 0 ? v128.load32_splat(bias + <usize>c * F32_BYTES) : f32x4.splat(0);
}

/**
 * Every output row of one filter pair, 16-pixel tiles; a row's last 1..15
 * pixels run as one tile shifted back to end at the row's end (outW >= 16).
 */
// @ts-ignore: decorator
@inline
function pairRows(
  row: usize, outH: i32, outW: i32, rowStep: usize, taps: i32,
  w: usize, b0: v128, b1: v128, y: usize, yRowBytes: usize, yPix: usize, both: bool, act: i32, alpha: f32,
): void {
  const lastTile = outW - TILE_PIXELS;
  for (let oh = 0; oh < outH; oh++) {
    for (let ow = 0; ow < outW; ow += TILE_PIXELS) {
      const o = <usize>min(ow, lastTile);
      tile2x16(row + o * F32_BYTES, taps, w, b0, b1, y + o * yPix, yPix, both, act, alpha);
    }
    row += rowStep;
    y += yRowBytes;
  }
}

/**
 * 16 output pixels (windows from the row at a) x 2 filters (weights at w,
 * one panel row per tap; bias splats b0, b1). Writes y[px*cout + {0, 1}]
 * for px < 16 (only filter 0 when !both). One loop over the tap table
 * (28x28 'same' 7.4 -> 7.1 us relaxed against ky and kx loops: one loop
 * exit per tile instead of kh).
 */
// @ts-ignore: decorator
@inline
function tile2x16(
  a: usize, taps: i32, w: usize, b0: v128, b1: v128,
  y: usize, yPix: usize, both: bool, act: i32, alpha: f32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const tEnd = PACK_A_BUF + <usize>taps * 4;
  for (let t = PACK_A_BUF; t < tEnd; t += 4) {
    const p = a + <usize>load<i32>(t);
    const w0 = v128.load32_splat(w);
    const w1 = v128.load32_splat(w, 4);
    const x0 = v128.load(p);
    const x1 = v128.load(p, 16);
    const x2 = v128.load(p, 32);
    const x3 = v128.load(p, 48);
    c00 = madd(x0, w0, c00);
    c01 = madd(x1, w0, c01);
    c02 = madd(x2, w0, c02);
    c03 = madd(x3, w0, c03);
    c10 = madd(x0, w1, c10);
    c11 = madd(x1, w1, c11);
    c12 = madd(x2, w1, c12);
    c13 = madd(x3, w1, c13);
    w += PANEL_ROW_BYTES;
  }
  store2x4(y, yPix, c00, c10, b0, b1, both, act, alpha);
  store2x4(y + 4 * yPix, yPix, c01, c11, b0, b1, both, act, alpha);
  store2x4(y + 8 * yPix, yPix, c02, c12, b0, b1, both, act, alpha);
  store2x4(y + 12 * yPix, yPix, c03, c13, b0, b1, both, act, alpha);
}

/** Four pixels' (u: filter 0, v: filter 1) values: bias, activation, then each pixel's pair. */
// @ts-ignore: decorator
@inline
function store2x4(y: usize, yPix: usize, u: v128, v: v128, b0: v128, b1: v128, both: bool, act: i32, alpha: f32): void {
  u = activateCheapVec(f32x4.add(u, b0), act, alpha);
  if (both) {
    v = activateCheapVec(f32x4.add(v, b1), act, alpha);
    const lo = v128.shuffle<f32>(u, v, 0, 4, 1, 5);
    const hi = v128.shuffle<f32>(u, v, 2, 6, 3, 7);
    v128.store64_lane(y, lo, 0);
    v128.store64_lane(y + yPix, lo, 1);
    v128.store64_lane(y + 2 * yPix, hi, 0);
    v128.store64_lane(y + 3 * yPix, hi, 1);
  } else {
    v128.store32_lane(y, u, 0);
    v128.store32_lane(y + yPix, u, 1);
    v128.store32_lane(y + 2 * yPix, u, 2);
    v128.store32_lane(y + 3 * yPix, u, 3);
  }
}
