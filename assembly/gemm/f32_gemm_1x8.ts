// f32-gemm-1x8 (wasmsimd / wasmrelaxedsimd / scalar): one row x one 8-column
// panel. Handles what the 4x8 tile cannot: GEMM row tails (m % 4), conv
// pixel tails (ow % 4), and every tile of the scalar build.
//
// Contract: as f32-gemm-4x8 (see f32_gemm_4x8.ts) for a single row:
// - a: kh segments of kc floats, segment s at a + s*(kc*4 + aSegSkip).
// - w: packed panel, kh*kc rows of 8 floats, read in full.
// - bias: 8 floats or 0; only the first nc read. c: columns 0..nc-1 (=).
// - No over-read, no alignment requirement.
// The SIMD version keeps two accumulator pairs (even / odd t) so the adds
// do not form one long dependency chain.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, PANEL_ROW_BYTES } from "../common/tile";
import { activateCheapVec, activateScalar, isExpensive } from "../activation/math";
import { activateRow, biasAt, biasHi, biasLo, storeRow } from "./epilogue";
import { madd } from "./madd";

export function f32_gemm_1x8(
  a: usize, kh: i32, kc: i32, aSegSkip: usize,
  w: usize, bias: usize, c: usize, nc: i32, act: i32, alpha: f32,
): void {
  if (ASC_FEATURE_SIMD) {
    let e0 = f32x4.splat(0), e1 = f32x4.splat(0);
    let o0 = f32x4.splat(0), o1 = f32x4.splat(0);
    for (let s = 0; s < kh; s++) {
      let t = 0;
      for (; t + 2 <= kc; t += 2) {
        const va = v128.load32_splat(a);
        const vb = v128.load32_splat(a, 4);
        e0 = madd(va, v128.load(w), e0);
        e1 = madd(va, v128.load(w, 16), e1);
        o0 = madd(vb, v128.load(w, 32), o0);
        o1 = madd(vb, v128.load(w, 48), o1);
        a += 2 * F32_BYTES;
        w += 2 * PANEL_ROW_BYTES;
      }
      if (t < kc) {
        const va = v128.load32_splat(a);
        e0 = madd(va, v128.load(w), e0);
        e1 = madd(va, v128.load(w, 16), e1);
        a += F32_BYTES;
        w += PANEL_ROW_BYTES;
      }
      a += aSegSkip;
    }
    const lo = activateCheapVec(f32x4.add(f32x4.add(e0, o0), biasLo(bias, nc)), act, alpha);
    const hi = activateCheapVec(f32x4.add(f32x4.add(e1, o1), biasHi(bias, nc)), act, alpha);
    storeRow(c, lo, hi, nc);
    if (isExpensive(act)) activateRow(c, nc, act, alpha);
  } else {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    let s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
    for (let s = 0; s < kh; s++) {
      for (let t = 0; t < kc; t++) {
        const x = load<f32>(a);
        s0 += x * load<f32>(w, 0);
        s1 += x * load<f32>(w, 4);
        s2 += x * load<f32>(w, 8);
        s3 += x * load<f32>(w, 12);
        s4 += x * load<f32>(w, 16);
        s5 += x * load<f32>(w, 20);
        s6 += x * load<f32>(w, 24);
        s7 += x * load<f32>(w, 28);
        a += F32_BYTES;
        w += PANEL_ROW_BYTES;
      }
      a += aSegSkip;
    }
    storeScalar(c, 0, s0, bias, nc, act, alpha);
    storeScalar(c, 1, s1, bias, nc, act, alpha);
    storeScalar(c, 2, s2, bias, nc, act, alpha);
    storeScalar(c, 3, s3, bias, nc, act, alpha);
    storeScalar(c, 4, s4, bias, nc, act, alpha);
    storeScalar(c, 5, s5, bias, nc, act, alpha);
    storeScalar(c, 6, s6, bias, nc, act, alpha);
    storeScalar(c, 7, s7, bias, nc, act, alpha);
  }
}

// @ts-ignore: decorator
@inline
function storeScalar(c: usize, j: i32, sum: f32, bias: usize, nc: i32, act: i32, alpha: f32): void {
  if (j < nc) {
    const v = sum + biasAt(bias, j);
    store<f32>(c + (<usize>j << 2), act == ActivationId.Linear ? v : activateScalar(v, act, alpha));
  }
}
