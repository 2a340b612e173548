// f32-gemm-4x8-packed-a (wasmsimd / wasmrelaxedsimd): the 4x8 micro-kernel
// reading A from a 4-row slab packed k-major, ap[t*4 + r] = A_r[t] (see
// f32_gemm_pack_a4 in pack.ts), across `panels` consecutive packed B panels.
//
// Why: in the unpacked 4x8 kernel each k-step advances four A pointers and
// the panel pointer; V8 spends ~27 x64 instructions per step on 8 FMAs, so
// the loop is bound by the front end, not the FMA ports. With A packed, the
// four broadcasts use constant offsets from one pointer: 2 pointer updates
// per step instead of 5. The slab is packed once and reused by every panel.
// When that pays is measured, build by build: see packAPays below.
//
// Contract
// - ap: k rows of 4 floats (16 bytes), read in full.
// - w: panel p at w + p*panelBytes, k rows of NR = 8 floats (pack.ts).
// - bias: panel p's 8 floats at bias + p*32, or 0 (absent). When nc < 8,
//   panels must be 1 and only the first nc bias floats are read.
// - c: tile row r, panel p at c + r*cStride + p*32; columns 0..nc-1 of
//   each panel written with `=`.
// - act, alpha: fused activation. SIMD builds only.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, NR, PANEL_ROW_BYTES } from "../common/tile";
import { biasAt, storeTile4x8 } from "./epilogue";
import { madd } from "./madd";
import { PACK_A_MAX_K } from "./pack";

/** Bytes of one packed A step: MR = 4 floats. */
const A_STEP_BYTES: usize = 16;
/** Zero-padded bias of a partial (nc < 8) panel (per instance in threaded builds: setScratch). */
export let BIAS_PARTIAL: usize = ASC_FEATURE_THREADS ? 0 : memory.data(32, 16);

/**
 * Whether packing the A slab pays for a reduction of length k swept across
 * `panels` 8-column panels. Measured here (Zen 3, Node 20, best of 6-8
 * interleaved runs, unpacked -> packed):
 * - relaxed-SIMD: GEMM 256^3 45.7 -> 49.6 GFLOP/s, 64x400x120 44.9 -> 48.6,
 *   conv 56x56x64->64 3x3 5.25 -> 4.90 ms, 32x32x3->32 3x3 65.6 -> 44.1 us;
 *   but 14x14x6->16 5x5 (2 panels) 13.0 -> 13.8 us and 28x28x1->6 (1
 *   partial panel) 7.3 -> 12.1 us: the packing is not amortised.
 * - SIMD (mul + add, 16 FP ops a step, so the FP pipes and not the pointer
 *   updates bound the loop): 256^3 35.1 -> 33.1 GFLOP/s, 56x56x64->64
 *   6.56 -> 7.16 ms, worse; only short reductions gain (28x28x1->32 3x3,
 *   K = 9: 23.9 -> 22.7 us; 32x32x3->32, K = 27: 68.3 -> 63.7 us).
 */
export function packAPays(k: i32, panels: i32): bool {
  if (!ASC_FEATURE_SIMD || k > PACK_A_MAX_K || panels < PACK_A_MIN_PANELS) return false;
  return ASC_FEATURE_RELAXED_SIMD || k <= PACK_A_SIMD_MAX_K;
}
/** Fewest panels (including a partial one) over which one packed slab is reused. */
const PACK_A_MIN_PANELS: i32 = 4;
/** Longest reduction for which the plain-SIMD build packs A. */
const PACK_A_SIMD_MAX_K: i32 = 32;

export function f32_gemm_4x8_packed_a(
  ap: usize, k: i32, w: usize, panelBytes: usize, bias: usize,
  c: usize, cStride: usize, panels: i32, nc: i32, act: i32, alpha: f32,
): void {
  if (!ASC_FEATURE_SIMD) return; // never called: packAPays is false in the scalar build
  // Full panels come here only with the other activations: the cols
  // helper below sends linear and ReLU ones to sweepFull itself.
  if (nc == NR) {
    panelLoop(ap, k, w, panelBytes, bias, c, cStride, panels, NR, act, alpha, true);
  } else {
    for (let j = 0; j < NR; j++) store<f32>(BIAS_PARTIAL + (<usize>j << 2), j < nc ? biasAt(bias, j) : <f32>0);
    panelLoop(ap, k, w, panelBytes, BIAS_PARTIAL, c, cStride, 1, nc, act, alpha, false);
  }
}

