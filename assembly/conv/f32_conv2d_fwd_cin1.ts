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
//
// Contract
// - x: [batch, inH, inW, 1]; packedW: f32_conv2d_pack_filter's panels
//   (filter co at panel co/8, column co%8; row t = ky*kw + kx);
//   bias: [cout] or 0; y: [batch, outH, outW, cout], written with `=`.
// - Only when f32_conv2d_fwd_cin1_applies(cin, sw, outW, cout) (SIMD
//   builds, cin = 1, sw = 1, outW >= 16, cout <= CIN1_MAX_COUT). Any batch,
//   sh, kh, kw, padding.
// - scratch: f32_conv2d_fwd_cin1_scratch_size(...) floats, written freely:
//   the zero-padded image when the geometry needs padding.
// - Over-read: none; every input float read lies inside a window, every
//   weight inside its zero-padded panel.
// - x, packedW, bias, scratch must not overlap y.

import { F32_BYTES, NR, PANEL_ROW_BYTES } from "../common/tile";
import { madd } from "../gemm/madd";
import { activateCheapVec, isExpensive } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";

/** Output pixels per tile: 4 vectors. */
const TILE_PIXELS: i32 = 16;
/** Filters per tile. */
const TILE_FILTERS: i32 = 2;
/**
 * Most filters this path takes: from 8 on the 4x8 panels are full and this
 * tile's 2 filters per pass no longer win (28x28x1 5x5 same, relaxed, 4x8
 * panels -> this kernel: cout 8 18.4 -> 18.6 us; cout 7 20.1 -> 18.4).
 */
const CIN1_MAX_COUT: i32 = 7;

/** Whether this kernel handles the geometry (see the contract). */
// @ts-ignore: decorator
@inline
export function f32_conv2d_fwd_cin1_applies(cin: i32, sw: i32, outW: i32, cout: i32): bool {
  return ASC_FEATURE_SIMD && cin == 1 && sw == 1 && outW >= TILE_PIXELS && cout <= CIN1_MAX_COUT;
}

/**
 * Floats of scratch this path needs: the padded image, or 0 when unpadded;
 * the same as f32_conv2d_scratch_size's for cin = 1, sw = 1.
 */
export function f32_conv2d_fwd_cin1_scratch_size(
  inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, padTop: i32, padLeft: i32,
): i32 {
  const hp = (outH - 1) * sh + kh;
  const wp = outW + kw - 1;
  if (padTop == 0 && padLeft == 0 && hp <= inH && wp <= inW) return 0;
  return hp * wp;
}

