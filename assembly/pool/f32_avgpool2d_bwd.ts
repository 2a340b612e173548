// f32-avgpool2d-bwd: the gradient of average pooling w.r.t. its input (NHWC).
// Each dy[n, oh, ow, c] / count is added to every real cell of its window,
// where count is the number of real (unpadded) cells, the divisor the
// forward pass (TensorFlow 'same') used. Overlapping windows add up; cells in
// no window get 0; a window with no real cell routes nothing.
//
// Contract
// - dy: [batch, outH, outW, C]; dx: [batch, inH, inW, C], written with `=`
//   (zeroed, then scattered into). No overlap. No alignment requirement.
// - SIMD over channels: 4 at a time, then a scalar tail of C % 4. No over-read.
//   The share is dy / count (a division, as the forward), added in f32.

import { F32_BYTES, LANES } from "../common/tile";
import { clipHi, clipLo } from "./window";

export function f32_avgpool2d_bwd(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  dy: usize, dx: usize,
): void {
  const pix = <usize>ch * F32_BYTES;
  const rowBytes = <usize>inW * pix;
  const imgBytes = <usize>inH * rowBytes;
  memory.fill(dx, 0, <usize>batch * imgBytes);
  let d = dy;
  for (let b = 0; b < batch; b++) {
    const img = dx + <usize>b * imgBytes;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const y0 = clipLo(ys);
      const y1 = clipHi(ys, kh, inH);
      for (let ow = 0; ow < outW; ow++) {
        const xs = ow * sw - padLeft;
        const x0 = clipLo(xs);
        const x1 = clipHi(xs, kw, inW);
        const count = max(0, y1 - y0) * max(0, x1 - x0);
        if (count == 0) {
          d += pix;
          continue;
        }
        const n = <f32>count;
        const cell0 = img + <usize>y0 * rowBytes + <usize>x0 * pix;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          const vn = f32x4.splat(n);
          for (; c + LANES <= ch; c += LANES) {
            const off = <usize>c * F32_BYTES;
            const share = f32x4.div(v128.load(d + off), vn);
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                v128.store(p, f32x4.add(v128.load(p), share));
                p += pix;
              }
              rowp += rowBytes;
            }
          }
        }
        for (; c < ch; c++) {
          const off = <usize>c * F32_BYTES;
          const share = load<f32>(d + off) / n;
          let rowp = cell0 + off;
          for (let iy = y0; iy < y1; iy++) {
            let p = rowp;
            for (let ix = x0; ix < x1; ix++) {
              store<f32>(p, load<f32>(p) + share);
              p += pix;
            }
            rowp += rowBytes;
          }
        }
        d += pix;
      }
    }
  }
}
