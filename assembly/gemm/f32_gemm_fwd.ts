// f32-gemm-fwd: C[m, n] = act(A[m, k] * B[k, n] + bias[n]), the driver that
// tiles the problem for the micro-kernels.
//
// Contract
// - a: row-major [m, k]; packedB: from f32_gemm_pack_b(B, k, n);
//   bias: [n] floats or 0; c: row-major [m, n], written with `=`.
// - a, packedB, bias must not overlap c. No alignment requirement
//   (16 bytes is faster); no over-read of any buffer (see the micro-kernels).
// - k >= 1 expected; k == 0 gives act(bias).
//
// Blocking: in the unpacked path, row blocks of MR = 4 rows (A slab in L1)
// run across a block of panels sized so the packed B block stays in L2
// (~256 KiB); A is streamed once per panel block. Where packAPays says so
// (relaxed-SIMD with >= 4 panels, or a short k in SIMD), each 4-row slab is
// first packed k-major and swept across all the panels by
// f32_gemm_4x8_packed_a (256^3 relaxed: 45.7 -> 49.1 GFLOP/s). Rows m % 4 go through the 1x32 / 1x24 / 1x8
// row path, which is also the whole of the m == 1 (batch-1 Dense) case.
// The plain-SIMD build (no relaxed FMA) runs whole 16-column groups on the
// 2x16 tile instead when m >= 4 (f32_gemm_2x16.ts: 35 -> 39 GFLOP/s), and
// only the remaining columns through the paths above.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, MR, NR, PANEL_ROW_BYTES } from "../common/tile";
import { f32_gemm_4x8 } from "./f32_gemm_4x8";
import { f32_gemm_1x8 } from "./f32_gemm_1x8";
import { GEMV_NARROW_PANELS, GEMV_WIDE_PANELS, f32_gemv_1x24, f32_gemv_1x32 } from "./f32_gemv";
import { f32_gemm_4x8_packed_a_cols, packAPays } from "./f32_gemm_4x8_packed_a";
import { PACK_A_BUF, f32_gemm_pack_a4 } from "./pack";
import { GROUP_COLUMNS, f32_gemm_fwd_2x16, gemm2x16Fuses } from "./f32_gemm_2x16";

/** Bytes of packed B kept hot in L2 while the row blocks stream past it. */
const L2_BLOCK_BYTES: i32 = 256 * 1024;

export function f32_gemm_fwd(
  a: usize, packedB: usize, bias: usize, c: usize,
  m: i32, k: i32, n: i32, act: i32, alpha: f32,
): void {
  // Plain SIMD: whole 16-column groups by the 2x16 tile, after the rest
  // (under 16 columns) by the 4x8 tiles and the row path below, left
  // linear where f32_gemm_fwd_2x16 applies the activation to all of C
  // afterwards (see its contract).
  const n16 = use2x16(m, n) ? n & ~(GROUP_COLUMNS - 1) : 0;
  if (n16 > 0) {
    if (n16 < n) f32_gemm_fwd_4x8(a, packedB, bias, c, m, k, n, n16 / NR, gemm2x16Fuses(act) ? act : ActivationId.Linear, alpha);
    f32_gemm_fwd_2x16(a, packedB, bias, c, m, k, n, act, alpha);
    return;
  }
  f32_gemm_fwd_4x8(a, packedB, bias, c, m, k, n, 0, act, alpha);
}

