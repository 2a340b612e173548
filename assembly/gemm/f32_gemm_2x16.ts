// f32-gemm-2x16 (wasmsimd / wasmrelaxedsimd): the 2-row x 16-column
// micro-kernel (two 8-column packed panels, 8 accumulators) with its row
// loops, shared by the plain-SIMD GEMM (f32_gemm_fwd.ts) and the conv path
// for filters in groups of 16 (conv/f32_conv2d_fwd_2x16.ts). A "row" is
// one output pixel: its A values are `kh` segments of `segBytes` contiguous
// bytes, `srcRowBytes` apart (a GEMM row is one segment of k floats), and
// the tile's second row starts `pixStep` bytes after the first, so both
// broadcasts come from one pointer and nothing is packed.
//
// Why 2x16 and not 4x8 in plain SIMD: both issue 6 loads and 16 arithmetic
// ops per 64 flops, but this tile's loop sustains more of them a cycle
// (~4.3 against ~3.8: README, "What bounds the kernels"). As the GEMM
// (Zen 3, Node 20, best of 60 interleaved rounds, one process, 4x8 ->
// 2x16): 256^3 35.0 -> 39.3 GFLOP/s, 512^3 35.7 -> 39.2, 1024^3 35.8 ->
// 39.2, 64^3 31.4 -> 38.8, 32x784x128 36.5 -> 40.2, with identical
// outputs. The packed B is blocked to 128 KiB of 16-column groups so it
// stays in L2 while every row pair streams past; all panels per row pair
// (as the conv path runs) measured 39.3 / 37.1 / 38.0 at 256^3 / 512^3 /
// 1024^3 against 39.2 / 39.1 / 38.7 blocked (64 and 256 KiB: within 1%).
// Relaxed SIMD keeps 4x8 for GEMM (packed A, FMA-bound at ~49).
//
// Contract (image): output rows `outH` x `outW` pixels; pixel (oh, ow)'s
// window starts at src + oh*rowStep + ow*pixStep; `groups` 16-column groups
// of packed panels from w (panel p at w + p*panelBytes; each kh*segBytes/4
// rows of 8 floats); bias: 16 floats a group or 0; y: pixel (oh, ow),
// group g at yImg + (oh*outW + ow)*yPix + g*64, written with `=` (16
// floats each). `act` must be cheap (activateCheapVec); callers run
// sigmoid/tanh as a pass afterwards. Reads only inside the windows and
// panels. SIMD builds only.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, PANEL_ROW_BYTES } from "../common/tile";
import { madd } from "./madd";
import { activateCheapVec } from "../activation/math";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";

/** Columns (filters) of one tile: two 8-column panels. */
export const GROUP_COLUMNS: i32 = 16;
/** Bytes of one tile row's 16 floats. */
const GROUP_BYTES: usize = 64;
/**
 * Bytes of packed B one GEMM pass keeps in L2 (whole 16-column groups,
 * at least one) while every row pair runs over them; see the header.
 */
const GEMM_BLOCK_BYTES: i32 = 128 * 1024;

/**
 * C[:, 0..n16) = act(A * B + bias) for the first n16 = n & ~15 columns of
 * a GEMM C[m, n] = A[m, k] * B[k, n]: A row-major, packedB from
 * f32_gemm_pack_b, bias [n] or 0. Relu is fused; any other activation
 * (leakyRelu, sigmoid, tanh) runs after the columns are computed linear,
 * as one pass over ALL of C (m*n floats), so the caller must have left
 * columns n16.. linear (f32_gemm_fwd computes them first). One inlined
 * copy of the row loops fewer keeps simd.wasm within its size budget; the
 * pass costs ~1% of a 256^3 GEMM.
 * Why n and not n16 plus a row stride as separate arguments: with one more
 * argument V8 ran out of general registers in this function, reloaded the
 * wasm memory base from the stack inside the tile loop, and 256^3 ran at
 * 34 instead of 39 GFLOP/s (identical vector code; Node 20).
 */
export function f32_gemm_fwd_2x16(
  a: usize, packedB: usize, bias: usize, c: usize, m: i32, k: i32, n: i32, act: i32, alpha: f32,
): void {
  if (!ASC_FEATURE_SIMD) return; // never called: the scalar build keeps 4x8 rows
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const groups = n / GROUP_COLUMNS;
  const blockGroups = max(1, GEMM_BLOCK_BYTES / max(1, k * <i32>GROUP_BYTES)); // k = 0: one block, act(bias)
  const rowBytes = <usize>k * F32_BYTES;
  const yPix = <usize>n * F32_BYTES;
  for (let g0 = 0; g0 < groups; g0 += blockGroups) {
    const gb = min(blockGroups, groups - g0);
    const w = packedB + <usize>(2 * g0) * panelBytes;
    const b: usize = bias == 0 ? 0 : bias + <usize>g0 * GROUP_BYTES;
    const y = c + <usize>g0 * GROUP_BYTES;
    if (act == ActivationId.Relu) {
      image(a, 1, m, 0, rowBytes, 1, rowBytes, 0, w, panelBytes, gb, b, y, yPix, ActivationId.Relu, alpha);
    } else {
      image(a, 1, m, 0, rowBytes, 1, rowBytes, 0, w, panelBytes, gb, b, y, yPix, ActivationId.Linear, alpha);
    }
  }
  if (!gemm2x16Fuses(act)) f32_vactivation_fwd(c, c, m * n, act, alpha);
}

