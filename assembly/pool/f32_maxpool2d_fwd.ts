// f32-maxpool2d-fwd: NHWC max pooling.
//   y[n, oh, ow, c] = max over the real cells of the window
//     rows oh*sh - padTop .. +kh, columns ow*sw - padLeft .. +kw.
// Padded cells are ignored (TensorFlow treats them as -Infinity); a window
// with no real cell at all (only possible with padding >= window) gives
// -Infinity.
//
// Contract
// - x: [batch, inH, inW, C]; y: [batch, outH, outW, C], written with `=`;
//   no overlap. No alignment requirement.
// - SIMD over channels: 16 at a time (4 accumulators), then 4, then a scalar
//   tail of C % 4. No over-read. Max is wasm f32.max / f32x4.max, which
//   propagate NaN like Math.max.

import { F32_BYTES, LANES } from "../common/tile";
import { clipHi, clipLo } from "./window";

export function f32_maxpool2d_fwd(
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
        const cell0 = img + <usize>y0 * rowBytes + <usize>x0 * pix;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 4 * LANES <= ch; c += 4 * LANES) {
            const off = <usize>c * F32_BYTES;
            let m0 = f32x4.splat(-Infinity), m1 = m0, m2 = m0, m3 = m0;
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                m0 = f32x4.max(m0, v128.load(p));
                m1 = f32x4.max(m1, v128.load(p, 16));
                m2 = f32x4.max(m2, v128.load(p, 32));
                m3 = f32x4.max(m3, v128.load(p, 48));
                p += pix;
              }
              rowp += rowBytes;
            }
            v128.store(out + off, m0);
            v128.store(out + off, m1, 16);
            v128.store(out + off, m2, 32);
            v128.store(out + off, m3, 48);
          }
          for (; c + LANES <= ch; c += LANES) {
            const off = <usize>c * F32_BYTES;
            let m = f32x4.splat(-Infinity);
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                m = f32x4.max(m, v128.load(p));
                p += pix;
              }
              rowp += rowBytes;
            }
            v128.store(out + off, m);
          }
        }
        for (; c < ch; c++) {
          const off = <usize>c * F32_BYTES;
          let m: f32 = -Infinity;
          let rowp = cell0 + off;
          for (let iy = y0; iy < y1; iy++) {
            let p = rowp;
            for (let ix = x0; ix < x1; ix++) {
              m = max<f32>(m, load<f32>(p));
              p += pix;
            }
            rowp += rowBytes;
          }
          store<f32>(out + off, m);
        }
        out += pix;
      }
    }
  }
}
