// f32-gemm-pack: packs row-major B[k, n] (the Keras dense kernel
// [inputs, units], or a conv kernel [kh, kw, cin, cout] seen as
// [kh*kw*cin, cout]) into NR-column panels, once, at build time.
// (Also f32_gemm_pack_a4 below: the per-call packing of 4-row A slabs for
// f32_gemm_4x8_packed_a, into a static buffer.)
//
// Packed layout: panel p (columns p*NR .. p*NR+NR-1), then k rows of NR
// floats: packed[(p*k + kk)*NR + j] = B[kk, p*NR + j], zero where
// p*NR + j >= n. The zero padding lets the micro-kernels always load two full
// v128 per row with no column tail inside the k-loop; the epilogue then
// stores only the real columns.
//
// Contract
// - reads b: k*n floats; writes packed: f32_gemm_packed_size(k, n) floats (=).
// - b and packed must not overlap. Alignment: packed should be 16-byte
//   aligned (it is read with v128.load; unaligned works but is slower).

import { F32_BYTES, NR, PANEL_ROW_BYTES, roundUpToPanel } from "../common/tile";

/** Floats needed to hold B[k, n] packed: k * n rounded up to whole panels. */
export function f32_gemm_packed_size(k: i32, n: i32): i32 {
  return k * roundUpToPanel(n);
}

export function f32_gemm_pack_b(b: usize, k: i32, n: i32, packed: usize): void {
  let dst = packed;
  for (let n0 = 0; n0 < n; n0 += NR) {
    const nc = min(NR, n - n0);
    for (let kk = 0; kk < k; kk++) {
      const src = b + (<usize>kk * <usize>n + <usize>n0) * F32_BYTES;
      let j = 0;
      for (; j < nc; j++) store<f32>(dst + <usize>j * F32_BYTES, load<f32>(src + <usize>j * F32_BYTES));
      for (; j < NR; j++) store<f32>(dst + <usize>j * F32_BYTES, 0);
      dst += PANEL_ROW_BYTES;
    }
  }
}

/**
 * Largest reduction length (k, or kh*kw*cin for a conv) whose 4-row A slab
 * fits the static packing buffer; longer ones use the unpacked 4x8 kernel.
 */
export const PACK_A_MAX_K: i32 = 3072;
/** Bytes of one packed A slab: PACK_A_MAX_K steps of 4 floats (48 KiB). */
export const PACK_A_BYTES: i32 = PACK_A_MAX_K * 16;
/**
 * The buffer for one packed A slab. Single-threaded builds: static data
 * (asconfig.json starts the module at one 64 KiB page, static data
 * included); never written after start, so binaryen folds it to a constant.
 * Threaded builds: each instance's own block, set by setScratch
 * (assembly/threads.ts), as instances share one memory.
 */
export let PACK_A_BUF: usize = ASC_FEATURE_THREADS ? 0 : memory.data(PACK_A_BYTES, 16);

/**
 * Packs a 4-row slab of A k-major for f32_gemm_4x8_packed_a:
 * dst[(s*kc + t)*4 + r] = A_r[s, t], where row r starts at a + r*aStride and
 * is seen, as in the 4x8 kernel, as `kh` segments of `kc` floats separated by
 * `aSegSkip` bytes. Reads exactly kh*kc floats per row; writes kh*kc*4 (=).
 * Four columns at a time go through a 4x4 transpose in registers.
 */
export function f32_gemm_pack_a4(a: usize, aStride: usize, kh: i32, kc: i32, aSegSkip: usize, dst: usize): void {
  f32_gemm_pack_a4_rows(a, a + aStride, a + 2 * aStride, a + 3 * aStride, kh, kc, aSegSkip, dst);
}

/**
 * f32_gemm_pack_a4 with one start pointer per row, so the 4 rows need not be
 * evenly spaced: f32_conv2d_fwd packs the windows of 4 output pixels that may
 * straddle output rows. Same layout, reads and writes.
 */
export function f32_gemm_pack_a4_rows(
  a0: usize, a1: usize, a2: usize, a3: usize, kh: i32, kc: i32, aSegSkip: usize, dst: usize,
): void {
  for (let s = 0; s < kh; s++) {
    let t = 0;
    if (ASC_FEATURE_SIMD) {
      for (; t + 4 <= kc; t += 4) {
        const r0 = v128.load(a0);
        const r1 = v128.load(a1);
        const r2 = v128.load(a2);
        const r3 = v128.load(a3);
        // 4x4 transpose: unpack low/high pairs, then 64-bit halves.
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(dst, i64x2.shuffle(t0, t1, 0, 2));
        v128.store(dst, i64x2.shuffle(t0, t1, 1, 3), 16);
        v128.store(dst, i64x2.shuffle(t2, t3, 0, 2), 32);
        v128.store(dst, i64x2.shuffle(t2, t3, 1, 3), 48);
        a0 += 16;
        a1 += 16;
        a2 += 16;
        a3 += 16;
        dst += 64;
      }
    }
    for (; t < kc; t++) {
      store<f32>(dst, load<f32>(a0));
      store<f32>(dst, load<f32>(a1), 4);
      store<f32>(dst, load<f32>(a2), 8);
      store<f32>(dst, load<f32>(a3), 12);
      a0 += F32_BYTES;
      a1 += F32_BYTES;
      a2 += F32_BYTES;
      a3 += F32_BYTES;
      dst += 16;
    }
    a0 += aSegSkip;
    a1 += aSegSkip;
    a2 += aSegSkip;
    a3 += aSegSkip;
  }
}