/** Whether f32_gemm_fwd_2x16 fuses `act` into its tiles (else it runs a pass over all of C). */
// @ts-ignore: decorator
@inline
export function gemm2x16Fuses(act: i32): bool {
  return act == ActivationId.Linear || act == ActivationId.Relu;
}

/**
 * One image's output rows. Inlined with a constant `act`: with the
 * activation a run-time value, V8 kept a compare-and-branch per output
 * vector in every tile's epilogue and spilled around it, ~30 cycles of a
 * 108-cycle tile at K = 27 (32x32x3->32).
 */
// @ts-ignore: decorator
@inline
export function image(
  src: usize, outH: i32, outW: i32, rowStep: usize, pixStep: usize, kh: i32, segBytes: usize, srcRowBytes: usize,
  w: usize, panelBytes: usize, groups: i32, bias: usize, yImg: usize, yPix: usize, act: i32, alpha: f32,
): void {
  const pairs = outW >> 1;
  const yRowBytes = <usize>outW * yPix;
  let row = src;
  for (let oh = 0; oh < outH; oh++) {
    let a = row;
    let yp = yImg + <usize>oh * yRowBytes;
    for (let i = 0; i < pairs; i++) {
      allGroups(a, pixStep, kh, segBytes, srcRowBytes, w, panelBytes, groups, bias, yp, yPix, act, alpha, 2);
      a += 2 * pixStep;
      yp += 2 * yPix;
    }
    if ((outW & 1) != 0) {
      allGroups(a, pixStep, kh, segBytes, srcRowBytes, w, panelBytes, groups, bias, yp, yPix, act, alpha, 1);
    }
    row += rowStep;
  }
}

/**
 * The same `pixels` output pixels times every 16-filter group in turn (the
 * windows stay in L1 while the group's two panels stream past).
 */
// @ts-ignore: decorator
@inline
function allGroups(
  a: usize, pixStep: usize, kh: i32, segBytes: usize, srcRowBytes: usize, w: usize, panelBytes: usize,
  groups: i32, bias: usize, y: usize, yPix: usize, act: i32, alpha: f32, pixels: i32,
): void {
  for (let g = 0; g < groups; g++) {
    tile(a, pixStep, kh, segBytes, srcRowBytes, w, w + panelBytes, bias, y, yPix, act, alpha, pixels);
    w += panelBytes << 1;
    if (bias != 0) bias += GROUP_BYTES;
    y += GROUP_BYTES;
  }
}

/**
 * `pixels` (2, or 1 for an odd row's last; a constant after inlining)
 * output pixels whose windows start at a and a + pixStep, times 16 filters
 * (panels at w0 and w1; output pixels yPix bytes apart). Bias, cheap
 * activation, then 16 floats a pixel.
 */
// @ts-ignore: decorator
@inline
function tile(
  a: usize, pixStep: usize, kh: i32, segBytes: usize, srcRowBytes: usize, w0: usize, w1: usize, bias: usize,
  y: usize, yPix: usize, act: i32, alpha: f32, pixels: i32,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let ky = 0; ky < kh; ky++) {
    const end = a + segBytes;
    for (let p = a; p < end; p += F32_BYTES) {
      const b0 = v128.load(w0);
      const b1 = v128.load(w0, 16);
      const b2 = v128.load(w1);
      const b3 = v128.load(w1, 16);
      const x0 = v128.load32_splat(p);
      c00 = madd(x0, b0, c00);
      c01 = madd(x0, b1, c01);
      c02 = madd(x0, b2, c02);
      c03 = madd(x0, b3, c03);
      if (pixels > 1) {
        const x1 = v128.load32_splat(p + pixStep);
        c10 = madd(x1, b0, c10);
        c11 = madd(x1, b1, c11);
        c12 = madd(x1, b2, c12);
        c13 = madd(x1, b3, c13);
      }
      w0 += PANEL_ROW_BYTES;
      w1 += PANEL_ROW_BYTES;
    }
    a += srcRowBytes;
  }
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0), d2 = f32x4.splat(0), d3 = f32x4.splat(0);
  if (bias != 0) {
    d0 = v128.load(bias);
    d1 = v128.load(bias, 16);
    d2 = v128.load(bias, 32);
    d3 = v128.load(bias, 48);
  }
  v128.store(y, activateCheapVec(f32x4.add(c00, d0), act, alpha));
  v128.store(y, activateCheapVec(f32x4.add(c01, d1), act, alpha), 16);
  v128.store(y, activateCheapVec(f32x4.add(c02, d2), act, alpha), 32);
  v128.store(y, activateCheapVec(f32x4.add(c03, d3), act, alpha), 48);
  if (pixels > 1) {
    const y1 = y + yPix;
    v128.store(y1, activateCheapVec(f32x4.add(c10, d0), act, alpha));
    v128.store(y1, activateCheapVec(f32x4.add(c11, d1), act, alpha), 16);
    v128.store(y1, activateCheapVec(f32x4.add(c12, d2), act, alpha), 32);
    v128.store(y1, activateCheapVec(f32x4.add(c13, d3), act, alpha), 48);
  }
}
