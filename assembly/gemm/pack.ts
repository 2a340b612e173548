// f32-gemm-pack: packs row-major B[k, n] (the Keras dense kernel
// [inputs, units], or a conv kernel [kh, kw, cin, cout] seen as
// [kh*kw*cin, cout]) into NR-column panels, once, at build time.
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