/**
 * The slab swept across `cols` columns of packed B from panel w on: the
 * whole panels in one call, then the partial one (cols % 8 columns). bias
 * and c point at the first column, as for f32_gemm_4x8_packed_a. Inlined:
 * as a call it cost a K = 9 conv ~10% (28x28x1->32 3x3, relaxed).
 */
// @ts-ignore: decorator
@inline
export function f32_gemm_4x8_packed_a_cols(
  ap: usize, k: i32, w: usize, panelBytes: usize, bias: usize,
  c: usize, cStride: usize, cols: i32, act: i32, alpha: f32,
): void {
  const full = cols / NR;
  if (full > 0) {
    if (act == ActivationId.Relu || act == ActivationId.Linear) {
      sweepFull(ap, k, w, panelBytes, bias, c, cStride, full, act == ActivationId.Relu);
    } else {
      f32_gemm_4x8_packed_a(ap, k, w, panelBytes, bias, c, cStride, full, NR, act, alpha);
    }
  }
  const tail = cols - full * NR;
  if (tail > 0) {
    const n0 = <usize>(full * NR) * F32_BYTES;
    f32_gemm_4x8_packed_a(
      ap, k, w + <usize>full * panelBytes, panelBytes, bias == 0 ? 0 : bias + n0,
      c + n0, cStride, 1, tail, act, alpha,
    );
  }
}

// @ts-ignore: decorator
@inline
function panelLoop(
  ap0: usize, k: i32, w: usize, panelBytes: usize, bias: usize,
  c: usize, cStride: usize, panels: i32, nc: i32, act: i32, alpha: f32, full: bool,
): void {
  const apEnd = ap0 + <usize>k * A_STEP_BYTES;
  for (let p = 0; p < panels; p++) {
    let ap = ap0;
    let wp = w;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    while (ap < apEnd) {
      const b0 = v128.load(wp);
      const b1 = v128.load(wp, 16);
      let va = v128.load32_splat(ap);
      c00 = madd(va, b0, c00);
      c01 = madd(va, b1, c01);
      va = v128.load32_splat(ap, 4);
      c10 = madd(va, b0, c10);
      c11 = madd(va, b1, c11);
      va = v128.load32_splat(ap, 8);
      c20 = madd(va, b0, c20);
      c21 = madd(va, b1, c21);
      va = v128.load32_splat(ap, 12);
      c30 = madd(va, b0, c30);
      c31 = madd(va, b1, c31);
      ap += A_STEP_BYTES;
      wp += PANEL_ROW_BYTES;
    }
    let bl = f32x4.splat(0);
    let bh = f32x4.splat(0);
    if (bias != 0) {
      bl = v128.load(bias);
      bh = v128.load(bias, 16);
      bias += PANEL_ROW_BYTES;
    }
    storeTile4x8(c, cStride, c00, c01, c10, c11, c20, c21, c30, c31, bl, bh, nc, full, act, alpha);
    w += panelBytes;
    c += PANEL_ROW_BYTES;
  }
}

/**
 * Full panels, linear or ReLU: the hot loop of every large GEMM and
 * convolution, out of line so that V8 allocates registers for it alone.
 * Inlined into f32_gemm_4x8_packed_a (with the other activations' loop and
 * the partial panel's), three loop-invariant address bases were recomputed
 * inside the k loop in the threaded build: relaxed 512^3 ran at 46 GFLOP/s
 * there and 51 on the whole binary, from the same wasm body; out of line,
 * 51.6 and 53-55 (one thread, Node 20, best of 3 s).
 */
function sweepFull(
  ap: usize, k: i32, w: usize, panelBytes: usize, bias: usize,
  c: usize, cStride: usize, panels: i32, relu: bool,
): void {
  if (!ASC_FEATURE_SIMD) return; // never called: packAPays is false in the scalar build
  if (relu) panelLoop(ap, k, w, panelBytes, bias, c, cStride, panels, NR, ActivationId.Relu, 0, true);
  else panelLoop(ap, k, w, panelBytes, bias, c, cStride, panels, NR, ActivationId.Linear, 0, true);
}