export function f32_conv2d_fwd_cin1(
  batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, padTop: i32, padLeft: i32,
  x: usize, packedW: usize, bias: usize, y: usize, cout: i32, act: i32, alpha: f32, scratch: usize,
): void {
  if (!ASC_FEATURE_SIMD) return; // never called: f32_conv2d_fwd_cin1_applies is false
  const hp = (outH - 1) * sh + kh;
  const wp = outW + kw - 1;
  const pad = f32_conv2d_fwd_cin1_scratch_size(inH, inW, outH, outW, kh, kw, sh, padTop, padLeft) > 0;
  const srcRowBytes = <usize>(pad ? wp : inW) * F32_BYTES;
  const rowStep = <usize>sh * srcRowBytes;
  const kwBytes = <usize>kw * F32_BYTES;
  const panelBytes = <usize>(kh * kw) * PANEL_ROW_BYTES;
  const yPix = <usize>cout * F32_BYTES;
  const yRowBytes = <usize>outW * yPix;
  const imgBytes = <usize>inH * <usize>inW * F32_BYTES;
  const lastTile = outW - TILE_PIXELS;
  for (let b = 0; b < batch; b++) {
    let src = x + <usize>b * imgBytes;
    if (pad) {
      padImage1(src, inH, inW, padTop, padLeft, hp, wp, scratch);
      src = scratch;
    }
    const yImg = y + <usize>b * <usize>outH * yRowBytes;
    for (let c0 = 0; c0 < cout; c0 += TILE_FILTERS) {
      const w = packedW + <usize>(c0 / NR) * panelBytes + <usize>(c0 % NR) * F32_BYTES;
      const both = c0 + 1 < cout;
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
      if (bias != 0) {
        b0 = v128.load32_splat(bias + <usize>c0 * F32_BYTES);
        if (both) b1 = v128.load32_splat(bias + <usize>(c0 + 1) * F32_BYTES);
      }
      const yPair = yImg + <usize>c0 * F32_BYTES;
      let row = src;
      for (let oh = 0; oh < outH; oh++) {
        const yRow = yPair + <usize>oh * yRowBytes;
        // The last tile is shifted back to end at the row's end (outW >= 16):
        // recomputing a few pixels beat narrower tail tiles (6 or fewer
        // multiply-add chains, latency-bound): 28x28x1->6 5x5 same 14.6 vs
        // 15.4 us relaxed.
        for (let ow = 0; ow < outW; ow += TILE_PIXELS) {
          const o = min(ow, lastTile);
          tile(row + <usize>o * F32_BYTES, kh, kwBytes, srcRowBytes, w, b0, b1, yRow + <usize>o * yPix, yPix, both, act, alpha);
        }
        row += rowStep;
      }
    }
    if (isExpensive(act)) f32_vactivation_fwd(yImg, yImg, outH * outW * cout, act, alpha);
  }
}

/** Copies one [inH, inW] image into a zero-bordered [hp, wp] one. */
function padImage1(x: usize, inH: i32, inW: i32, padTop: i32, padLeft: i32, hp: i32, wp: i32, dst: usize): void {
  const rowBytes = <usize>wp * F32_BYTES;
  const left = min(padLeft, wp);
  const copied = max(0, min(inW, wp - left));
  const right = wp - left - copied;
  for (let r = 0; r < hp; r++) {
    const iy = r - padTop;
    const d = dst + <usize>r * rowBytes;
    if (iy < 0 || iy >= inH) {
      memory.fill(d, 0, rowBytes);
      continue;
    }
    memory.fill(d, 0, <usize>left * F32_BYTES);
    memory.copy(d + <usize>left * F32_BYTES, x + <usize>(iy * inW + left - padLeft) * F32_BYTES, <usize>copied * F32_BYTES);
    memory.fill(d + <usize>(left + copied) * F32_BYTES, 0, <usize>right * F32_BYTES);
  }
}

/**
 * 16 output pixels (windows from the row at a) x 2 filters (weights at w,
 * one panel row per tap; bias splats b0, b1). Writes y[px*cout + {0, 1}]
 * for px < 16 (only filter 0 when !both).
 */
// @ts-ignore: decorator
@inline
function tile(
  a: usize, kh: i32, kwBytes: usize, srcRowBytes: usize, w: usize, b0: v128, b1: v128,
  y: usize, yPix: usize, both: bool, act: i32, alpha: f32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let ky = 0; ky < kh; ky++) {
    const end = a + kwBytes;
    for (let p = a; p < end; p += F32_BYTES) {
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
    a += srcRowBytes;
  }
  store4(y, yPix, c00, c10, b0, b1, both, act, alpha);
  store4(y + 4 * yPix, yPix, c01, c11, b0, b1, both, act, alpha);
  store4(y + 8 * yPix, yPix, c02, c12, b0, b1, both, act, alpha);
  store4(y + 12 * yPix, yPix, c03, c13, b0, b1, both, act, alpha);
}

/** Four pixels' (u: filter 0, v: filter 1) values: bias, activation, then each pixel's pair. */
// @ts-ignore: decorator
@inline
function store4(y: usize, yPix: usize, u: v128, v: v128, b0: v128, b1: v128, both: bool, act: i32, alpha: f32): void {
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
