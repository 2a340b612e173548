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
