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
 * Packs the windows of 4 output pixels k-major for f32_gemm_4x8_packed_a,
 * like f32_gemm_pack_a4 but with one start pointer per pixel, so the 4
 * pixels may straddle output rows (f32_conv2d_fwd tiles the whole image in
 * fours instead of each row). Each window is `kh` segments of `kc` floats,
 * `segSkip` bytes apart; dst[(s*kc + t)*4 + r] = window_r[s, t]. Reads
 * exactly kh*kc floats per pixel; writes kh*kc*4 (=).
 */
export function f32_conv2d_pack_windows4(
  a0: usize, a1: usize, a2: usize, a3: usize, kh: i32, kc: i32, segSkip: usize, dst: usize,
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
      a0 += 4;
      a1 += 4;
      a2 += 4;
      a3 += 4;
      dst += 16;
    }
    a0 += segSkip;
    a1 += segSkip;
    a2 += segSkip;
    a3 += segSkip;
  }
}

/**
 * f32_conv2d_pack_windows4 for one input channel and horizontal stride 1:
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
