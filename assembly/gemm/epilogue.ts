// Store epilogue shared by the GEMM and conv micro-kernels: bias loads and
// stores that touch only the first `nc` (1..NR) columns of a panel, so a
// column tail never reads past the end of `bias` nor writes past column n of
// C. Full panels (nc == NR) take the two-v128 fast path.
// The exported helpers are @inline; the out-of-line ones (cold tail paths,
// kept out of the micro-kernel bodies) are file-private because AssemblyScript
// warns (AS112) about any exported non-inline function with v128 in its
// signature, even though only assembly/index.ts reaches the wasm exports.

import { NR } from "../common/tile";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { activateCheapVec, isExpensive } from "../activation/math";

/** Loads `count` floats (1..4) into the low lanes; the other lanes are 0. */
function loadPartial(p: usize, count: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

/** Low half (columns 0..3) of a panel's bias; 0 when there is no bias. */
// @ts-ignore: decorator
@inline
export function biasLo(bias: usize, nc: i32): v128 {
  if (bias == 0) return f32x4.splat(0);
  return nc >= 4 ? v128.load(bias) : loadPartial(bias, nc);
}

/** High half (columns 4..7) of a panel's bias; 0 when there is none. */
// @ts-ignore: decorator
@inline
export function biasHi(bias: usize, nc: i32): v128 {
  if (bias == 0 || nc <= 4) return f32x4.splat(0);
  return nc == NR ? v128.load(bias, 16) : loadPartial(bias + 16, nc - 4);
}

/**
 * Stores the low `count` lanes (1..4) of v with at most two stores: a 64-bit
 * lane store for pairs instead of one extract + scalar store per float.
 * Inlined: the partial panel of a 6-filter conv (LeNet's first layer) takes
 * this path for every pixel, and an out-of-line call per row cost ~15%.
 */
// @ts-ignore: decorator
@inline
function storeLanes(p: usize, v: v128, count: i32): void {
  if (count == 4) {
    v128.store(p, v);
  } else if (count >= 2) {
    v128.store64_lane(p, v, 0);
    if (count == 3) v128.store32_lane(p, v, 2, 8);
  } else {
    v128.store32_lane(p, v, 0);
  }
}

// @ts-ignore: decorator
@inline
function storeRowPartial(p: usize, lo: v128, hi: v128, nc: i32): void {
  if (nc >= 4) {
    v128.store(p, lo);
    if (nc > 4) storeLanes(p + 16, hi, nc - 4);
  } else {
    storeLanes(p, lo, nc);
  }
}

/** Stores one 8-column row of the tile, only its first `nc` columns. */
// @ts-ignore: decorator
@inline
export function storeRow(p: usize, lo: v128, hi: v128, nc: i32): void {
  if (nc == NR) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
  } else {
    storeRowPartial(p, lo, hi, nc);
  }
}

/**
 * Sigmoid/tanh for a stored row, applied right after the store while the
 * row is still in L1. Kept out of the micro-kernel body so the exp code does
 * not compete with the 8 accumulators for registers.
 */
// @ts-ignore: decorator
@inline
export function activateRow(p: usize, nc: i32, act: i32, alpha: f32): void {
  f32_vactivation_fwd(p, p, nc, act, alpha);
}

// ---- scalar build ------------------------------------------------------------

/** b[j] for a scalar epilogue; 0 when there is no bias. */
// @ts-ignore: decorator
@inline
export function biasAt(bias: usize, j: i32): f32 {
  return bias == 0 ? <f32>0 : load<f32>(bias + (<usize>j << 2));
}

/**
 * The 4x8 tile's epilogue, shared by f32_gemm_4x8 and f32_gemm_4x8_packed_a:
 * bias (bl, bh: columns 0-3 and 4-7) and the cheap activations in registers,
 * the store of 4 rows `cStride` bytes apart (`full`: all 8 columns, else the
 * first `nc`), then the expensive activations (sigmoid, tanh) over what was
 * stored. Inlined, so the accumulators stay in registers.
 */
// @ts-ignore: decorator
@inline
export function storeTile4x8(
  c: usize, cStride: usize,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
  bl: v128, bh: v128, nc: i32, full: bool, act: i32, alpha: f32,
): void {
  c00 = activateCheapVec(f32x4.add(c00, bl), act, alpha);
  c01 = activateCheapVec(f32x4.add(c01, bh), act, alpha);
  c10 = activateCheapVec(f32x4.add(c10, bl), act, alpha);
  c11 = activateCheapVec(f32x4.add(c11, bh), act, alpha);
  c20 = activateCheapVec(f32x4.add(c20, bl), act, alpha);
  c21 = activateCheapVec(f32x4.add(c21, bh), act, alpha);
  c30 = activateCheapVec(f32x4.add(c30, bl), act, alpha);
  c31 = activateCheapVec(f32x4.add(c31, bh), act, alpha);
  const p1 = c + cStride;
  const p2 = p1 + cStride;
  const p3 = p2 + cStride;
  if (full) {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(p1, c10);
    v128.store(p1, c11, 16);
    v128.store(p2, c20);
    v128.store(p2, c21, 16);
    v128.store(p3, c30);
    v128.store(p3, c31, 16);
  } else {
    storeRow(c, c00, c01, nc);
    storeRow(p1, c10, c11, nc);
    storeRow(p2, c20, c21, nc);
    storeRow(p3, c30, c31, nc);
  }
  if (isExpensive(act)) {
    activateRow(c, nc, act, alpha);
    activateRow(p1, nc, act, alpha);
    activateRow(p2, nc, act, alpha);
    activateRow(p3, nc, act, alpha);
  }
}
