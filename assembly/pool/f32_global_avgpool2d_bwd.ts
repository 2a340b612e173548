// f32-global-avgpool2d-bwd: dx[n, h, w, c] = dy[n, c] / (height * width).
//
// Contract
// - dy: [batch, C]; dx: [batch, height, width, C], written with `=`;
//   no overlap. No alignment requirement.
// - SIMD over channels: 4 at a time, then a scalar tail of C % 4. No
//   over-read. The share is computed once per (n, c) by a division, as the
//   forward pass divides.

import { F32_BYTES, LANES } from "../common/tile";

export function f32_global_avgpool2d_bwd(batch: i32, height: i32, width: i32, ch: i32, dy: usize, dx: usize): void {
  const pixels = height * width;
  if (pixels <= 0) return;
  const pix = <usize>ch * F32_BYTES;
  const n = <f32>pixels;
  for (let b = 0; b < batch; b++) {
    const d = dy + <usize>b * pix;
    const img = dx + <usize>b * <usize>pixels * pix;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const vn = f32x4.splat(n);
      for (; c + LANES <= ch; c += LANES) {
        const off = <usize>c * F32_BYTES;
        const share = f32x4.div(v128.load(d + off), vn);
        let p = img + off;
        for (let i = 0; i < pixels; i++) {
          v128.store(p, share);
          p += pix;
        }
      }
    }
    for (; c < ch; c++) {
      const off = <usize>c * F32_BYTES;
      const share = load<f32>(d + off) / n;
      let p = img + off;
      for (let i = 0; i < pixels; i++) {
        store<f32>(p, share);
        p += pix;
      }
    }
  }
}
