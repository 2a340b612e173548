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
// Why 4x8 with a rolled k-loop: 8 v128 accumulators + 2 B vectors + 1 A
// broadcast fit the 16 x64 XMM registers. On this machine (Zen 4, Node 20)
// unrolling the k-loop, or tiles 6x8 / 8x8 / 4x16, made V8 spill and ran at
// ~25 GFLOP/s instead of ~39 (SIMD) / ~50 (relaxed). See DESIGN.md.

import { F32_BYTES, PANEL_ROW_BYTES } from "../common/tile";
import { activateCheapVec, isExpensive } from "../activation/math";
import { activateRow, biasHi, biasLo, storeRow } from "./epilogue";
import { f32_gemm_1x8 } from "./f32_gemm_1x8";
import { madd } from "./madd";

export function f32_gemm_4x8(
  a: usize, aStride: usize, kh: i32, kc: i32, aSegSkip: usize,
  w: usize, bias: usize, c: usize, cStride: usize, nc: i32, act: i32, alpha: f32,
): void {
  if (ASC_FEATURE_SIMD) {
    let a0 = a;
    let a1 = a0 + aStride;
    let a2 = a1 + aStride;
    let a3 = a2 + aStride;
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    for (let s = 0; s < kh; s++) {
      for (let t = 0; t < kc; t++) {
        const b0 = v128.load(w);
        const b1 = v128.load(w, 16);
        let va = v128.load32_splat(a0);
        c00 = madd(va, b0, c00);
        c01 = madd(va, b1, c01);
        va = v128.load32_splat(a1);
        c10 = madd(va, b0, c10);
        c11 = madd(va, b1, c11);
        va = v128.load32_splat(a2);
        c20 = madd(va, b0, c20);
        c21 = madd(va, b1, c21);
        va = v128.load32_splat(a3);
        c30 = madd(va, b0, c30);
        c31 = madd(va, b1, c31);
        a0 += F32_BYTES;
        a1 += F32_BYTES;
        a2 += F32_BYTES;
        a3 += F32_BYTES;
        w += PANEL_ROW_BYTES;
      }
      a0 += aSegSkip;
      a1 += aSegSkip;
      a2 += aSegSkip;
      a3 += aSegSkip;
    }
    const bl = biasLo(bias, nc);
    const bh = biasHi(bias, nc);
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
    storeRow(c, c00, c01, nc);
    storeRow(p1, c10, c11, nc);
    storeRow(p2, c20, c21, nc);
    storeRow(p3, c30, c31, nc);
    if (isExpensive(act)) {
      activateRow(c, nc, act, alpha);
      activateRow(p1, nc, act, alpha);
      activateRow(p2, nc, act, alpha);
      activateRow(p3, nc, act, alpha);
    }
  } else {
    // Scalar build: 32 f32 accumulators would spill, so one row at a time.
    for (let r = 0; r < 4; r++) {
      f32_gemm_1x8(a + <usize>r * aStride, kh, kc, aSegSkip, w, bias, c + <usize>r * cStride, nc, act, alpha);
    }
  }
}
