// f32-avgpool2d-fwd: NHWC average pooling.
//   y[n, oh, ow, c] = (sum over the real cells of the window) / (their count)
// as TensorFlow: padded cells neither add nor count. A window with no real
// cell (only possible with padding >= window) gives 0.
//
// Contract
// - x: [batch, inH, inW, C]; y: [batch, outH, outW, C], written with `=`;
//   no overlap. No alignment requirement.
// - SIMD over channels: 16 at a time, then 4, then a scalar tail of C % 4.
//   No over-read. Sums in f32 in row-major window order, then one division.

import { F32_BYTES, LANES } from "../common/tile";
import { clipHi, clipLo } from "./window";

export function f32_avgpool2d_fwd(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, y: usize,
): void {
  const pix = <usize>ch * F32_BYTES;
  const rowBytes = <usize>inW * pix;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const img = x + <usize>b * <usize>inH * rowBytes;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const y0 = clipLo(ys);
      const y1 = clipHi(ys, kh, inH);
      for (let ow = 0; ow < outW; ow++) {
        const xs = ow * sw - padLeft;
        const x0 = clipLo(xs);
        const x1 = clipHi(xs, kw, inW);
        const count = max(0, y1 - y0) * max(0, x1 - x0);
        const cell0 = img + <usize>y0 * rowBytes + <usize>x0 * pix;
        if (count == 0) {
          memory.fill(out, 0, pix);
          out += pix;
          continue;
        }
        const n = <f32>count;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          const vn = f32x4.splat(n);
          for (; c + 4 * LANES <= ch; c += 4 * LANES) {
            const off = <usize>c * F32_BYTES;
            let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                s0 = f32x4.add(s0, v128.load(p));
                s1 = f32x4.add(s1, v128.load(p, 16));
                s2 = f32x4.add(s2, v128.load(p, 32));
                s3 = f32x4.add(s3, v128.load(p, 48));
                p += pix;
              }
              rowp += rowBytes;
            }
            v128.store(out + off, f32x4.div(s0, vn));
            v128.store(out + off, f32x4.div(s1, vn), 16);
            v128.store(out + off, f32x4.div(s2, vn), 32);
            v128.store(out + off, f32x4.div(s3, vn), 48);
          }
          for (; c + LANES <= ch; c += LANES) {
            const off = <usize>c * F32_BYTES;
            let s = f32x4.splat(0);
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                s = f32x4.add(s, v128.load(p));
                p += pix;
              }
              rowp += rowBytes;
            }
            v128.store(out + off, f32x4.div(s, vn));
          }
        }
        for (; c < ch; c++) {
          const off = <usize>c * F32_BYTES;
          let s: f32 = 0;
          let rowp = cell0 + off;
          for (let iy = y0; iy < y1; iy++) {
            let p = rowp;
            for (let ix = x0; ix < x1; ix++) {
              s += load<f32>(p);
              p += pix;
            }
            rowp += rowBytes;
          }
          store<f32>(out + off, s / n);
        }
        out += pix;
      }
    }
  }
}
