// f32-global-avgpool2d-fwd: y[n, c] = mean over h, w of x[n, h, w, c] (NHWC).
//
// Contract
// - x: [batch, height, width, C]; y: [batch, C], written with `=`; no overlap.
// - SIMD over channels: 16 at a time, then 4, then a scalar tail of C % 4.
//   No over-read, no alignment requirement. f32 sums, then one division by
//   height*width (an empty image gives 0).

import { F32_BYTES, LANES } from "../common/tile";

export function f32_global_avgpool2d_fwd(batch: i32, height: i32, width: i32, ch: i32, x: usize, y: usize): void {
  const pixels = height * width;
  const pix = <usize>ch * F32_BYTES;
  for (let b = 0; b < batch; b++) {
    const img = x + <usize>b * <usize>pixels * pix;
    const out = y + <usize>b * pix;
    if (pixels <= 0) {
      memory.fill(out, 0, pix);
      continue;
    }
    const n = <f32>pixels;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const vn = f32x4.splat(n);
      for (; c + 4 * LANES <= ch; c += 4 * LANES) {
        const off = <usize>c * F32_BYTES;
        let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
        let p = img + off;
        for (let i = 0; i < pixels; i++) {
          s0 = f32x4.add(s0, v128.load(p));
          s1 = f32x4.add(s1, v128.load(p, 16));
          s2 = f32x4.add(s2, v128.load(p, 32));
          s3 = f32x4.add(s3, v128.load(p, 48));
          p += pix;
        }
        v128.store(out + off, f32x4.div(s0, vn));
        v128.store(out + off, f32x4.div(s1, vn), 16);
        v128.store(out + off, f32x4.div(s2, vn), 32);
        v128.store(out + off, f32x4.div(s3, vn), 48);
      }
      for (; c + LANES <= ch; c += LANES) {
        const off = <usize>c * F32_BYTES;
        let s = f32x4.splat(0);
        let p = img + off;
        for (let i = 0; i < pixels; i++) {
          s = f32x4.add(s, v128.load(p));
          p += pix;
        }
        v128.store(out + off, f32x4.div(s, vn));
      }
    }
    for (; c < ch; c++) {
      const off = <usize>c * F32_BYTES;
      let s: f32 = 0;
      let p = img + off;
      for (let i = 0; i < pixels; i++) {
        s += load<f32>(p);
        p += pix;
      }
      store<f32>(out + off, s / n);
    }
  }
}