/** Columns from panel pStart on: 4x8 tiles over the rows in fours, the row path for the rest. */
function f32_gemm_fwd_4x8(
  a: usize, packedB: usize, bias: usize, c: usize,
  m: i32, k: i32, n: i32, pStart: i32, act: i32, alpha: f32,
): void {
  const aRowBytes = <usize>k * F32_BYTES;
  const cRowBytes = <usize>n * F32_BYTES;
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  const panels = (n + NR - 1) / NR;
  const mFull = m & ~(MR - 1);
  const packA = packAPays(k, panels - pStart);
  // A packed slab is swept across every panel, not an L2-sized block of
  // them: the packing is then paid once per 4 rows instead of once per
  // block, and the prefetchers stream B from L3 fast enough. Relaxed 1024^3
  // (best of 25, one process): 8-panel blocks 44.9, 32 46.2, all 128 49.0
  // GFLOP/s. The unpacked kernel has no packing to amortise and keeps the
  // L2 blocking.
  const blockPanels = packA ? panels : max(1, L2_BLOCK_BYTES / max(1, k * <i32>PANEL_ROW_BYTES));
  for (let p0 = pStart; p0 < panels; p0 += blockPanels) {
    const p1 = min(panels, p0 + blockPanels);
    for (let i = 0; i < mFull; i += MR) {
      const ai = a + <usize>i * aRowBytes;
      const ci = c + <usize>i * cRowBytes;
      if (packA) {
        // The 4-row slab packed once, then swept across the block's panels.
        f32_gemm_pack_a4(ai, aRowBytes, 1, k, 0, PACK_A_BUF);
        const n0 = p0 * NR;
        f32_gemm_4x8_packed_a_cols(
          PACK_A_BUF, k, packedB + <usize>p0 * panelBytes, panelBytes,
          bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES,
          ci + <usize>n0 * F32_BYTES, cRowBytes, min(n, p1 * NR) - n0, act, alpha,
        );
        continue;
      }
      for (let p = p0; p < p1; p++) {
        const n0 = p * NR;
        f32_gemm_4x8(
          ai, aRowBytes, 1, k, 0,
          packedB + <usize>p * panelBytes,
          bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES,
          ci + <usize>n0 * F32_BYTES, cRowBytes, min(NR, n - n0), act, alpha, 1, 0, 0,
        );
      }
    }
  }
  for (let i = mFull; i < m; i++) {
    f32_gemm_row(a + <usize>i * aRowBytes, packedB, bias, c + <usize>i * cRowBytes, k, n, pStart, act, alpha);
  }
}

/**
 * Whether the plain-SIMD build runs this GEMM's 16-column groups on the
 * 2x16 tile (see f32_gemm_2x16.ts for the numbers). Relaxed SIMD keeps
 * the packed-A 4x8 tile, which is FMA-bound there; a single row keeps
 * the 1x32 row kernel.
 */
function use2x16(m: i32, n: i32): bool {
  return ASC_FEATURE_SIMD && !ASC_FEATURE_RELAXED_SIMD && m >= GEMM_2X16_MIN_M && n >= GROUP_COLUMNS;
}
/** Fewest rows for which plain SIMD takes the 2x16 tile. */
const GEMM_2X16_MIN_M: i32 = 4;

/**
 * One row of C from panel p0 on: groups of four full panels by 1x32, then
 * three by 1x24, the rest by 1x8.
 */
export function f32_gemm_row(
  a: usize, packedB: usize, bias: usize, c: usize, k: i32, n: i32, p0: i32, act: i32, alpha: f32,
): void {
  const panelBytes = <usize>k * PANEL_ROW_BYTES;
  let p = p0;
  if (ASC_FEATURE_SIMD) {
    const fullPanels = n / NR;
    for (; p + GEMV_WIDE_PANELS <= fullPanels; p += GEMV_WIDE_PANELS) {
      const n0 = p * NR;
      f32_gemv_1x32(
        a, k, packedB + <usize>p * panelBytes,
        bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES,
        c + <usize>n0 * F32_BYTES, act, alpha,
      );
    }
    if (p + GEMV_NARROW_PANELS <= fullPanels) {
      const n0 = p * NR;
      f32_gemv_1x24(
        a, k, packedB + <usize>p * panelBytes,
        bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES,
        c + <usize>n0 * F32_BYTES, act, alpha,
      );
      p += GEMV_NARROW_PANELS;
    }
  }
  for (; p * NR < n; p++) {
    const n0 = p * NR;
    f32_gemm_1x8(
      a, 1, k, 0, packedB + <usize>p * panelBytes,
      bias == 0 ? 0 : bias + <usize>n0 * F32_BYTES,
      c + <usize>n0 * F32_BYTES, min(NR, n - n0), act, alpha,
    );
  }
}
