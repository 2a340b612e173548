// f32-conv2d-pack: packs a Keras conv kernel [kh, kw, cin, cout] once.
//
// Row-major [kh, kw, cin, cout] is exactly a GEMM B[kh*kw*cin, cout], and the
// implicit-GEMM conv walks the reduction in the same (ky, kx, ci) order, so
// the packed layout is the GEMM one: panel of NR = 8 filters, then
// [ky][kx][ci][8], zero padded to whole panels (see gemm/pack.ts).
// Reads w (kh*kw*cin*cout floats), writes packed (=), no overlap allowed.

import { f32_gemm_pack_b, f32_gemm_packed_size } from "../gemm/pack";

export function f32_conv2d_packed_size(kh: i32, kw: i32, cin: i32, cout: i32): i32 {
  return f32_gemm_packed_size(kh * kw * cin, cout);
}

export function f32_conv2d_pack_filter(w: usize, kh: i32, kw: i32, cin: i32, cout: i32, packed: usize): void {
  f32_gemm_pack_b(w, kh * kw * cin, cout, packed);
}

/**
 * f32_gemm_pack_a4_rows for one input channel and horizontal stride 1:
 * the 4 pixels' windows are then the same floats shifted by one, so each
 * packed step [A_0[t], A_1[t], A_2[t], A_3[t]] is one unaligned 4-float
 * load at a + s*rowBytes + t*4 (no transpose, no scalar moves). Reads only
 * floats inside the 4 windows; writes kh*kw*4 floats (=).
 */
export function f32_conv2d_pack_windows4_cin1(a: usize, kh: i32, kw: i32, rowBytes: usize, dst: usize): void {
  const kwBytes = <usize>kw << 2;
  for (let s = 0; s < kh; s++) {
    const end = a + kwBytes;
    for (let p = a; p < end; p += 4) {
      v128.store(dst, v128.load(p));
      dst += 16;
    }
    a += rowBytes;
  }
}
